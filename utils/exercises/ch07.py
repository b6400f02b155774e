"""Chapter 07 exercises (beyond the basics), each with an instant check.

    from utils.exercises import ch07
    ch07.q_conv1d_length(answer, length=1047, kernel_size=5, padding=2, stride=2)
    ch07.q_conv3d_shape(answer, (1, 1, 8, 64, 64), out_channels=4, kernel_size=3)
    ch07.q_receptive_field(answer, layers)      # layers: an nn.Sequential or a list of specs
    ch07.q_dilated_stack(answer, dilations=(1, 2, 4))
    ch07.q_separable_params(answer, c_i=32, c_o=64, k=3)
    ch07.q_separable_ratio(answer, c_o=64, k=3)

Expected answers come from PyTorch or ``utils.receptive`` when the checker runs.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import torch
from torch import nn

from .._checks import check_int
from ..receptive import conv_layer, receptive_field
from ._core import Feedback, check_equal
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
    """Output length of ``nn.Conv1d`` on a signal of ``length`` samples."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    n, k = check_int(length, "length", 1), check_int(kernel_size, "kernel_size", 1)
    p, s, d = check_int(padding, "padding", 0), check_int(stride, "stride", 1), check_int(dilation, "dilation", 1)
    conv = nn.Conv1d(1, 1, k, stride=s, padding=p, dilation=d, bias=False)
    with torch.no_grad():
        expected = conv(torch.zeros(1, 1, n)).shape[-1]
    return check_equal(
        answer, expected,
        why="One axis of the 2-D rule: ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1, with p added on each side.",
        hint="the 2-D output-size formula works axis by axis; PyTorch's padding is per side, and "
             "the division by the stride rounds down.")


def q_conv3d_shape(answer: object, input_shape: Sequence[int], *, out_channels: int,
                   kernel_size: int | tuple[int, int, int], padding: int | tuple[int, int, int] = 0,
                   stride: int | tuple[int, int, int] = 1) -> Feedback:
    """Full output shape (N, C_out, D', H', W') of ``nn.Conv3d`` on an (N, C, D, H, W) input."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    shape = tuple(input_shape)
    if len(shape) != 5 or any(isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1
                              for v in shape):
        raise ValueError(f"input_shape must be (N, C, D, H, W) positive ints, got {input_shape!r}")
    conv = nn.Conv3d(shape[1], check_int(out_channels, "out_channels", 1), kernel_size,
                     stride=stride, padding=padding, bias=False)
    with torch.no_grad():
        expected = tuple(conv(torch.zeros(shape)).shape)
    if isinstance(answer, torch.Size):
        answer = tuple(answer)
    return check_equal(
        answer, expected,
        why="Batch stays, channels become out_channels, and each of depth, height and width shrinks "
            "by the same rule as in 2-D.",
        hint="give all five numbers (N, C_out, D', H', W'); the kernel slides along depth too.")


def q_receptive_field(answer: object, layers: nn.Module | Iterable[object]) -> Feedback:
    """Receptive-field size of the last layer's units: an int (square) or an (h, w) pair."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    rf = receptive_field(layers)
    expected = rf.size
    if isinstance(answer, numbers.Integral) and not isinstance(answer, bool) and expected[0] == expected[1]:
        answer = (int(answer), int(answer))
    return check_equal(
        answer, expected,
        why="Each layer adds (k − 1)·d·j input pixels, where j is the product of the strides before it.",
        hint="go layer by layer with r ← r + (k − 1)·d·j and j ← j·s, from r = j = 1; "
             "pooling counts as a layer with its own k and s.")


def q_dilated_stack(answer: object, dilations: Sequence[int] = (1, 2, 4), k: int = 3) -> Feedback:
    """Receptive field of stacked k×k convolutions (stride 1) with the given dilations."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    k = check_int(k, "k", 1)
    if not dilations:
        raise ValueError("dilations must list at least one dilation")
    layers = [conv_layer(k, dilation=check_int(d, "dilation", 1)) for d in dilations]
    expected = receptive_field(layers).size[0]
    return check_equal(
        answer, expected,
        why="With stride 1 the jump stays 1, so each layer just adds its span minus one, (k − 1)·d: "
            "doubling dilations grow the field exponentially while the weights grow linearly.",
        hint="a k×k kernel with dilation d spans d·(k − 1) + 1 pixels; stacking adds spans minus one.")


def q_separable_params(answer: object, *, c_i: int, c_o: int, k: int, bias: bool = False) -> Feedback:
    """Parameters of a depthwise-separable conv: k×k depthwise (groups=c_i) then 1×1 to c_o channels."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    c_i, c_o, k = check_int(c_i, "c_i", 1), check_int(c_o, "c_o", 1), check_int(k, "k", 1)
    block = nn.Sequential(nn.Conv2d(c_i, c_i, k, groups=c_i, bias=bias), nn.Conv2d(c_i, c_o, 1, bias=bias))
    expected = sum(p.numel() for p in block.parameters())
    standard = c_i * c_o * k * k + (c_o if bias else 0)
    if answer == standard and standard != expected:
        return Feedback(False, "That is the standard convolution's count. Hint: the depthwise part has one "
                               "k×k kernel per input channel only; the 1×1 part mixes channels.")
    return check_equal(
        answer, expected,
        why="c_i·k² for the depthwise filters plus c_i·c_o for the 1×1 pointwise mix.",
        hint="count the two layers separately: groups=c_i means each input channel gets its own "
             "single k×k kernel; the 1×1 layer has c_o·c_i weights.")


def q_separable_ratio(answer: object, *, c_o: int, k: int, tol: float = 1e-3) -> Feedback:
    """Multiply-adds of depthwise-separable / standard convolution (same output size), as a number."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    c_o, k = check_int(c_o, "c_o", 1), check_int(k, "k", 1)
    c_i, side = 8, 10  # the ratio does not depend on them; count on a concrete layer
    standard = c_i * c_o * k * k * side * side
    separable = (c_i * k * k + c_i * c_o) * side * side
    expected = separable / standard
    try:
        got = float(answer)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return Feedback(False, f"Give a number (a float), not {type(answer).__name__}.")
    if abs(got - expected) <= tol * max(1.0, abs(expected)):
        return Feedback(True, "Per output pixel: c_i·k² + c_i·c_o against c_i·c_o·k², i.e. 1/c_o + 1/k². "
                              "For 3×3 kernels that is roughly 8–9× fewer multiply-adds.")
    if abs(got - 1 / expected) <= tol * max(1.0, 1 / expected):
        return Feedback(False, "Upside down: divide the separable count by the standard one.")
    return Feedback(False, "Hint: write both costs per output pixel, c_i·c_o·k² for the standard conv and "
                           "(depthwise + pointwise) for the separable one, and cancel c_i.")
