"""utils.i18n: the edition's language comes from CONVLAB_LANGUAGE, set by each chapter's setup cell."""

import pytest

from utils.i18n import ENV, language, tr


def test_english_unless_the_edition_says_otherwise(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert language() == "en" and tr("Right!", "正确！") == "Right!"
    monkeypatch.setenv(ENV, "zh")
    assert language() == "zh" and tr("Right!", "正确！") == "正确！"


def test_an_unknown_language_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(ENV, "fr")
    with pytest.raises(ValueError, match="CONVLAB_LANGUAGE must be one of"):
        tr("Right!", "正确！")
