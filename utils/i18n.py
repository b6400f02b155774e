"""The language of the sentences the course's code shows a student (exercise feedback, widget messages).

The setup cell of each chapter sets ``CONVLAB_LANGUAGE`` ("en" or "zh") for its edition, so the code
cells of both editions stay identical. Identifiers, printed labels and figures stay in English.
"""

from __future__ import annotations

import os

LANGUAGES = ("en", "zh")
ENV = "CONVLAB_LANGUAGE"


def language() -> str:
    """The current edition's language: ``CONVLAB_LANGUAGE``, "en" when it is not set."""
    value = os.environ.get(ENV, "en")
    if value not in LANGUAGES:
        raise ValueError(f"{ENV} must be one of {LANGUAGES}, got {value!r}")
    return value


def tr(en: str, zh: str) -> str:
    """The sentence in the edition's language: ``en`` or its Chinese twin ``zh``."""
    return zh if language() == "zh" else en
