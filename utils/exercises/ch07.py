"""Chapter 07 exercises (beyond the basics), each with an instant check.

    from utils.exercises import ch07
    ch07.q_conv1d_length(answer, length=1047, kernel_size=5, padding=2, stride=2)
    ch07.q_conv3d_shape(answer, input_shape=(2, 3, 8, 64, 64), out_channels=4, kernel_size=3,
                        padding=1, stride=2)
    ch07.q_receptive_field(answer, layers=[conv_layer(3), pool_layer(2)])   # the one shared checker
    ch07.q_dilated_stack(answer, dilations=(1, 2, 4, 8), k=3)
    ch07.q_separable_params(answer, c_i=64, c_o=128, k=3, bias=False)
    ch07.q_separable_ratio(answer, c_o=128, k=3, decimals=2)

Every quantity a question states is a keyword argument. Expected answers come from PyTorch or
``utils.receptive`` when the checker runs.
"""

from __future__ import annotations

import decimal
import numbers
from collections.abc import Sequence

import torch
from torch import nn

from .._checks import check_int
from ..i18n import tr
from ..receptive import conv_layer, receptive_field
from ._core import Feedback, check_equal, q_receptive_field
from ._core import unanswered as _unanswered

__all__ = [
    "q_conv1d_length",
    "q_conv3d_shape",
    "q_dilated_stack",
    "q_receptive_field",
    "q_separable_params",
    "q_separable_ratio",
]


def q_conv1d_length(answer: object, *, length: int, kernel_size: int, padding: int = 0,
                    stride: int = 1, dilation: int = 1) -> Feedback:
    """Output length of ``nn.Conv1d(…, kernel_size, stride, padding, dilation)`` on ``length`` samples.

    ``padding``, ``stride`` and ``dilation`` default to ``nn.Conv1d``'s own defaults.
    """
    if (fb := _unanswered(answer)) is not None:
        return fb
    n, k = check_int(length, "length", 1), check_int(kernel_size, "kernel_size", 1)
    p, s, d = check_int(padding, "padding", 0), check_int(stride, "stride", 1), check_int(dilation, "dilation", 1)
    if n + 2 * p < d * (k - 1) + 1:
        raise ValueError(f"the kernel (span {d * (k - 1) + 1}) does not fit in length + 2·padding = {n + 2 * p}")
    conv = nn.Conv1d(1, 1, k, stride=s, padding=p, dilation=d, bias=False)
    with torch.no_grad():
        expected = conv(torch.zeros(1, 1, n)).shape[-1]
    return check_equal(
        answer, expected,
        why=tr("One axis of the 2-D rule: ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1, with p samples of padding on each side.",
               "二维规则中的一个轴：⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1，两侧各填充 p 个采样值。"),
        hint=tr("the 2-D output-size formula works axis by axis: PyTorch adds the padding on each side, "
                "and the division by the stride rounds down.",
                "二维的输出大小公式是逐个轴计算的：PyTorch 在每一侧都加上填充，除以步幅时向下取整。"))


def q_conv3d_shape(answer: object, *, input_shape: Sequence[int], out_channels: int,
                   kernel_size: int | tuple[int, int, int], padding: int | tuple[int, int, int] = 0,
                   stride: int | tuple[int, int, int] = 1) -> Feedback:
    """Full output shape (N, C_out, D', H', W') of ``nn.Conv3d`` on an (N, C, D, H, W) input.

    ``padding`` and ``stride`` default to ``nn.Conv3d``'s own defaults.
    """
    if (fb := _unanswered(answer)) is not None:
        return fb
    if isinstance(input_shape, (str, bytes)) or not isinstance(input_shape, Sequence) or len(input_shape) != 5:
        raise ValueError(f"input_shape must be (N, C, D, H, W), five positive ints, got {input_shape!r}")
    shape = tuple(check_int(v, "input_shape entry", 1) for v in input_shape)
    conv = nn.Conv3d(shape[1], check_int(out_channels, "out_channels", 1), kernel_size,
                     stride=stride, padding=padding, bias=False, device="meta")
    expected = tuple(conv(torch.empty(shape, device="meta")).shape)
    if isinstance(answer, (torch.Size, list)):
        answer = tuple(answer)
    if isinstance(answer, tuple) and len(answer) != 5:
        return Feedback(False, tr(f"You gave {len(answer)} numbers. Give all five, (N, C_out, D', H', W'): "
                                  "the batch size, the output channels, then depth, height and width.",
                                  f"你给了 {len(answer)} 个数。请给出全部五个数 (N, C_out, D', H', W')："
                                  "批量大小、输出通道数，然后是深度、高度和宽度。"))
    return check_equal(
        answer, expected,
        why=tr("The batch size stays, the channels become out_channels, and depth, height and width each "
               "follow the same rule as a 2-D axis: ⌊(n + 2p − k) / s⌋ + 1.",
               "批量大小不变，通道数变为 out_channels，深度、高度和宽度各自遵循与二维中一个轴相同的规则："
               "⌊(n + 2p − k) / s⌋ + 1。"),
        hint=tr("the kernel slides along depth as well as height and width, and each of the three axes "
                "follows the 2-D rule ⌊(n + 2p − k) / s⌋ + 1 on its own.",
                "卷积核不仅沿高度和宽度滑动，也沿深度滑动；三个轴各自单独遵循二维的规则 ⌊(n + 2p − k) / s⌋ + 1。"))


