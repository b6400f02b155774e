"""Chapter 01 exercises (from fully-connected layers to convolution), each with an instant check.

    from utils.exercises import ch01
    ch01.q_fc_params(...)        # weights + biases of an FC layer on a 256×256 RGB image
    ch01.q_conv_params(...)      # parameters of nn.Conv2d(3, 64, kernel_size=5)
    ch01.q_reindex((i, j, a, b)) # where [W]_{2,3,4,1} lives in V
    ch01.q_locality_params(...)  # entries of a shared, local V with Δ = 2
    ch01.q_delta_zero("a")       # what the layer becomes when Δ = 0

Every expected answer is computed here, from the library, when the checker
runs; nothing is stored as a literal for a student to read off.
"""

from __future__ import annotations

import numbers

import torch

from ..conv import corr2d
from ..fc import conv_param_count, fc_param_count, v_from_w
from ._core import Feedback, check_equal
from ._core import unanswered as _unanswered

__all__ = [
    "CONV_Q",
    "DELTA_ZERO_CHOICES",
    "FC_Q",
    "LOCALITY_DELTA",
    "REINDEX_Q",
    "q_conv_params",
    "q_delta_zero",
    "q_fc_params",
    "q_locality_params",
    "q_reindex",
]

FC_Q = {"image": (3, 256, 256), "hidden_units": 1000}
CONV_Q = {"in_channels": 3, "out_channels": 64, "kernel_size": 5}
REINDEX_Q = {"image": (6, 6), "w_index": (2, 3, 4, 1)}
LOCALITY_DELTA = 2
DELTA_ZERO_CHOICES = {
    "a": "each hidden value depends on its own pixel only: a 1×1 convolution, the same weight everywhere",
    "b": "the layer becomes a fully-connected layer again",
    "c": "the output is all zeros",
    "d": "each hidden value averages the whole image",
}



def _is_int(x: object) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _wrong_type(answer: object, hint: str) -> Feedback:
    return Feedback(False, f"Expected a whole number, got {answer!r}. Hint: {hint}")


def q_fc_params(answer: int) -> Feedback:
    """A 256×256 RGB image (flattened) into a hidden layer of 1000 units: how many parameters, biases included?"""
    if (fb := _unanswered(answer)) is not None:
        return fb
    c, h, w = FC_Q["image"]
    units = FC_Q["hidden_units"]
    expected = fc_param_count(FC_Q["image"], units)
    hint = "every one of the c·h·w inputs connects to every hidden unit, and each unit has one bias."
    if not _is_int(answer):
        return _wrong_type(answer, hint)
    if answer == fc_param_count(FC_Q["image"], units, bias=False):
        return Feedback(False, "That is the weights only. Hint: each hidden unit also has a bias.")
    if answer == fc_param_count((h, w), units):
        return Feedback(False, f"That counts a grey image. Hint: an RGB image has {c} numbers per pixel.")
    return check_equal(answer, expected, hint=hint,
                       why=f"{c}·{h}·{w} = {c * h * w:,} inputs × {units} units + {units} biases = {expected:,} "
                           f"— about {expected * 4 / 1e6:,.0f} MB of float32 for one layer.")


def q_conv_params(answer: int) -> Feedback:
    """How many parameters does ``nn.Conv2d(3, 64, kernel_size=5)`` have (biases included)?"""
    if (fb := _unanswered(answer)) is not None:
        return fb
    c_i, c_o, k = CONV_Q["in_channels"], CONV_Q["out_channels"], CONV_Q["kernel_size"]
    expected = conv_param_count(c_i, c_o, k)
    hint = "the kernel tensor has shape (c_o, c_i, k_h, k_w), plus one bias per output channel."
    if not _is_int(answer):
        return _wrong_type(answer, hint)
    if answer == conv_param_count(c_i, c_o, k, bias=False):
        return Feedback(False, "That is the kernel only. Hint: add one bias per output channel.")
    if answer == c_o * k * k + c_o:
        return Feedback(False, "Hint: each output channel has a k×k kernel for *every* input channel.")
    return check_equal(answer, expected, hint=hint,
                       why=f"{c_o}·{c_i}·{k}·{k} + {c_o} = {expected:,}, whatever the size of the image.")


def q_reindex(answer: tuple[int, int, int, int]) -> Feedback:
    """On a 6×6 image, the weight [W]_{2,3,4,1} appears in V as [V]_{i,j,a,b}: give (i, j, a, b).

    Recall ``[V]_{i,j,a,b} = [W]_{i,j,i+a,j+b}``.
    """
    if (fb := _unanswered(answer)) is not None:
        return fb
    h, w = REINDEX_Q["image"]
    i, j, k, m = REINDEX_Q["w_index"]
    hint = "(i, j) stay the same; the offset is how far the input pixel (k, l) is from (i, j): a = k − i."
    if not (isinstance(answer, (tuple, list)) and len(answer) == 4 and all(_is_int(x) for x in answer)):
        return Feedback(False, f"Expected four integers (i, j, a, b), got {answer!r}. Hint: {hint}")
    # compute the answer by actually re-indexing a W that has a single marked entry
    W = torch.zeros(h, w, h, w)
    W[i, j, k, m] = 1.0
    hit = torch.nonzero(v_from_w(W))[0].tolist()
    expected = (hit[0], hit[1], hit[2] - (h - 1), hit[3] - (w - 1))
    if tuple(answer) == (i, j, i - k, j - m):
        return Feedback(False, f"The signs are flipped. Hint: {hint}")
    return check_equal(tuple(answer), expected, hint=hint,
                       why=f"a = {k} − {i} = {expected[2]}, b = {m} − {j} = {expected[3]}: "
                           "the input pixel sits two rows below and two columns left of (2, 3).")


def q_locality_params(answer: int) -> Feedback:
    """With translation invariance and locality Δ = 2, how many numbers does V (i.e. the kernel) hold?"""
    if (fb := _unanswered(answer)) is not None:
        return fb
    delta = LOCALITY_DELTA
    k = 2 * delta + 1
    expected = conv_param_count(1, 1, k, bias=False)
    hint = "a and b each run from −Δ to Δ, both ends included."
    if not _is_int(answer):
        return _wrong_type(answer, hint)
    if answer == (2 * delta) ** 2:
        return Feedback(False, f"Close. Hint: {hint} Offset 0 counts too.")
    return check_equal(answer, expected, hint=hint,
                       why=f"(2Δ + 1)² = {k}² = {expected}: a {k}×{k} kernel, for any image size.")


def q_delta_zero(choice: str) -> Feedback:
    """d2l's exercise: what does the layer compute when Δ = 0? Pick a letter from DELTA_ZERO_CHOICES."""
    if (fb := _unanswered(choice)) is not None:
        return fb
    hint = "with Δ = 0 the only offset left is (a, b) = (0, 0); V has one number."
    if not isinstance(choice, str) or choice.strip().lower() not in DELTA_ZERO_CHOICES:
        return Feedback(False, f"Answer with one of {sorted(DELTA_ZERO_CHOICES)}. Hint: {hint}")
    # compute: a 1×1 kernel relates each output pixel to its own input pixel only
    X = torch.zeros(5, 5)
    X[2, 2] = 1.0
    support = (corr2d(X, torch.ones(1, 1)) != 0).sum().item()
    expected = "a" if support == 1 else "d"
    return check_equal(choice.strip().lower(), expected, hint=hint,
                       why="[H]_{i,j} = v·[X]_{i,j} (+ u): a 1×1 convolution. With several channels it is an "
                           "FC layer applied to each pixel's channel vector separately — chapter 04's 1×1 layer.")
