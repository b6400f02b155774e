"""Chapter 03 exercises (padding 填充 and stride 步幅), each with an instant check.

    from utils.exercises import ch03
    ch03.q_output_shape((h, w))      # 32×28 input, k=5, padding=2, stride=3
    ch03.q_same_padding(p)           # nn.Conv2d padding that keeps 28×28 with a 7×7 kernel
    ch03.q_dilated_shape((h, w))     # 10×10 input, 3×3 kernel, dilation 2, no padding
    ch03.q_resnet_stem((h, w))       # 224×224 input, k=7, padding=3, stride=2
    ch03.q_receptive_field(n)        # four stacked 5×5 layers (stride 1): how wide does one output see?
    ch03.q_mirror_padding(my_pad)    # d2l's exercise: write mirror (reflection) padding

Every expected answer is computed here, from the library (or by PyTorch),
when the checker runs; nothing is stored as a literal for a student to read off.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import torch
import torch.nn.functional as F

from ..shapes import conv_output_shape
from ._core import Feedback, check_equal
from ._core import unanswered as _unanswered

__all__ = [
    "DILATED_Q",
    "OUTPUT_SHAPE_Q",
    "RECEPTIVE_Q",
    "RESNET_STEM_Q",
    "SAME_PADDING_Q",
    "q_dilated_shape",
    "q_mirror_padding",
    "q_output_shape",
    "q_receptive_field",
    "q_resnet_stem",
    "q_same_padding",
    "receptive_field_by_autograd",
]

OUTPUT_SHAPE_Q = {"input_size": (32, 28), "kernel_size": 5, "padding": 2, "stride": 3}
SAME_PADDING_Q = {"input_size": 28, "kernel_size": 7}
DILATED_Q = {"input_size": 10, "kernel_size": 3, "dilation": 2}
RESNET_STEM_Q = {"input_size": 224, "kernel_size": 7, "padding": 3, "stride": 2}
RECEPTIVE_Q = {"layers": 4, "kernel_size": 5}



def _as_shape(answer: object) -> tuple[int, int] | None:
    if isinstance(answer, torch.Size):
        answer = tuple(answer)
    if isinstance(answer, (tuple, list)) and len(answer) == 2 and all(
        isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in answer
    ):
        return (int(answer[0]), int(answer[1]))
    return None


def _shape_feedback(answer: object, q: dict, hint: str, why: str) -> Feedback:
    """Compare a predicted (h, w) with conv_output_shape and spot the usual slips."""
    got = _as_shape(answer)
    if got is None:
        return Feedback(False, f"Expected an (h, w) pair of ints, got {answer!r}. Hint: {hint}")
    kw = {k: q[k] for k in ("padding", "stride", "dilation") if k in q}
    expected = conv_output_shape(q["input_size"], q["kernel_size"], **kw)
    p = kw.get("padding", 0)
    if p and got == conv_output_shape(q["input_size"], q["kernel_size"], **{**kw, "padding": 0}):
        return Feedback(False, "That ignores the padding. Hint: padding adds rows on top AND bottom.")
    n = q["input_size"] if isinstance(q["input_size"], tuple) else (q["input_size"],) * 2
    k, s, d = q["kernel_size"], kw.get("stride", 1), kw.get("dilation", 1)
    half_pad = tuple((ni + p - d * (k - 1) - 1) // s + 1 for ni in n)
    if p and got == half_pad and got != expected:
        return Feedback(False, "You added the padding once. Hint: nn.Conv2d's padding=p is per side, "
                               "so the padded size is n + 2p.")
    no_plus_one = tuple((ni + 2 * p - d * (k - 1) - 1) // s for ni in n)
    if got == no_plus_one and got != expected:
        return Feedback(False, "Off by one. Hint: count the first window too — the formula ends in + 1.")
    if s > 1:
        rounded_up = tuple(-(-(ni + 2 * p - d * (k - 1) - 1) // s) + 1 for ni in n)
        if got == rounded_up and got != expected:
            return Feedback(False, "You rounded up. Hint: a window that does not fit is not computed: floor.")
    return check_equal(got, expected, hint=hint, why=why.format(h=expected[0], w=expected[1]))


def q_output_shape(answer: tuple[int, int]) -> Feedback:
    """Output (h, w) of ``nn.Conv2d(1, 1, kernel_size=5, padding=2, stride=3)`` on a 32×28 input."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    return _shape_feedback(
        answer, OUTPUT_SHAPE_Q,
        hint="⌊(n + 2p − k) / s⌋ + 1 on each axis.",
        why="⌊(32 + 4 − 5)/3⌋ + 1 = {h} and ⌊(28 + 4 − 5)/3⌋ + 1 = {w}.",
    )


def q_dilated_shape(answer: tuple[int, int]) -> Feedback:
    """Output (h, w) of a 3×3 kernel with dilation 2 (空洞卷积), no padding, on a 10×10 input."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    return _shape_feedback(
        answer, DILATED_Q,
        hint="a dilated kernel spans d·(k − 1) + 1 cells; use that in place of k.",
        why="the kernel spans 2·(3 − 1) + 1 = 5 cells, so 10 − 5 + 1 = {h} (and {w}).",
    )


def q_resnet_stem(answer: tuple[int, int]) -> Feedback:
    """ResNet's first layer: ``nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3)`` on 224×224 — output (h, w)?"""
    if (fb := _unanswered(answer)) is not None:
        return fb
    return _shape_feedback(
        answer, RESNET_STEM_Q,
        hint="padding k//2 keeps the size at stride 1; stride 2 then halves it (rounding up odd sizes).",
        why="⌊(224 + 6 − 7)/2⌋ + 1 = {h}: 'same' padding plus stride 2 gives n/s when s divides n.",
    )