def _one_side(answer: object) -> object:
    """An (r, r) pair as r, so that a square receptive field may be given either way."""
    if isinstance(answer, (tuple, list)) and len(answer) == 2 and answer[0] == answer[1]:
        return answer[0]
    return answer


def q_dilated_stack(answer: object, *, dilations: Sequence[int], k: int) -> Feedback:
    """Receptive field (side length) of stacked k×k convolutions, stride 1, with the given dilations."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    k = check_int(k, "k", 1)
    if isinstance(dilations, (str, bytes)) or not isinstance(dilations, Sequence) or not dilations:
        raise ValueError(f"dilations must list at least one dilation, got {dilations!r}")
    ds = [check_int(d, "dilation", 1) for d in dilations]
    expected = receptive_field([conv_layer(k, dilation=d) for d in ds]).size[0]
    answer = _one_side(answer)
    if answer == sum(d * (k - 1) + 1 for d in ds) and answer != expected:
        return Feedback(False, tr("You added up the spans of the kernels, but neighbouring windows overlap: "
                                  "each layer after the first adds its span minus one.",
                                  "你把各个卷积核的跨度直接相加了，但相邻窗口是重叠的："
                                  "第一层之后，每一层只增加它的跨度减一。"))
    return check_equal(
        answer, expected,
        why=tr("With stride 1 the jump stays 1, so each layer adds (k − 1)·d to the field: doubling "
               "dilations make the field grow exponentially while the weights grow only linearly.",
               "步幅为 1 时跳距始终是 1，所以每一层让感受野增加 (k − 1)·d：膨胀率逐层翻倍，"
               "感受野就按指数增长，而权重只按线性增长。"),
        hint=tr("a k×k kernel with dilation d spans d·(k − 1) + 1 pixels; start from a field of 1 and let "
                "each layer add its span minus one.",
                "膨胀率为 d 的 k×k 卷积核跨越 d·(k − 1) + 1 个像素；从大小为 1 的感受野开始，"
                "每一层加上它的跨度减一。"))


def q_separable_params(answer: object, *, c_i: int, c_o: int, k: int, bias: bool) -> Feedback:
    """Parameters of a depthwise-separable conv: k×k depthwise (groups=c_i), then 1×1 to c_o channels."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    c_i, c_o, k = check_int(c_i, "c_i", 1), check_int(c_o, "c_o", 1), check_int(k, "k", 1)
    if not isinstance(bias, bool):
        raise TypeError(f"bias must be True or False, got {bias!r}")
    depthwise = nn.Conv2d(c_i, c_i, k, groups=c_i, bias=bias, device="meta")
    pointwise = nn.Conv2d(c_i, c_o, 1, bias=bias, device="meta")
    n_depth = sum(p.numel() for p in depthwise.parameters())
    n_point = sum(p.numel() for p in pointwise.parameters())
    expected = n_depth + n_point
    standard = c_o * c_i * k * k + (c_o if bias else 0)
    if answer != expected:
        if answer == standard:
            return Feedback(False, tr("That is the count of a standard convolution. Hint: the depthwise part has "
                                      "only one k×k kernel per input channel, and the 1×1 part mixes the channels.",
                                      "这是标准卷积的权重个数。提示：逐通道部分的每个输入通道只有一个 k×k 卷积核，"
                                      "由 1×1 部分来混合各个通道。"))
        if answer in (n_depth, n_point):
            return Feedback(False, tr("That is one of the two layers only. Hint: count the k×k depthwise layer "
                                      "and the 1×1 pointwise layer, and add them.",
                                      "这只是两个层中的一个。提示：分别数出 k×k 逐通道卷积层和 1×1 逐点卷积层的权重，"
                                      "再把它们相加。"))
    why = (tr("c_i·k² weights for the depthwise filters plus c_i·c_o for the 1×1 pointwise mix, and one bias per "
              "output channel of each layer: c_i biases for the depthwise part and c_o for the pointwise one.",
              "逐通道卷积核有 c_i·k² 个权重，1×1 逐点混合有 c_i·c_o 个权重；每一层的每个输出通道还有一个偏置："
              "逐通道部分 c_i 个，逐点部分 c_o 个。")
           if bias else tr("c_i·k² weights for the depthwise filters plus c_i·c_o for the 1×1 pointwise mix.",
                           "逐通道卷积核有 c_i·k² 个权重，再加上 1×1 逐点混合的 c_i·c_o 个。"))
    return check_equal(
        answer, expected, why=why,
        hint=tr("count the two layers separately: groups=c_i gives each input channel its own single k×k "
                "kernel, and the 1×1 layer has c_o·c_i weights.",
                "把两个层分开数：groups=c_i 让每个输入通道只有自己的一个 k×k 卷积核，"
                "而 1×1 层有 c_o·c_i 个权重。"))


