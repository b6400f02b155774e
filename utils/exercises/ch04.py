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
        return Feedback(False, f"Give the shape as three whole numbers (c_o, m_h, m_w), for example a tuple; "
                               f"you gave {answer!r}.")
    if shape == (1, *expected):
        return Feedback(False, "That includes the batch dimension; give (c_o, m_h, m_w) for one image.")
    if shape == expected[1:]:
        return Feedback(False, "Those are the height and width; put the number of output channels in front: "
                               "(c_o, m_h, m_w).")
    if len(shape) == 3 and shape[0] == in_channels != out_channels:
        return Feedback(False, "The first number is the channel count: an output has one channel per kernel, "
                               "c_o, not the input's c_i.")
    if len(shape) == 3 and shape[0] == c_o and shape[1:] != expected[1:]:
        return Feedback(False, "Right channel count. For the height and width use n + 2·padding − k + 1: "
                               "PyTorch adds the padding on each side.")
    return check_equal(shape, expected,
                       why=f"{c_o} kernels give {c_o} output channels, and padding {p} on each side gives "
                           f"{n} + 2·{p} − {k} + 1 = {m} rows and as many columns.",
                       hint="Y has shape c_o × m_h × m_w, with m = n + 2·padding − k + 1.")


def q_bias_shape(answer: object, *, in_channels: int, out_channels: int) -> Feedback:
    """Shape of the bias of an ``nn.Conv2d(in_channels, out_channels, ...)`` layer."""
    c_i = check_int(in_channels, "in_channels", 1)
    c_o = check_int(out_channels, "out_channels", 1)
    if (fb := _unanswered(answer)) is not None:
        return fb
    expected = tuple(nn.Conv2d(c_i, c_o, 1).bias.shape)
    shape = as_ints(answer, scalar=True)
    if shape is None:
        return Feedback(False, f"Give the shape as a tuple of whole numbers such as (5,), or one number; "
                               f"you gave {answer!r}.")
    if shape == (c_o, c_i) != expected:
        return Feedback(False, "c_o × c_i is a common slip: the c_i partial results of an output channel are "
                               "summed first, and then one number is added to that channel.")
    return check_equal(shape, expected, why=f"One bias per output channel, shared by all its positions: "
                                            f"shape ({c_o},).",
                       hint="How many numbers does nn.Conv2d(...).bias hold? One per what?")


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
        return Feedback(False, f"Answer with a whole number, not {answer!r}.")
    if got == weights != expected:
        return Feedback(False, "Those are the weights only; add the biases.")
    if got == weights + c_o * c_i != expected:
        return Feedback(False, "You counted c_o·c_i biases; there is one bias per output channel.")
    if got == c_o * k * k + c_o != expected:
        return Feedback(False, "Each kernel has one k_h × k_w slice per input channel: the weight has shape "
                               "(c_o, c_i, k_h, k_w).")
    return check_equal(got, expected,
                       why=f"c_o·c_i·k_h·k_w + c_o = {c_o}·{c_i}·{k}·{k} + {c_o} = {expected}. There is no n_h "
                           "or n_w in it: the same kernels slide over an image of any size.",
                       hint="the weight has shape (c_o, c_i, k_h, k_w) and the bias shape (c_o,).")


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
        return Feedback(False, f"Answer with a whole number, not {answer!r}.")
    if got == c_i * c_o * k * k * (n - k + 1) ** 2 != expected:
        return Feedback(False, "That output size ignores the padding, which PyTorch adds on each side "
                               "before the kernel slides.")
    if got == 2 * expected:
        return Feedback(False, "That counts multiplies and adds separately (FLOPs); here one multiply-add "
                               "counts as one.")
    if got == expected + c_o * m * m:
        return Feedback(False, "That includes the bias additions, which the question leaves out.")
    return check_equal(got, expected,
                       why=f"c_i·c_o·k_h·k_w·m_h·m_w = {c_i}·{c_o}·{k}·{k}·{m}·{m} = {expected:,}: every value "
                           "of every output channel needs c_i·k_h·k_w multiply-adds.",
                       hint="multiply c_i, c_o, k_h, k_w, m_h and m_w (the OUTPUT height and width).")


def q_corr2d_multi_in_out(answer: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Feedback:
    """Check your ``answer(X, K)``: X (c_i, H, W), K (c_o, c_i, k_h, k_w) → (c_o, H', W')."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    if not callable(answer):
        return Feedback(False, f"Pass your function itself, not {type(answer).__name__}.")
    gen = torch.Generator().manual_seed(4)
    cases = [(2, 3, 3, 3, 2, 2), (1, 1, 4, 5, 2, 3), (3, 2, 5, 4, 3, 1), (4, 3, 6, 6, 1, 1)]
    for c_i, c_o, H, W, k_h, k_w in cases:
        X = torch.randn(c_i, H, W, generator=gen)
        K = torch.randn(c_o, c_i, k_h, k_w, generator=gen)
        expected = F.conv2d(X.unsqueeze(0), K).squeeze(0)
        try:
            got = answer(X, K)
        except NotImplementedError:
            return Feedback(False, "Not answered yet: fill in the body of your function.")
        except Exception as exc:  # a student's bug is feedback, not a crash
            return Feedback(False, f"Your function raised {type(exc).__name__}: {exc} "
                                   f"(X {tuple(X.shape)}, K {tuple(K.shape)}).")
        if not isinstance(got, torch.Tensor):
            return Feedback(False, f"Return a tensor, not {type(got).__name__}.")
        if got.shape != expected.shape:
            return Feedback(False, f"For X {tuple(X.shape)} and K {tuple(K.shape)} the output must have shape "
                                   f"{tuple(expected.shape)} = (c_o, H − k_h + 1, W − k_w + 1), but yours has "
                                   f"shape {tuple(got.shape)}. Hint: stack one map per K[o].")
        if not torch.allclose(got.to(expected.dtype), expected, atol=1e-5):
            return Feedback(False, f"Wrong values for X {tuple(X.shape)} and K {tuple(K.shape)}. Hint: output "
                                   "channel o is Σ_c corr2d(X[c], K[o, c]).")
    return Feedback(True, "Matches F.conv2d on several shapes, including c_i = 1, c_o = 1 and 1×1 kernels.")


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
        return Feedback(False, f"Build an nn.Linear(in_features, out_features), not {type(answer).__name__}.")
    c_o, c_i = conv.out_channels, conv.in_channels
    if (answer.in_features, answer.out_features) != (c_i, c_o):
        return Feedback(False, f"Your layer maps {answer.in_features} → {answer.out_features} features, but "
                               f"each pixel has {c_i} channels in and {c_o} out.")
    X = torch.randn(c_i, 5, 4, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = conv(X.unsqueeze(0)).squeeze(0)
        got = answer(X.permute(1, 2, 0)).permute(2, 0, 1)  # (H, W, c_i) → (H, W, c_o) → (c_o, H, W)
    if torch.allclose(got, expected, atol=1e-5):
        return Feedback(True, "A 1×1 convolution is a fully-connected layer over the channels, shared by every "
                              "pixel: weight = conv.weight.reshape(c_o, c_i), bias = conv.bias.")
    if answer.bias is None and conv.bias is not None:
        return Feedback(False, "The convolution has a bias; give the linear layer the same one.")
    if answer.bias is not None and conv.bias is None:
        return Feedback(False, "The convolution has no bias; build the linear layer with bias=False.")
    return Feedback(False, "The values differ. Hint: copy conv.weight, reshaped to (c_o, c_i), into "
                           "linear.weight (under torch.no_grad()), and conv.bias into linear.bias.")
