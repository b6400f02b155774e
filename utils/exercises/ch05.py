"""Chapter 05 exercises (pooling), each with an instant check.

    from utils.exercises import ch05
    ch05.q_default_stride(answer)     # nn.MaxPool2d(2) on arange(16) as 4×4, by hand
    ch05.q_pool_shape((..., ..., ...))
    ch05.q_pool2d(my_pool2d)          # your own pool2d(X, pool_size, mode)
    ch05.q_tolerated_shifts({...})    # which shifts survive 2×2, stride-2 max pooling

Every expected answer is computed here, from PyTorch or the library, when the
checker runs; nothing is stored as a literal for a student to read off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import nn

from ..conv import corr2d
from ..pool import pool2d
from ._core import Feedback, check_close, check_equal
from ._core import unanswered as _unanswered

__all__ = [
    "SHIFT_CHOICES",
    "edge_image",
    "q_default_stride",
    "q_pool2d",
    "q_pool_shape",
    "q_tolerated_shifts",
]

#: The shifts asked about in q_tolerated_shifts.
SHIFT_CHOICES = (-2, -1, 0, 1, 2)


def q_default_stride(answer: object) -> Feedback:
    """``nn.MaxPool2d(2)`` applied to ``arange(16)`` as a 4×4 image, computed by hand."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    X = torch.arange(16.0).reshape(1, 1, 4, 4)
    expected = nn.MaxPool2d(2)(X)[0, 0]
    stride1 = pool2d(X[0, 0], 2, "max", stride=1)
    try:
        got = torch.as_tensor(answer, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError):
        got = None
    if got is not None and got.shape == stride1.shape and torch.allclose(got, stride1):
        return Feedback(False, "That is stride 1. nn.MaxPool2d's stride defaults to the window size, "
                               "so the 2×2 windows do not overlap.")
    return check_close(answer, expected, why="stride = kernel_size by default: four disjoint 2×2 blocks, "
                                             "the max of each is its bottom-right element.",
                       hint="What is nn.MaxPool2d(2).stride? Cut the 4×4 into blocks of that step.")


def q_pool_shape(answer: object) -> Feedback:
    """Output shape of ``nn.MaxPool2d(3, stride=2, padding=1)`` on a (3, 28, 28) input."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    with torch.no_grad():
        expected = tuple(nn.MaxPool2d(3, stride=2, padding=1)(torch.zeros(3, 28, 28)).shape)
    if isinstance(answer, (list, torch.Size)):
        answer = tuple(answer)
    if isinstance(answer, tuple) and len(answer) == 3 and answer[1:] == expected[1:] and answer[0] != expected[0]:
        return Feedback(False, "Height and width are right; but pooling acts on each channel separately, "
                               "so how many channels come out?")
    return check_equal(answer, expected, why="Channels unchanged (pooling is per channel); "
                                             "⌊(28 + 2·1 − 3)/2⌋ + 1 = 14.",
                       hint="the conv shape formula holds for pooling: ⌊(n + 2p − k)/s⌋ + 1.")


def q_pool2d(fn: Callable[..., torch.Tensor]) -> Feedback:
    """Check your ``fn(X, pool_size, mode)``: X (H, W), pool_size (p_h, p_w), mode 'max'/'avg', stride 1."""
    if not callable(fn):
        return Feedback(False, f"Pass your function itself, not {type(fn).__name__}.")
    gen = torch.Generator().manual_seed(5)
    for H, W, p_h, p_w in [(3, 3, 2, 2), (4, 5, 2, 3), (5, 4, 3, 1), (3, 4, 1, 1)]:
        X = torch.randn(H, W, generator=gen)
        for mode in ("max", "avg"):
            expected = pool2d(X, (p_h, p_w), mode)
            try:
                got = fn(X, (p_h, p_w), mode)
            except NotImplementedError:
                return Feedback(False, "Not answered yet: fill in the body of your function.")
            except Exception as exc:  # a student's bug is feedback, not a crash
                return Feedback(False, f"Your function raised {type(exc).__name__}: {exc} "
                                       f"(X {tuple(X.shape)}, pool_size {(p_h, p_w)}, mode {mode!r}).")
            if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
                shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
                return Feedback(False, f"For X {tuple(X.shape)} and pool_size {(p_h, p_w)} the output must "
                                       f"have shape {tuple(expected.shape)}; got {shape}.")
            if not torch.allclose(got.to(expected.dtype), expected, atol=1e-5):
                return Feedback(False, f"Wrong values in mode {mode!r} (pool_size {(p_h, p_w)}). Hint: "
                                       "Y[i, j] is the max / mean of X[i:i+p_h, j:j+p_w].")
    return Feedback(True, "Both modes match utils.pool2d on square and rectangular windows.")


def edge_image(shift: int = 0, width: int = 12) -> torch.Tensor:
    """A (6, width) image of ones with a dark band 4 pixels wide starting at
    column ``4 + shift`` — chapter 02's vertical-edge picture, moved sideways."""
    X = torch.ones(6, width)
    X[:, max(0, 4 + shift):max(0, 8 + shift)] = 0
    return X


def _pooled_edges(shift: int) -> torch.Tensor:
    Y = corr2d(edge_image(shift), torch.tensor([[1.0, -1.0]]))
    return pool2d(Y, 2, "max", stride=2)


def q_tolerated_shifts(answer: Iterable[int]) -> Feedback:
    """Which shifts in SHIFT_CHOICES leave ``maxpool_2x2_stride2(corr2d(edge_image(shift), [[1, -1]]))``
    equal to the unshifted result? Answer a set, e.g. {0, 1}."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    try:
        got = {int(a) for a in answer}
    except (TypeError, ValueError):
        return Feedback(False, "Answer with a set of shifts, e.g. {0, 1}.")
    base = _pooled_edges(0)
    expected = {s for s in SHIFT_CHOICES if torch.equal(_pooled_edges(s), base)}
    if got == expected:
        return Feedback(True, "The +1 response sits in column 3 and may move only to column 2: both lie in "
                              "the stride-2 window {2, 3}. (The −1 response never shows up in a max, since "
                              "0 > −1.) Tolerance ends as soon as a response crosses a window border.")
    return Feedback(False, "Hint: the +1 response sits in column 3 + shift; stride-2 windows cover columns "
                           "{0,1}, {2,3}, {4,5}, ... . A shift is tolerated only if that response stays "
                           "in its window. And what does max(0, −1) give for the −1 response?")
