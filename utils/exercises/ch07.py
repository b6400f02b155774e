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
        why="One axis of the 2-D rule: ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1, with p samples of padding on each side.",
        hint="the 2-D output-size formula works axis by axis: PyTorch adds the padding on each side, "
             "and the division by the stride rounds down.")


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
        return Feedback(False, f"You gave {len(answer)} numbers. Give all five, (N, C_out, D', H', W'): "
                               "the batch size, the output channels, then depth, height and width.")
    return check_equal(
        answer, expected,
        why="The batch size stays, the channels become out_channels, and depth, height and width each "
            "follow the same rule as a 2-D axis: ⌊(n + 2p − k) / s⌋ + 1.",
        hint="the kernel slides along depth as well as height and width, and each of the three axes "
             "follows the 2-D rule ⌊(n + 2p − k) / s⌋ + 1 on its own.")


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
        return Feedback(False, "You added up the spans of the kernels, but neighbouring windows overlap: "
                               "each layer after the first adds its span minus one.")
    return check_equal(
        answer, expected,
        why="With stride 1 the jump stays 1, so each layer adds (k − 1)·d to the field: doubling "
            "dilations make the field grow exponentially while the weights grow only linearly.",
        hint="a k×k kernel with dilation d spans d·(k − 1) + 1 pixels; start from a field of 1 and let "
             "each layer add its span minus one.")


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
            return Feedback(False, "That is the count of a standard convolution. Hint: the depthwise part has "
                                   "only one k×k kernel per input channel, and the 1×1 part mixes the channels.")
        if answer in (n_depth, n_point):
            return Feedback(False, "That is one of the two layers only. Hint: count the k×k depthwise layer "
                                   "and the 1×1 pointwise layer, and add them.")
    why = ("c_i·k² weights for the depthwise filters plus c_i·c_o for the 1×1 pointwise mix, and one bias per "
           "output channel of each layer: c_i biases for the depthwise part and c_o for the pointwise one."
           if bias else "c_i·k² weights for the depthwise filters plus c_i·c_o for the 1×1 pointwise mix.")
    return check_equal(
        answer, expected, why=why,
        hint="count the two layers separately: groups=c_i gives each input channel its own single k×k "
             "kernel, and the 1×1 layer has c_o·c_i weights.")


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
        return Feedback(False, "Give a number, such as 0.25.")
    try:
        got = float(answer)  # type: ignore[arg-type]
    except (TypeError, ValueError, RuntimeError):
        return Feedback(False, f"Give a number, such as 0.25, not a {type(answer).__name__}.")
    tol = 0.5 * 10.0 ** -decimals + 1e-12
    if abs(got - expected) <= tol:
        return Feedback(True, f"{expected:.{decimals + 2}f}: per output pixel the separable layer needs "
                              f"c_i·k² + c_i·c_o multiply-adds against c_i·c_o·k², i.e. 1/c_o + 1/k² of them, "
                              f"about {1 / expected:.1f}× fewer.")
    written = _decimals(answer, got)
    if 0 < written < decimals and abs(got - expected) <= 0.5 * 10.0 ** -written + 1e-12:
        return Feedback(False, f"{answer} is right as far as it goes, but the question asks for {decimals} "
                               "decimal places: give more digits.")
    if abs(got * expected - 1) <= 0.05:
        return Feedback(False, "That is how many times fewer multiply-adds the separable layer needs. The "
                               "question asks for the fraction, the separable count divided by the standard one.")
    if abs(got / 100 - expected) <= tol:
        return Feedback(False, "That looks like a percentage. Give the fraction instead, 0.25 rather than 25.")
    return Feedback(False, "Hint: write both costs per output pixel, c_i·c_o·k² for the standard convolution "
                           "and the depthwise part plus the pointwise part for the separable one, then "
                           "divide and cancel c_i.")
