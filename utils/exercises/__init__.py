"""Self-checking exercises: each chapter's checkers live in their own module.

    from utils.exercises import ch03
    ch03.q_output_shape((4, 4), input_size=8, kernel_size=3, padding=1, stride=2)   # ✅ / ❌ with a hint

Answers are computed by the library (never written out in the notebook), so a
student cannot read them off the page.
"""

from ._core import Feedback, check_close, check_equal

__all__ = ["Feedback", "check_close", "check_equal"]