def q_same_padding(answer: int) -> Feedback:
    """Which ``padding=`` makes ``nn.Conv2d(1, 1, kernel_size=7, padding=?)`` keep a 28×28 input 28×28?"""
    if (fb := _unanswered(answer)) is not None:
        return fb
    n, k = SAME_PADDING_Q["input_size"], SAME_PADDING_Q["kernel_size"]
    hint = "d2l's total padding is p_h = k_h − 1; nn.Conv2d wants the padding of ONE side."
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral) or answer < 0:
        return Feedback(False, f"Expected a non-negative int, got {answer!r}. Hint: {hint}")
    try:
        keeps = conv_output_shape(n, k, padding=int(answer)) == (n, n)
    except ValueError:
        keeps = False
    if keeps:
        return Feedback(True, f"padding={answer} adds {answer} rows top and bottom: the total "
                              f"{2 * answer} = k − 1 keeps {n}×{n}.")
    if conv_output_shape(n, k, padding=int(answer) // 2) == (n, n) and answer % 2 == 0:
        return Feedback(False, f"{answer} is d2l's TOTAL padding p_h. Hint: nn.Conv2d's padding is per side.")
    got = conv_output_shape(n, k, padding=int(answer)) if 2 * answer + n >= k else None
    return Feedback(False, f"With padding={answer} the output is {got}. Hint: {hint}")


def receptive_field_by_autograd(layers: int, kernel_size: int) -> int:
    """Width of the input region one output of ``layers`` stacked k×k convs (stride 1) depends on.

    Measured, not derived: backpropagate from one central output through
    ``layers`` all-ones kernels and count the input pixels with a non-zero gradient.
    """
    if isinstance(layers, bool) or not isinstance(layers, numbers.Integral) or layers < 1:
        raise ValueError(f"layers must be a positive int, got {layers!r}")
    if isinstance(kernel_size, bool) or not isinstance(kernel_size, numbers.Integral) or kernel_size < 1:
        raise ValueError(f"kernel_size must be a positive int, got {kernel_size!r}")
    n = 2 * layers * kernel_size + 1
    X = torch.zeros(1, 1, n, n, requires_grad=True)
    K = torch.ones(1, 1, kernel_size, kernel_size)
    Y = X
    for _ in range(layers):
        Y = F.conv2d(Y, K)
    c = Y.shape[-1] // 2
    Y[0, 0, c, c].backward()
    rows = torch.nonzero(X.grad[0, 0].abs().sum(dim=1)).flatten()
    return int(rows.max() - rows.min() + 1)


def q_receptive_field(answer: int) -> Feedback:
    """Four 5×5 conv layers stacked (stride 1): one output of the last layer sees an n×n input region. n = ?"""
    if (fb := _unanswered(answer)) is not None:
        return fb
    L, k = RECEPTIVE_Q["layers"], RECEPTIVE_Q["kernel_size"]
    hint = f"each extra {k}×{k} layer adds {k // 2} pixel(s) on every side of the region the previous layer saw."
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        return Feedback(False, f"Expected an int, got {answer!r}. Hint: {hint}")
    expected = receptive_field_by_autograd(L, k)
    if answer == L * k:
        return Feedback(False, f"The windows overlap, so the widths do not simply add up. Hint: {hint}")
    return check_equal(int(answer), expected, hint=hint,
                       why=f"1 + {L}·({k} − 1) = {expected}: {L} stacked {k}×{k} layers see as far as one "
                           f"{expected}×{expected} kernel, with {L * k * k} instead of {expected * expected} weights "
                           "per channel pair.")


def q_mirror_padding(pad_fn: Callable[[torch.Tensor, int], torch.Tensor]) -> Feedback:
    """d2l's exercise: write ``mirror_pad(X, p)`` for X: (H, W) that reflects the border (no edge repeat).

    Mirror padding of ``[1, 2, 3]`` by 1 is ``[2, 1, 2, 3, 2]``. Checked against
    ``F.pad(..., mode="reflect")`` on a few random inputs.
    """
    if (fb := _unanswered(pad_fn)) is not None:
        return fb
    hint = "row −r of the padded image is row r of X (r = 1…p); then do the same for columns."
    if not callable(pad_fn):
        return Feedback(False, f"Pass your function itself, e.g. q_mirror_padding(mirror_pad). Hint: {hint}")
    gen = torch.Generator().manual_seed(3)
    for shape, p in (((3, 3), 1), ((4, 6), 2), ((5, 4), 3)):
        X = torch.randn(*shape, generator=gen)
        expected = F.pad(X[None, None], (p, p, p, p), mode="reflect")[0, 0]
        try:
            got = pad_fn(X.clone(), p)
        except NotImplementedError:
            return Feedback(False, "Not answered yet: fill in the body of your function.")
        except Exception as exc:  # the student's code: report, never crash the notebook
            return Feedback(False, f"Your function raised {type(exc).__name__}: {exc}. Hint: {hint}")
        if not isinstance(got, torch.Tensor) or tuple(got.shape) != tuple(expected.shape):
            shape_got = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
            return Feedback(False, f"For X of shape {shape} and p={p} expected shape {tuple(expected.shape)}, "
                                   f"got {shape_got}. Hint: {hint}")
        if not torch.allclose(got, expected):
            edge = F.pad(X[None, None], (p, p, p, p), mode="replicate")[0, 0]
            if torch.allclose(got, edge):
                return Feedback(False, "That repeats the edge value (replicate padding). Hint: mirror skips "
                                       "the edge itself: [1, 2, 3] → [2, 1, 2, 3, 2].")
            return Feedback(False, f"Wrong values for X of shape {shape}, p={p}. Hint: {hint}")
    return Feedback(True, "Matches F.pad(mode='reflect'). nn.Conv2d(..., padding_mode='reflect') does the same.")