def _decimals(answer: object, value: float) -> int:
    """How many decimal places the student wrote (a float's shortest repr, a string as typed)."""
    if isinstance(answer, numbers.Integral):
        return 0
    text = answer.strip() if isinstance(answer, str) else repr(value)
    try:
        return max(0, -int(decimal.Decimal(text).as_tuple().exponent))
    except (decimal.InvalidOperation, ValueError, TypeError):
        return 0


def q_separable_ratio(answer: object, *, c_o: int, k: int, decimals: int) -> Feedback:
    """Multiply-adds of a depthwise-separable conv divided by a standard one's (same output size).

    The ratio is 1/c_o + 1/k² whatever c_i and the output size are. A right answer is within half a
    unit of the ``decimals``-th decimal place of it: rounded to ``decimals`` places, or more precise.
    """
    if (fb := _unanswered(answer)) is not None:
        return fb
    c_o, k = check_int(c_o, "c_o", 1), check_int(k, "k", 1)
    decimals = check_int(decimals, "decimals", 0)
    expected = 1 / c_o + 1 / k ** 2
    if isinstance(answer, bool):
        return Feedback(False, tr("Give a number, such as 0.25.", "请给出一个数，例如 0.25。"))
    try:
        got = float(answer)  # type: ignore[arg-type]
    except (TypeError, ValueError, RuntimeError):
        return Feedback(False, tr(f"Give a number, such as 0.25, not a {type(answer).__name__}.",
                                  f"请给出一个数，例如 0.25，而不是 {type(answer).__name__}。"))
    tol = 0.5 * 10.0 ** -decimals + 1e-12
    if abs(got - expected) <= tol:
        return Feedback(True, tr(f"{expected:.{decimals + 2}f}: per output pixel the separable layer needs "
                                 f"c_i·k² + c_i·c_o multiply-adds against c_i·c_o·k², i.e. 1/c_o + 1/k² of them, "
                                 f"about {1 / expected:.1f}× fewer.",
                                 f"{expected:.{decimals + 2}f}：对每个输出像素，可分离层需要 c_i·k² + c_i·c_o 次乘加，"
                                 f"标准卷积需要 c_i·c_o·k² 次，前者是后者的 1/c_o + 1/k²；"
                                 f"标准卷积的乘加次数约为可分离层的 {1 / expected:.1f} 倍。"))
    written = _decimals(answer, got)
    if 0 < written < decimals and abs(got - expected) <= 0.5 * 10.0 ** -written + 1e-12:
        return Feedback(False, tr(f"{answer} is right as far as it goes, but the question asks for {decimals} "
                                  "decimal places: give more digits.",
                                  f"{answer} 在它给出的位数内是对的，但题目要求保留 {decimals} 位小数："
                                  "请多写几位。"))
    if abs(got * expected - 1) <= 0.05:
        return Feedback(False, tr("That is how many times fewer multiply-adds the separable layer needs. The "
                                  "question asks for the fraction, the separable count divided by the standard one.",
                                  "这是标准层的乘加次数除以可分离层的乘加次数。题目问的是反过来的比例："
                                  "可分离层的乘加次数除以标准层的乘加次数。"))
    if abs(got / 100 - expected) <= tol:
        return Feedback(False, tr("That looks like a percentage. Give the fraction instead, 0.25 rather than 25.",
                                  "这看起来是百分数。请改用小数形式的比例，写 0.25 而不是 25。"))
    return Feedback(False, tr("Hint: write both costs per output pixel, c_i·c_o·k² for the standard convolution "
                              "and the depthwise part plus the pointwise part for the separable one, then "
                              "divide and cancel c_i.",
                              "提示：写出每个输出像素的两种计算量，标准卷积是 c_i·c_o·k²，"
                              "可分离卷积是逐通道部分加上逐点部分，然后相除并约去 c_i。"))
