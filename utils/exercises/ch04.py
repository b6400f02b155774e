"""Chapter 04 exercises (multiple input and output channels), each with an instant check.

Every checker is called as ``q_<name>(answer, *, <the quantities the question states>)``:

    from utils.exercises import ch04
    ch04.q_output_shape((..., ..., ...), in_channels=3, out_channels=16, kernel_size=5, padding=2,
                        input_size=32)
    ch04.q_bias_shape((...,), in_channels=3, out_channels=16)
    ch04.q_num_params(..., in_channels=3, out_channels=16, kernel_size=5)
    ch04.q_macs(..., in_channels=3, out_channels=16, kernel_size=5, padding=2, input_size=32)
    ch04.q_corr2d_multi_in_out(my_fn)        # your own multi-in/multi-out cross-correlation
    ch04.q_linear_from_1x1(my_linear, conv=conv_1x1)

Every expected answer is computed here, from PyTorch or the library, when the
checker runs; nothing is stored as a literal for a student to read off.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import check_fits, check_int
from ..cost import measured_macs
from ..i18n import tr
from ._core import Feedback, as_int, as_ints, check_equal
from ._core import unanswered as _unanswered

__all__ = [
    "q_bias_shape",
    "q_corr2d_multi_in_out",
    "q_linear_from_1x1",
    "q_macs",
    "q_num_params",
    "q_output_shape",
]






def _layer(in_channels: object, out_channels: object, kernel_size: object, padding: object = 0) -> nn.Conv2d:
    c_i = check_int(in_channels, "in_channels", 1)
    c_o = check_int(out_channels, "out_channels", 1)
    k = check_int(kernel_size, "kernel_size", 1)
    p = check_int(padding, "padding", 0)
    return nn.Conv2d(c_i, c_o, k, padding=p)


def _input(layer: nn.Conv2d, input_size: object) -> torch.Tensor:
    n = check_int(input_size, "input_size", 1)
    check_fits((n, n), layer.kernel_size, layer.padding, (1, 1), what="kernel_size")
    return torch.zeros(1, layer.in_channels, n, n)


def q_output_shape(answer: object, *, in_channels: int, out_channels: int, kernel_size: int, padding: int,
                   input_size: int) -> Feedback:
    """Shape (c_o, m_h, m_w) of ``nn.Conv2d(in_channels, out_channels, kernel_size, padding=padding)``'s
    output for one ``in_channels × input_size × input_size`` image."""
    layer = _layer(in_channels, out_channels, kernel_size, padding)
    X = _input(layer, input_size)
    if (fb := _unanswered(answer)) is not None:
        return fb
    with torch.no_grad():
        expected = tuple(layer(X).shape[1:])
    c_o, m, _ = expected
    n, k, p = input_size, kernel_size, padding
    shape = as_ints(answer, scalar=True)
    if shape is None:
        return Feedback(False, tr(f"Give the shape as three whole numbers (c_o, m_h, m_w), for example a tuple; "
                                  f"you gave {answer!r}.",
                                  f"请用三个整数 (c_o, m_h, m_w) 给出形状，例如写成元组；你给的是 {answer!r}。"))
    if shape == (1, *expected):
        return Feedback(False, tr("That includes the batch dimension; give (c_o, m_h, m_w) for one image.",
                                  "这个答案包含了批量维度；请给出一张图像的 (c_o, m_h, m_w)。"))
    if shape == expected[1:]:
        return Feedback(False, tr("Those are the height and width; put the number of output channels in front: "
                                  "(c_o, m_h, m_w).",
                                  "这是高和宽；请在前面加上输出通道数：(c_o, m_h, m_w)。"))
    if len(shape) == 3 and shape[0] == in_channels != out_channels:
        return Feedback(False, tr("The first number is the channel count: an output has one channel per kernel, "
                                  "c_o, not the input's c_i.",
                                  "第一个数是通道数：每个卷积核给出一个输出通道，所以是 c_o，而不是输入的 c_i。"))
    if len(shape) == 3 and shape[0] == c_o and shape[1:] != expected[1:]:
        return Feedback(False, tr("Right channel count. For the height and width use n + 2·padding − k + 1: "
                                  "PyTorch adds the padding on each side.",
                                  "通道数对了。高和宽请用 n + 2·padding − k + 1 计算：PyTorch 在每一侧都加上填充。"))
    return check_equal(shape, expected,
                       why=tr(f"{c_o} kernels give {c_o} output channels, and padding {p} on each side gives "
                              f"{n} + 2·{p} − {k} + 1 = {m} rows and as many columns.",
                              f"{c_o} 个卷积核给出 {c_o} 个输出通道；每一侧填充 {p}，得到 "
                              f"{n} + 2·{p} − {k} + 1 = {m} 行，列数也一样。"),
                       hint=tr("Y has shape c_o × m_h × m_w, with m = n + 2·padding − k + 1.",
                               "Y 的形状是 c_o × m_h × m_w，其中 m = n + 2·padding − k + 1。"))


def q_bias_shape(answer: object, *, in_channels: int, out_channels: int) -> Feedback:
    """Shape of the bias of an ``nn.Conv2d(in_channels, out_channels, ...)`` layer."""
    c_i = check_int(in_channels, "in_channels", 1)
    c_o = check_int(out_channels, "out_channels", 1)
    if (fb := _unanswered(answer)) is not None:
        return fb
    expected = tuple(nn.Conv2d(c_i, c_o, 1).bias.shape)
    shape = as_ints(answer, scalar=True)
    if shape is None:
        return Feedback(False, tr(f"Give the shape as a tuple of whole numbers such as (5,), or one number; "
                                  f"you gave {answer!r}.",
                                  f"请用整数元组（例如 (5,)）或一个整数给出形状；你给的是 {answer!r}。"))
    if shape == (c_o, c_i) != expected:
        return Feedback(False, tr("c_o × c_i is a common slip: the c_i partial results of an output channel are "
                                  "summed first, and then one number is added to that channel.",
                                  "c_o × c_i 是常见的错误：一个输出通道的 c_i 个部分结果先相加，"
                                  "然后这个通道只再加上一个数。"))
    return check_equal(shape, expected, why=tr(f"One bias per output channel, shared by all its positions: "
                                               f"shape ({c_o},).",
                                               f"每个输出通道一个偏置，由这个通道的所有位置共享：形状为 ({c_o},)。"),
                       hint=tr("How many numbers does nn.Conv2d(...).bias hold? One per what?",
                               "nn.Conv2d(...).bias 里有多少个数？每个什么对应一个？"))


def q_num_params(answer: object, *, in_channels: int, out_channels: int, kernel_size: int) -> Feedback:
    """Learnable numbers (weights and biases) of ``nn.Conv2d(in_channels, out_channels, kernel_size)``."""
    layer = _layer(in_channels, out_channels, kernel_size)
    if (fb := _unanswered(answer)) is not None:
        return fb
    expected = sum(p.numel() for p in layer.parameters())
    c_i, c_o, k = in_channels, out_channels, kernel_size
    weights = layer.weight.numel()
    got = as_int(answer)
    if got is None:
        return Feedback(False, tr(f"Answer with a whole number, not {answer!r}.",
                                  f"请用一个整数作答，而不是 {answer!r}。"))
    if got == weights != expected:
        return Feedback(False, tr("Those are the weights only; add the biases.",
                                  "这只是权重的个数；还要加上偏置。"))
    if got == weights + c_o * c_i != expected:
        return Feedback(False, tr("You counted c_o·c_i biases; there is one bias per output channel.",
                                  "你算了 c_o·c_i 个偏置；其实每个输出通道只有一个偏置。"))
    if got == c_o * k * k + c_o != expected:
        return Feedback(False, tr("Each kernel has one k_h × k_w slice per input channel: the weight has shape "
                                  "(c_o, c_i, k_h, k_w).",
                                  "每个卷积核对每个输入通道都有一个 k_h × k_w 的切片：权重的形状是 "
                                  "(c_o, c_i, k_h, k_w)。"))
    return check_equal(got, expected,
                       why=tr(f"c_o·c_i·k_h·k_w + c_o = {c_o}·{c_i}·{k}·{k} + {c_o} = {expected}. There is no n_h "
                              "or n_w in it: the same kernels slide over an image of any size.",
                              f"c_o·c_i·k_h·k_w + c_o = {c_o}·{c_i}·{k}·{k} + {c_o} = {expected}。式中没有 n_h "
                              "和 n_w：同样的卷积核可以在任意大小的图像上滑动。"),
                       hint=tr("the weight has shape (c_o, c_i, k_h, k_w) and the bias shape (c_o,).",
                               "权重的形状是 (c_o, c_i, k_h, k_w)，偏置的形状是 (c_o,)。"))


def q_macs(answer: object, *, in_channels: int, out_channels: int, kernel_size: int, padding: int,
           input_size: int) -> Feedback:
    """Multiply-adds of ``nn.Conv2d(in_channels, out_channels, kernel_size, padding=padding)`` for one
    ``input_size × input_size`` image, bias additions not counted."""
    layer = _layer(in_channels, out_channels, kernel_size, padding)
    X = _input(layer, input_size)
    if (fb := _unanswered(answer)) is not None:
        return fb
    expected = measured_macs(layer, X)
    c_i, c_o, k, p, n = in_channels, out_channels, kernel_size, padding, input_size
    m = n + 2 * p - k + 1
    got = as_int(answer)
    if got is None:
        return Feedback(False, tr(f"Answer with a whole number, not {answer!r}.",
                                  f"请用一个整数作答，而不是 {answer!r}。"))
    if got == c_i * c_o * k * k * (n - k + 1) ** 2 != expected:
        return Feedback(False, tr("That output size ignores the padding, which PyTorch adds on each side "
                                  "before the kernel slides.",
                                  "这个输出大小忽略了填充：PyTorch 在卷积核滑动之前，先在每一侧加上填充。"))
    if got == 2 * expected:
        return Feedback(False, tr("That counts multiplies and adds separately (FLOPs); here one multiply-add "
                                  "counts as one.",
                                  "这是把乘法和加法分开计数（FLOPs）；这里一次乘加只算一次。"))
    if got == expected + c_o * m * m:
        return Feedback(False, tr("That includes the bias additions, which the question leaves out.",
                                  "这个数包含了偏置的加法，而题目不计这些加法。"))
    return check_equal(got, expected,
                       why=tr(f"c_i·c_o·k_h·k_w·m_h·m_w = {c_i}·{c_o}·{k}·{k}·{m}·{m} = {expected:,}: every value "
                              "of every output channel needs c_i·k_h·k_w multiply-adds.",
                              f"c_i·c_o·k_h·k_w·m_h·m_w = {c_i}·{c_o}·{k}·{k}·{m}·{m} = {expected:,}：每个输出通道的"
                              "每个值都需要 c_i·k_h·k_w 次乘加。"),
                       hint=tr("multiply c_i, c_o, k_h, k_w, m_h and m_w (the OUTPUT height and width).",
                               "把 c_i、c_o、k_h、k_w、m_h 和 m_w 相乘（m_h 和 m_w 是输出的高和宽）。"))


def q_corr2d_multi_in_out(answer: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Feedback:
    """Check your ``answer(X, K)``: X (c_i, H, W), K (c_o, c_i, k_h, k_w) → (c_o, H', W')."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    if not callable(answer):
        return Feedback(False, tr(f"Pass your function itself, not {type(answer).__name__}.",
                                  f"请传入你的函数本身，而不是 {type(answer).__name__}。"))
    gen = torch.Generator().manual_seed(4)
    cases = [(2, 3, 3, 3, 2, 2), (1, 1, 4, 5, 2, 3), (3, 2, 5, 4, 3, 1), (4, 3, 6, 6, 1, 1)]
    for c_i, c_o, H, W, k_h, k_w in cases:
        X = torch.randn(c_i, H, W, generator=gen)
        K = torch.randn(c_o, c_i, k_h, k_w, generator=gen)
        expected = F.conv2d(X.unsqueeze(0), K).squeeze(0)
        try:
            got = answer(X, K)
        except NotImplementedError:
            return Feedback(False, tr("Not answered yet: fill in the body of your function.",
                                      "还没有作答：补全函数体，再运行这个单元格。"))
        except Exception as exc:  # a student's bug is feedback, not a crash
            return Feedback(False, tr(f"Your function raised {type(exc).__name__}: {exc} "
                                      f"(X {tuple(X.shape)}, K {tuple(K.shape)}).",
                                      f"你的函数抛出了 {type(exc).__name__}：{exc}"
                                      f"（X {tuple(X.shape)}，K {tuple(K.shape)}）。"))
        if not isinstance(got, torch.Tensor):
            return Feedback(False, tr(f"Return a tensor, not {type(got).__name__}.",
                                      f"请返回一个张量，而不是 {type(got).__name__}。"))
        if got.shape != expected.shape:
            return Feedback(False, tr(f"For X {tuple(X.shape)} and K {tuple(K.shape)} the output must have shape "
                                      f"{tuple(expected.shape)} = (c_o, H − k_h + 1, W − k_w + 1), but yours has "
                                      f"shape {tuple(got.shape)}. Hint: stack one map per K[o].",
                                      f"对于 X {tuple(X.shape)} 和 K {tuple(K.shape)}，输出的形状应为 "
                                      f"{tuple(expected.shape)} = (c_o, H − k_h + 1, W − k_w + 1)，而你的输出形状是 "
                                      f"{tuple(got.shape)}。提示：每个 K[o] 算出一张映射，再把它们堆叠起来。"))
        if not torch.allclose(got.to(expected.dtype), expected, atol=1e-5):
            return Feedback(False, tr(f"Wrong values for X {tuple(X.shape)} and K {tuple(K.shape)}. Hint: output "
                                      "channel o is Σ_c corr2d(X[c], K[o, c]).",
                                      f"对于 X {tuple(X.shape)} 和 K {tuple(K.shape)}，数值不对。提示：输出通道 o "
                                      "等于 Σ_c corr2d(X[c], K[o, c])。"))
    return Feedback(True, tr("Matches F.conv2d on several shapes, including c_i = 1, c_o = 1 and 1×1 kernels.",
                             "在多种形状上都与 F.conv2d 一致，包括 c_i = 1、c_o = 1 和 1×1 卷积核。"))


