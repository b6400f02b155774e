"""Chapter 04 exercises (multiple input and output channels), each with an instant check.

    from utils.exercises import ch04
    ch04.q_output_shape((..., ..., ...))   # the layer of EXERCISE_LAYER on a 3×32×32 input
    ch04.q_bias_shape((...,))
    ch04.q_num_params(...)                 # weights + biases
    ch04.q_macs(...)                       # multiply-adds for one input image
    ch04.q_corr2d_multi_in_out(my_fn)      # your own multi-in/multi-out cross-correlation
    ch04.q_linear_from_1x1(my_linear)      # an nn.Linear that does what a 1×1 conv does

Every expected answer is computed here, from PyTorch or the library, when the
checker runs; nothing is stored as a literal for a student to read off.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ..cost import measured_macs
from ._core import Feedback, check_equal
from ._core import unanswered as _unanswered

__all__ = [
    "EXERCISE_LAYER",
    "q_bias_shape",
    "q_corr2d_multi_in_out",
    "q_linear_from_1x1",
    "q_macs",
    "q_num_params",
    "q_output_shape",
]

#: The layer the counting questions are about: nn.Conv2d(3, 16, kernel_size=5, padding=2)
#: applied to one 3×32×32 image.
EXERCISE_LAYER = {"in_channels": 3, "out_channels": 16, "kernel_size": 5, "padding": 2, "input_hw": 32}


def _layer() -> nn.Conv2d:
    spec = EXERCISE_LAYER
    return nn.Conv2d(spec["in_channels"], spec["out_channels"], spec["kernel_size"], padding=spec["padding"])


def _input() -> torch.Tensor:
    spec = EXERCISE_LAYER
    return torch.zeros(1, spec["in_channels"], spec["input_hw"], spec["input_hw"])


def _as_tuple(answer: object) -> object:
    if isinstance(answer, torch.Size):
        return tuple(answer)
    if isinstance(answer, list):
        return tuple(answer)
    return answer


def q_output_shape(answer: object) -> Feedback:
    """Shape (c_o, m_h, m_w) of the exercise layer's output for one 3×32×32 image."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    with torch.no_grad():
        expected = tuple(_layer()(_input()).shape[1:])
    answer = _as_tuple(answer)
    c_o, m_h, m_w = expected
    if answer == (1, *expected):
        return Feedback(False, "That includes the batch dimension; give (c_o, m_h, m_w) for one image.")
    if isinstance(answer, tuple) and len(answer) == 3:
        if answer[0] == EXERCISE_LAYER["in_channels"]:
            return Feedback(False, "The first number is the channel count: an output has one channel per "
                                   "kernel, c_o, not the input's c_i.")
        if answer[0] == c_o and answer[1:] != (m_h, m_w):
            return Feedback(False, "Right channel count. For height and width use "
                                   "n + 2·padding − k + 1 (PyTorch's padding is added on each side).")
    return check_equal(answer, expected,
                       why="c_o kernels give c_o output channels; padding 2 on each side keeps 32×32 "
                           "for a 5×5 kernel (32 + 4 − 5 + 1 = 32).",
                       hint="Y has shape c_o × m_h × m_w; m = n + 2·padding − k + 1.")


def q_bias_shape(answer: object) -> Feedback:
    """Shape of the exercise layer's bias."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    expected = tuple(_layer().bias.shape)
    answer = _as_tuple(answer)
    if isinstance(answer, int):
        answer = (answer,)
    wrong = (EXERCISE_LAYER["out_channels"], EXERCISE_LAYER["in_channels"])
    if answer == wrong:
        return Feedback(False, "c_o × c_i is a common slip (one of the study notes writes it too): the "
                               "c_i partial results of an output channel are summed first, and then ONE "
                               "number is added to that channel.")
    return check_equal(answer, expected, why="One bias per output channel, shared by all its positions.",
                       hint="How many numbers does nn.Conv2d(...).bias hold? One per what?")


def q_num_params(answer: object) -> Feedback:
    """Learnable numbers (weights + biases) of the exercise layer."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    layer = _layer()
    expected = sum(p.numel() for p in layer.parameters())
    weights = layer.weight.numel()
    if answer == weights:
        return Feedback(False, "Those are the weights only; add the biases.")
    if answer == weights + weights // (layer.kernel_size[0] * layer.kernel_size[1]):
        return Feedback(False, "You counted c_o·c_i biases; there is one bias per output channel.")
    return check_equal(answer, expected, why="c_o·c_i·k_h·k_w weights plus c_o biases. Note: no n_h or "
                                             "n_w in it, the same kernels slide over any image size.",
                       hint="weight shape (c_o, c_i, k_h, k_w), bias shape (c_o,).")


