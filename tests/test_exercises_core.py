"""utils/exercises/_core.py: what every chapter's checkers share."""

import numpy as np
import pytest
import torch
from torch import nn

from utils.exercises._core import (
    as_choice,
    as_int,
    as_ints,
    check_close,
    check_equal,
    q_receptive_field,
    unanswered,
)

CHOICES = {"a": "first", "b": "second"}


@pytest.mark.parametrize("answer", ["b", "B", " b ", "(b)", "b)", "b."])
def test_a_letter_in_any_usual_form_is_a_choice(answer):
    assert as_choice(answer, CHOICES) == "b"


@pytest.mark.parametrize("answer", ["because", "bb", "", "c", None, 2, ["b"]])
def test_words_that_start_with_a_letter_are_not_choices(answer):
    assert as_choice(answer, CHOICES) is None


@pytest.mark.parametrize("blank", [..., None, (..., 3), [1, ...]])
def test_blanks_are_not_answered_yet(blank):
    fb = unanswered(blank)
    assert fb is not None and not fb and "Not answered yet" in fb.message


def test_check_equal_and_close():
    assert check_equal([1, 2], (1, 2), why="w", hint="h")
    assert not check_equal(3, 4, why="w", hint="h")
    assert check_close([[1.0, 2.0]], torch.tensor([[1.0, 2.00001]]), why="w", hint="h")
    assert "shape" in check_close([1.0], torch.tensor([[1.0]]), why="w", hint="h").message


FOUR_5x5 = [nn.Conv2d(1, 1, 5) for _ in range(4)]


@pytest.mark.parametrize("answer", [17, (17, 17), [17, 17]])
def test_receptive_field_accepts_an_int_or_a_pair(answer):
    assert q_receptive_field(answer, layers=FOUR_5x5)


def test_receptive_field_rejects_wrong_answers_with_a_reason():
    added = q_receptive_field(20, layers=FOUR_5x5)
    assert not added and "overlap" in added.message
    assert not q_receptive_field(16, layers=FOUR_5x5)
    assert not q_receptive_field("17", layers=FOUR_5x5)
    assert not q_receptive_field(True, layers=FOUR_5x5)


def test_receptive_field_of_a_strided_stack_and_a_non_square_one():
    net = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5))
    assert q_receptive_field(14, layers=net)          # 1 → 5 → 6 → 14
    assert not q_receptive_field(10, layers=net)
    wide = [nn.Conv2d(1, 1, (1, 3)), nn.Conv2d(1, 1, (1, 3))]
    fb = q_receptive_field(5, layers=wide)
    assert not fb and "not square" in fb.message
    assert q_receptive_field((1, 5), layers=wide)


def test_feedback_speaks_the_editions_language(monkeypatch):
    monkeypatch.setenv("CONVLAB_LANGUAGE", "zh")
    blank = unanswered(...)
    assert str(blank).startswith("❌ 还不对。") and "还没有作答" in str(blank)
    assert str(q_receptive_field(17, layers=FOUR_5x5)).startswith("✅ 答对了！")
    assert "提示" in q_receptive_field(20, layers=FOUR_5x5).message
    monkeypatch.setenv("CONVLAB_LANGUAGE", "en")
    assert str(unanswered(...)).startswith("❌ Not quite. Not answered yet")


@pytest.mark.parametrize("answer", [14, 14.0, torch.tensor(14), torch.tensor([14.0]), np.int64(14), np.array(14.0)])
def test_a_whole_number_in_any_form(answer):
    assert as_int(answer) == 14


@pytest.mark.parametrize("answer", [14.5, True, torch.tensor([1, 2]), torch.tensor(True), "14", None, np.array([1, 2])])
def test_not_a_whole_number(answer):
    assert as_int(answer) is None


def test_whole_numbers_from_any_sequence():
    for answer in [(1, 2), [1.0, 2], torch.Size([1, 2]), torch.tensor([1, 2]), np.array([1, 2]), range(1, 3)]:
        assert as_ints(answer) == (1, 2)
    assert as_ints({2}) == (2,) and as_ints(16) is None and as_ints(16, scalar=True) == (16,)
    assert as_ints((1, 2.5)) is None and as_ints("12") is None


@pytest.mark.parametrize("answer", [17.0, torch.tensor(17), np.int64(17), torch.tensor([17, 17])])
def test_receptive_field_accepts_whole_numbers_in_any_form(answer):
    assert q_receptive_field(answer, layers=FOUR_5x5)
