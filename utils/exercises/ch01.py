"""Chapter 01 exercises (from fully-connected layers to convolution), each with an instant check.

Every checker takes the student's answer first and the question's numbers as keyword arguments,
so the notebook cell shows them next to the prompt:

    from utils.exercises import ch01
    ch01.q_fc_params(..., image=(3, 256, 256), hidden_units=1000)
    ch01.q_conv_params(..., in_channels=3, out_channels=64, kernel_size=5)
    ch01.q_reindex((..., ..., ..., ...), image_size=(6, 6), w_index=(2, 3, 4, 1))
    ch01.q_locality_params(..., delta=2)
    ch01.q_delta_zero(...)                 # a letter from DELTA_ZERO_CHOICES

Every expected answer is computed here, from the library, when the checker runs.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from .. import conv2d_params, corr2d, fc_param_count, v_from_w
from .._checks import as_pair, check_int
from ._core import Feedback, as_choice, as_int, check_equal, unanswered

__all__ = [
    "DELTA_ZERO_CHOICES",
    "q_conv_params",
    "q_delta_zero",
    "q_fc_params",
    "q_locality_params",
    "q_reindex",
]

DELTA_ZERO_CHOICES = {
    "a": "each hidden value depends on its own pixel only: a 1×1 convolution, the same weight everywhere",
    "b": "the layer becomes a fully-connected layer again",
    "c": "the output is all zeros",
    "d": "each hidden value averages the whole image",
}




def _not_a_count(answer: object, hint: str) -> Feedback:
    return Feedback(False, f"Expected a whole number, got {answer!r}. Hint: {hint}")


def _image_shape(image: object) -> tuple[int, int, int]:
    if not (isinstance(image, Sequence) and len(image) == 3):
        raise ValueError(f"image must be a (c, h, w) triple, got {image!r}")
    return tuple(check_int(size, "image", 1) for size in image)  # type: ignore[return-value]


def q_fc_params(answer: object, *, image: tuple[int, int, int], hidden_units: int) -> Feedback:
    """An image of shape ``image`` = (c, h, w), flattened, goes into a fully-connected layer of
    ``hidden_units`` units: how many parameters, biases included?"""
    c, h, w = _image_shape(image)
    units = check_int(hidden_units, "hidden_units", 1)
    if (fb := unanswered(answer)) is not None:
        return fb
    expected = fc_param_count((c, h, w), units)
    hint = "every one of the c·h·w inputs connects to every hidden unit, and each unit has one bias."
    got = as_int(answer)
    if got is None:
        return _not_a_count(answer, hint)
    if got == fc_param_count((c, h, w), units, bias=False):
        return Feedback(False, "That is the weights only. Hint: each hidden unit also has a bias.")
    if c > 1 and got == fc_param_count((h, w), units):
        return Feedback(False, f"That counts one channel only. Hint: the image has {c} numbers per pixel.")
    return check_equal(got, expected, hint=hint,
                       why=f"{c}·{h}·{w} = {c * h * w:,} inputs × {units:,} units + {units:,} biases = "
                           f"{expected:,} parameters, about {expected * 4 / 1e6:,.0f} MB of float32 for one layer.")


def q_conv_params(answer: object, *, in_channels: int, out_channels: int,
                  kernel_size: int | tuple[int, int]) -> Feedback:
    """How many parameters does ``nn.Conv2d(in_channels, out_channels, kernel_size)`` have, biases included?"""
    c_i = check_int(in_channels, "in_channels", 1)
    c_o = check_int(out_channels, "out_channels", 1)
    k_h, k_w = as_pair(kernel_size, "kernel_size", minimum=1)
    if (fb := unanswered(answer)) is not None:
        return fb
    expected = conv2d_params(c_i, c_o, (k_h, k_w))
    hint = "the kernel tensor has shape (c_o, c_i, k_h, k_w), plus one bias per output channel."
    got = as_int(answer)
    if got is None:
        return _not_a_count(answer, hint)
    if got == conv2d_params(c_i, c_o, (k_h, k_w), bias=False):
        return Feedback(False, "That is the kernel only. Hint: add one bias per output channel.")
    if c_i > 1 and got == conv2d_params(1, c_o, (k_h, k_w)):
        return Feedback(False, "That gives each output channel a single kernel. Hint: each output channel has "
                               "a k_h×k_w kernel for every input channel.")
    return check_equal(got, expected, hint=hint,
                       why=f"{c_o}·{c_i}·{k_h}·{k_w} + {c_o} = {expected:,}, whatever the size of the image.")


def q_reindex(answer: object, *, image_size: int | tuple[int, int],
              w_index: tuple[int, int, int, int]) -> Feedback:
    """On an image of ``image_size``, the weight [W]_{w_index} appears in V as [V]_{i,j,a,b}: give (i, j, a, b).

    Recall ``[V]_{i,j,a,b} = [W]_{i,j,i+a,j+b}``.
    """
    h, w = as_pair(image_size, "image_size", minimum=1)
    if not (isinstance(w_index, Sequence) and len(w_index) == 4):
        raise ValueError(f"w_index must be four indices (i, j, k, l), got {w_index!r}")
    i, j, k, m = (check_int(x, "w_index", 0) for x in w_index)
    if max(i, k) >= h or max(j, m) >= w:
        raise ValueError(f"w_index {tuple(w_index)} does not fit an image of size {(h, w)}")
    if (fb := unanswered(answer)) is not None:
        return fb
    hint = "(i, j) stay the same; the offset is how far the input pixel (k, l) is from (i, j): a = k − i, b = l − j."
    items = answer.tolist() if hasattr(answer, "tolist") else answer  # a tensor or a NumPy array
    got = tuple(as_int(x) for x in items) if isinstance(items, Sequence) and not isinstance(items, str) else ()
    if len(got) != 4 or None in got:
        return Feedback(False, f"Expected four whole numbers (i, j, a, b), got {answer!r}. Hint: {hint}")
    # re-index a W that has a single marked entry, and read off where the mark lands in V
    W = torch.zeros(h, w, h, w)
    W[i, j, k, m] = 1.0
    hit = torch.nonzero(v_from_w(W))[0].tolist()
    expected = (hit[0], hit[1], hit[2] - (h - 1), hit[3] - (w - 1))
    a, b = expected[2], expected[3]
    if got == (i, j, -a, -b) and (a, b) != (0, 0):
        return Feedback(False, f"The signs are flipped. Hint: {hint}")
    if got == (i, j, k, m) and (k, m) != (a, b):
        return Feedback(False, f"That is the index into W, where (k, l) is the input pixel itself. Hint: {hint}")
    if got == tuple(hit) and tuple(hit) != expected:
        return Feedback(False, "That is where the notebook's tensor stores the entry (offset a at index a + h − 1). "
                               "The question asks for the offsets a and b themselves.")
    return check_equal(got, expected, hint=hint,
                       why=f"a = {k} − {i} = {a} and b = {m} − {j} = {b}: the input pixel ({k}, {m}) sits at "
                           f"offset ({a}, {b}) from the hidden unit ({i}, {j}).")


def q_locality_params(answer: object, *, delta: int) -> Feedback:
    """With translation invariance and locality ``delta`` (Δ), how many numbers does V (the kernel) hold?"""
    delta = check_int(delta, "delta", 0)
    if (fb := unanswered(answer)) is not None:
        return fb
    k = 2 * delta + 1
    expected = conv2d_params(1, 1, k, bias=False)
    hint = "a and b each run from −Δ to Δ, both ends included."
    got = as_int(answer)
    if got is None:
        return _not_a_count(answer, hint)
    if delta > 0 and got == (2 * delta) ** 2:
        return Feedback(False, f"Close. Hint: {hint} Offset 0 counts too.")
    if delta > 0 and got == k:
        return Feedback(False, "That is the number of offsets along one axis. Hint: a and b vary independently, "
                               "so count the pairs (a, b).")
    return check_equal(got, expected, hint=hint,
                       why=f"(2Δ + 1)² = {k}² = {expected}: a {k}×{k} kernel, for any image size.")


def q_delta_zero(answer: object) -> Feedback:
    """d2l's exercise: what does the layer compute when Δ = 0? A letter from DELTA_ZERO_CHOICES."""
    if (fb := unanswered(answer)) is not None:
        return fb
    hint = "with Δ = 0 the only offset left is (a, b) = (0, 0), so V holds one number."
    choice = as_choice(answer, DELTA_ZERO_CHOICES)
    if choice is None:
        return Feedback(False, f"Answer with one letter from DELTA_ZERO_CHOICES: {', '.join(DELTA_ZERO_CHOICES)}. "
                               f"Hint: {hint}")
    # a 1×1 kernel relates each output pixel to its own input pixel only
    X = torch.zeros(5, 5)
    X[2, 2] = 1.0
    support = int((corr2d(X, torch.ones(1, 1)) != 0).sum())
    expected = "a" if support == 1 else "d"
    return check_equal(choice, expected, hint=hint,
                       why="[H]_{i,j} = v·[X]_{i,j} + u: a 1×1 convolution. With several channels it is a "
                           "fully-connected layer applied to each pixel's channel vector separately, the 1×1 "
                           "convolutional layer of chapter 04.")