def q_macs(answer: object) -> Feedback:
    """Multiply-adds of the exercise layer for one image, bias additions not counted."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    expected = measured_macs(_layer(), _input())
    k = EXERCISE_LAYER["kernel_size"]
    n = EXERCISE_LAYER["input_hw"]
    c_i, c_o = EXERCISE_LAYER["in_channels"], EXERCISE_LAYER["out_channels"]
    if answer == c_i * c_o * k * k * (n - k + 1) ** 2:
        return Feedback(False, "That output size ignores the padding; m_h = m_w = 32 here.")
    if answer == 2 * expected:
        return Feedback(False, "That counts multiplies and adds separately (FLOPs); one multiply-add is "
                               "one unit here.")
    return check_equal(answer, expected, why="c_i·c_o·k_h·k_w·m_h·m_w: every output value of every output "
                                             "channel needs c_i·k_h·k_w multiply-adds.",
                       hint="multiply c_i, c_o, k_h, k_w, m_h and m_w (the OUTPUT height and width).")


def q_corr2d_multi_in_out(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Feedback:
    """Check your ``fn(X, K)``: X (c_i, H, W), K (c_o, c_i, k_h, k_w) → (c_o, H', W')."""
    if not callable(fn):
        return Feedback(False, f"Pass your function itself, not {type(fn).__name__}.")
    gen = torch.Generator().manual_seed(4)
    cases = [(2, 3, 3, 3, 2, 2), (1, 1, 4, 5, 2, 3), (3, 2, 5, 4, 3, 1), (4, 3, 6, 6, 1, 1)]
    for c_i, c_o, H, W, k_h, k_w in cases:
        X = torch.randn(c_i, H, W, generator=gen)
        K = torch.randn(c_o, c_i, k_h, k_w, generator=gen)
        expected = F.conv2d(X.unsqueeze(0), K).squeeze(0)
        try:
            got = fn(X, K)
        except NotImplementedError:
            return Feedback(False, "Not answered yet: fill in the body of your function.")
        except Exception as exc:  # a student's bug is feedback, not a crash
            return Feedback(False, f"Your function raised {type(exc).__name__}: {exc} "
                                   f"(X {tuple(X.shape)}, K {tuple(K.shape)}).")
        if not isinstance(got, torch.Tensor):
            return Feedback(False, f"Return a tensor, not {type(got).__name__}.")
        if got.shape != expected.shape:
            return Feedback(False, f"For X {tuple(X.shape)} and K {tuple(K.shape)} the output must have shape "
                                   f"{tuple(expected.shape)} = (c_o, H−k_h+1, W−k_w+1); yours is "
                                   f"{tuple(got.shape)}. Hint: stack one map per K[o].")
        if not torch.allclose(got.to(expected.dtype), expected, atol=1e-5):
            return Feedback(False, f"Wrong values for X {tuple(X.shape)}, K {tuple(K.shape)}. Hint: output "
                                   "channel o is Σ_c corr2d(X[c], K[o, c]).")
    return Feedback(True, "Matches F.conv2d on several shapes, including c_i = 1, c_o = 1 and 1×1 kernels.")


def q_linear_from_1x1(linear: object, conv: nn.Conv2d | None = None) -> Feedback:
    """Check an ``nn.Linear`` that, applied to every pixel's channel vector, reproduces
    the 1×1 convolution ``conv`` (by default a seeded ``nn.Conv2d(3, 2, kernel_size=1)``)."""
    if conv is None:
        torch.manual_seed(0)
        conv = nn.Conv2d(3, 2, kernel_size=1)
    if linear is None or linear is Ellipsis:
        return Feedback(False, "Not answered yet: build your nn.Linear and pass it in.")
    if not isinstance(linear, nn.Linear):
        return Feedback(False, f"Build an nn.Linear(in_features, out_features), not {type(linear).__name__}.")
    c_o, c_i = conv.out_channels, conv.in_channels
    if (linear.in_features, linear.out_features) != (c_i, c_o):
        return Feedback(False, f"Your layer maps {linear.in_features} → {linear.out_features} features; each "
                               f"pixel has {c_i} channels in and {c_o} out.")
    X = torch.randn(c_i, 5, 4, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = conv(X.unsqueeze(0)).squeeze(0)
        got = linear(X.permute(1, 2, 0)).permute(2, 0, 1)  # (H, W, c_i) → (H, W, c_o) → (c_o, H, W)
    if torch.allclose(got, expected, atol=1e-5):
        return Feedback(True, "A 1×1 conv is a fully-connected layer over channels, shared by every pixel: "
                              "weight = conv.weight.reshape(c_o, c_i), bias = conv.bias.")
    if linear.bias is None and conv.bias is not None:
        return Feedback(False, "The conv has a bias; give the linear layer the same one.")
    return Feedback(False, "Values differ. Hint: copy conv.weight reshaped to (c_o, c_i) into "
                           "linear.weight (under torch.no_grad()), and conv.bias into linear.bias.")
