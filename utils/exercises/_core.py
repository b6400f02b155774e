"""The feedback object every exercise checker returns."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import torch

NOT_ANSWERED_TEXT = "Not answered yet: replace ... with your answer and run the cell again."


@dataclass(frozen=True)
class Feedback:
    """Right or wrong, and why. Truthy when correct, so tests can ``assert fb``."""

    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        mark = "✅ Right!" if self.correct else "❌ Not quite."
        return f"{mark} {self.message}".strip()

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
    return Feedback(False, f"You answered {answer!r}. Hint: {hint}")


def check_close(answer: Any, expected: torch.Tensor, *, why: str, hint: str,
                atol: float = 1e-4) -> Feedback:
    """Tensor comparison with a tolerance (floats are never compared with ``==``)."""
    try:
        got = torch.as_tensor(answer, dtype=expected.dtype)
    except (TypeError, ValueError, RuntimeError):
        return Feedback(False, f"Expected something tensor-like, got {type(answer).__name__}. Hint: {hint}")
    if got.shape != expected.shape:
        return Feedback(False, f"Your answer has shape {tuple(got.shape)}, expected "
                               f"{tuple(expected.shape)}. Hint: {hint}")
    if torch.allclose(got, expected, atol=atol):
        return Feedback(True, why)
    return Feedback(False, f"The shape is right but the values are not. Hint: {hint}")


def unanswered(answer: Any) -> Feedback | None:
    """The "not answered yet" Feedback for a notebook blank, else None.

    A blank is ``...`` or ``None``, or a tuple/list still holding a ``...``
    (e.g. ``(..., ..., ...)`` for a shape). Checkers start with
    ``if (fb := unanswered(answer)) is not None: return fb``.
    """
    if answer is None or answer is Ellipsis:
        return Feedback(False, NOT_ANSWERED_TEXT)
    if isinstance(answer, (tuple, list)) and any(x is Ellipsis for x in answer):
        return Feedback(False, NOT_ANSWERED_TEXT)
    return None
