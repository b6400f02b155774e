"""What every chapter's exercise tests check about the edition's language (shared, so each
chapter's test module only lists its cases)."""

from __future__ import annotations

import re

CJK = re.compile(r"[\u4e00-\u9fff]")
MARKS = {"en": ("✅ Right!", "❌ Not quite."), "zh": ("✅ 答对了！", "❌ 还不对。")}


def assert_speaks(fb, right: bool, language: str) -> None:
    """``fb`` gives the verdict ``right`` and speaks ``language`` only."""
    assert bool(fb) is right
    assert str(fb).startswith(MARKS[language][0 if right else 1]), str(fb)
    if language == "zh":
        assert CJK.search(fb.message), fb.message
    else:
        assert not CJK.search(str(fb)), str(fb)
