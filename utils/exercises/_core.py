"""What every exercise checker shares: the Feedback it returns, the comparisons, the blank check,
and the one receptive-field question several chapters ask."""

from __future__ import annotations

import html
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from ..i18n import tr


def not_answered_text() -> str:
    return tr("Not answered yet: replace ... with your answer and run the cell again.",
              "还没有作答：把 ... 换成你的答案，再运行这个单元格。")


@dataclass(frozen=True)
class Feedback:
    """Right or wrong, and why. Truthy when correct, so tests can ``assert fb``."""

    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        mark = tr("✅ Right!", "✅ 答对了！") if self.correct else tr("❌ Not quite.", "❌ 还不对。")
        return (mark + tr(" ", "") + self.message).strip()  # Chinese needs no space after 。

    __repr__ = __str__

    def _repr_html_(self) -> str:
        color = "#1a7f37" if self.correct else "#b00"
        return f"<span style='color:{color}'>{html.escape(str(self))}</span>"


def check_equal(answer: Any, expected: Any, *, why: str, hint: str) -> Feedback:
    """Exact comparison (ints, shapes, strings). ``why`` explains a right answer;
    ``hint`` nudges after a wrong one without giving the answer away."""
    if isinstance(answer, list):
        answer = tuple(answer)
    if isinstance(expected, list):
        expected = tuple(expected)
    if answer == expected:
        return Feedback(True, why)
    return Feedback(False, tr(f"You answered {answer!r}. Hint: {hint}", f"你的答案是 {answer!r}。提示：{hint}"))


def check_close(answer: Any, expected: torch.Tensor, *, why: str, hint: str,
                atol: float = 1e-4) -> Feedback:
    """Tensor comparison with a tolerance (floats are never compared with ``==``)."""
    try:
        got = torch.as_tensor(answer, dtype=expected.dtype)
    except (TypeError, ValueError, RuntimeError):
        return Feedback(False, tr(f"Expected something tensor-like, got {type(answer).__name__}. Hint: {hint}",
                                  f"这里需要一个张量（或嵌套列表），你给的是 {type(answer).__name__}。提示：{hint}"))
    if got.shape != expected.shape:
        return Feedback(False, tr(f"Your answer has shape {tuple(got.shape)}, expected {tuple(expected.shape)}. "
                                  f"Hint: {hint}",
                                  f"你的答案形状是 {tuple(got.shape)}，应为 {tuple(expected.shape)}。提示：{hint}"))
    if torch.allclose(got, expected, atol=atol):
        return Feedback(True, why)
    return Feedback(False, tr(f"The shape is right but the values are not. Hint: {hint}",
                              f"形状对了，但数值不对。提示：{hint}"))


def unanswered(answer: Any) -> Feedback | None:
    """The "not answered yet" Feedback for a notebook blank, else None.

    A blank is ``...`` or ``None``, or a tuple/list still holding a ``...``
    (e.g. ``(..., ..., ...)`` for a shape). Checkers start with
    ``if (fb := unanswered(answer)) is not None: return fb``.
    """
    if answer is None or answer is Ellipsis:
        return Feedback(False, not_answered_text())
    if isinstance(answer, (tuple, list)) and any(x is Ellipsis for x in answer):
        return Feedback(False, not_answered_text())
    return None


def q_receptive_field(answer: object, *, layers: object) -> Feedback:
    """Receptive-field size of one unit of the last of ``layers``: an int (square) or an (h, w) pair.

    ``layers`` is whatever ``utils.receptive_field`` accepts: an ``nn.Sequential`` (or a slice of
    one, e.g. ``lenet()[:4]``), a list of modules, or a list of ``conv_layer``/``pool_layer`` specs.
    The one checker every chapter's receptive-field question calls.
    """
    from ..receptive import receptive_field, to_layers

    if (fb := unanswered(answer)) is not None:
        return fb
    expected = receptive_field(layers).size
    hint = tr("go layer by layer from r = 1, j = 1: a layer with kernel k and dilation d adds (k − 1)·d·j to r, "
              "and its stride s multiplies j by s (pooling is a layer with its own k and s).",
              "从 r = 1、j = 1 开始逐层计算：卷积核大小为 k、膨胀为 d 的层让 r 增加 (k − 1)·d·j，"
              "步幅 s 让 j 乘以 s（汇聚层也算一层，有自己的 k 和 s）。")
    if (side := as_int(answer)) is not None:
        if expected[0] != expected[1]:
            return Feedback(False, tr(f"This receptive field is not square: give an (h, w) pair. Hint: {hint}",
                                      f"这个感受野不是正方形：请给出 (h, w) 两个数。提示：{hint}"))
        answer = (side, side)
    elif (pair := as_ints(answer)) is not None:
        answer = pair
    spans = to_layers(layers)
    if answer == tuple(sum(s.kernel_size[a] for s in spans) for a in (0, 1)) and answer != expected:
        return Feedback(False, tr(f"You added up the kernel sizes, but neighbouring windows overlap. Hint: {hint}",
                                  f"你把各层的卷积核大小直接相加了，但相邻窗口是重叠的。提示：{hint}"))
    return check_equal(answer, expected, hint=hint,
                       why=tr(f"{expected[0]}×{expected[1]}: each layer adds (k − 1)·d·j input pixels, where j is "
                              "the product of the strides before it.",
                              f"{expected[0]}×{expected[1]}：每一层增加 (k − 1)·d·j 个输入像素，"
                              "其中 j 是它之前各层步幅的乘积。"))


def as_choice(answer: object, choices: Mapping[str, object]) -> str | None:
    """The letter a student picked from ``choices``, or None if the answer is not one of them.

    A choice is the letter alone, in either case, optionally wrapped as "(b)" or "b)"; a word that
    merely starts with a valid letter ("because …") is not a choice.
    """
    if not isinstance(answer, str):
        return None
    letter = answer.strip().lower().removeprefix("(").removesuffix(")").removesuffix(".").strip()
    return letter if letter in choices else None


def as_int(answer: object) -> int | None:
    """A whole number in any form a student may type it (14, 14.0, torch.tensor(14), a NumPy scalar),
    else None. Booleans are not numbers here."""
    if isinstance(answer, torch.Tensor):
        if answer.numel() != 1 or answer.dtype == torch.bool:
            return None
        answer = answer.item()
    elif type(answer).__module__ == "numpy":  # a NumPy scalar or array
        if answer.size != 1 or answer.dtype.kind == "b":
            return None
        answer = answer.item()
    if isinstance(answer, bool):
        return None
    if isinstance(answer, numbers.Integral):
        return int(answer)
    if isinstance(answer, numbers.Real) and float(answer).is_integer():
        return int(answer)
    return None


def as_ints(answer: object, *, scalar: bool = False) -> tuple[int, ...] | None:
    """Whole numbers from a tuple, list, set, range, torch.Size, tensor or NumPy array, as a tuple of
    ints, else None. With ``scalar=True`` a single whole number counts as a 1-tuple (a shape like (16,))."""
    if isinstance(answer, torch.Tensor) or type(answer).__name__ == "ndarray":
        answer = answer.reshape(-1).tolist()
    if isinstance(answer, (tuple, list, set, frozenset, range)):
        items = [as_int(a) for a in answer]
        return None if any(n is None for n in items) else tuple(items)
    n = as_int(answer) if scalar else None
    return None if n is None else (n,)
