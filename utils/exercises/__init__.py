"""Self-checking exercises: each chapter's checkers live in their own module.

    from utils.exercises import ch03
    ch03.output_shape_q1((4, 4))      # ✅ / ❌ with a hint

Answers are computed by the library (never written out in the notebook), so a
student cannot read them off the page.
"""

from ._core import Feedback, check_close, check_equal

__all__ = ["Feedback", "check_close", "check_equal"]