def q_linear_from_1x1(answer: object, *, conv: nn.Conv2d) -> Feedback:
    """Check an ``nn.Linear`` that, applied to every pixel's channel vector, does what the 1×1
    convolution ``conv`` does."""
    if not isinstance(conv, nn.Conv2d):
        raise TypeError(f"conv must be an nn.Conv2d, got {type(conv).__name__}")
    if (conv.kernel_size, conv.stride, conv.padding, conv.groups) != ((1, 1), (1, 1), (0, 0), 1):
        raise ValueError(f"conv must be a plain 1×1 convolution (kernel_size 1, stride 1, padding 0, groups 1), "
                         f"got {conv}")
    if (fb := _unanswered(answer)) is not None:
        return fb
    if not isinstance(answer, nn.Linear):
        return Feedback(False, tr(f"Build an nn.Linear(in_features, out_features), not {type(answer).__name__}.",
                                  f"请构造一个 nn.Linear(in_features, out_features)，而不是 {type(answer).__name__}。"))
    c_o, c_i = conv.out_channels, conv.in_channels
    if (answer.in_features, answer.out_features) != (c_i, c_o):
        return Feedback(False, tr(f"Your layer maps {answer.in_features} → {answer.out_features} features, but "
                                  f"each pixel has {c_i} channels in and {c_o} out.",
                                  f"你的层把 {answer.in_features} 个特征变成 {answer.out_features} 个，"
                                  f"但每个像素有 {c_i} 个输入通道和 {c_o} 个输出通道。"))
    X = torch.randn(c_i, 5, 4, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = conv(X.unsqueeze(0)).squeeze(0)
        got = answer(X.permute(1, 2, 0)).permute(2, 0, 1)  # (H, W, c_i) → (H, W, c_o) → (c_o, H, W)
    if torch.allclose(got, expected, atol=1e-5):
        return Feedback(True, tr("A 1×1 convolution is a fully-connected layer over the channels, shared by every "
                                 "pixel: weight = conv.weight.reshape(c_o, c_i), bias = conv.bias.",
                                 "1×1 卷积就是作用在通道上的全连接层，由所有像素共享："
                                 "weight = conv.weight.reshape(c_o, c_i)，bias = conv.bias。"))
    if answer.bias is None and conv.bias is not None:
        return Feedback(False, tr("The convolution has a bias; give the linear layer the same one.",
                                  "这个卷积有偏置；请给线性层同样的偏置。"))
    if answer.bias is not None and conv.bias is None:
        return Feedback(False, tr("The convolution has no bias; build the linear layer with bias=False.",
                                  "这个卷积没有偏置；请用 bias=False 构造线性层。"))
    return Feedback(False, tr("The values differ. Hint: copy conv.weight, reshaped to (c_o, c_i), into "
                              "linear.weight (under torch.no_grad()), and conv.bias into linear.bias.",
                              "数值不一致。提示：（在 torch.no_grad() 下）把 conv.weight 变形为 (c_o, c_i) 后"
                              "复制到 linear.weight，再把 conv.bias 复制到 linear.bias。"))
