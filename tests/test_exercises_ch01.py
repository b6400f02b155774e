"""Chapter 01 checkers: every right answer in every invited form passes, typical slips get a targeted hint,
and bad question parameters raise."""


import numpy as np
import pytest
import torch
from feedback_language import CJK
from torch import nn

from utils.exercises import Feedback, ch01

FC = {"image": (3, 256, 256), "hidden_units": 1000}
CONV = {"in_channels": 3, "out_channels": 64, "kernel_size": 5}
REINDEX = {"image_size": (6, 6), "w_index": (2, 3, 4, 1)}


def n_params(module):
    return sum(p.numel() for p in module.parameters())


FC_RIGHT = n_params(nn.Linear(3 * 256 * 256, 1000, device="meta"))
CONV_RIGHT = n_params(nn.Conv2d(3, 64, 5))


@pytest.mark.parametrize("answer", [FC_RIGHT, float(FC_RIGHT), np.int64(FC_RIGHT), torch.tensor(FC_RIGHT)])
def test_fc_params_accepts_the_count_in_any_numeric_form(answer):
    fb = ch01.q_fc_params(answer, **FC)
    assert isinstance(fb, Feedback) and fb and "✅" in str(fb)
    assert "196,609,000" in fb.message


def test_fc_params_wrong_answers():
    weights_only = ch01.q_fc_params(FC_RIGHT - 1000, **FC)
    assert not weights_only and "weights only" in weights_only.message
    grey = ch01.q_fc_params(256 * 256 * 1000 + 1000, **FC)
    assert not grey and "one channel only" in grey.message and "3 numbers per pixel" in grey.message
    assert not ch01.q_fc_params(FC_RIGHT + 1, **FC)
    assert not ch01.q_fc_params(FC_RIGHT + 0.5, **FC)
    assert "whole number" in ch01.q_fc_params("lots", **FC).message
    assert "whole number" in ch01.q_fc_params(True, **FC).message


def test_fc_params_follows_the_question():
    assert ch01.q_fc_params(n_params(nn.Linear(28 * 28, 10)), image=(1, 28, 28), hidden_units=10)
    assert not ch01.q_fc_params(FC_RIGHT, image=(1, 28, 28), hidden_units=10)


def test_fc_params_rejects_bad_question_parameters():
    with pytest.raises(ValueError, match=r"image must be a \(c, h, w\) triple"):
        ch01.q_fc_params(1, image=(256, 256), hidden_units=10)
    with pytest.raises(TypeError, match="image must be an int"):
        ch01.q_fc_params(1, image=(3, 256.0, 256), hidden_units=10)
    with pytest.raises(ValueError, match="hidden_units must be positive"):
        ch01.q_fc_params(1, image=(3, 4, 4), hidden_units=0)


@pytest.mark.parametrize("answer", [CONV_RIGHT, float(CONV_RIGHT), torch.tensor(CONV_RIGHT), np.int32(CONV_RIGHT)])
def test_conv_params_accepts_the_count_in_any_numeric_form(answer):
    fb = ch01.q_conv_params(answer, **CONV)
    assert fb and "64·3·5·5 + 64 = 4,864" in fb.message


def test_conv_params_wrong_answers():
    kernel_only = ch01.q_conv_params(CONV_RIGHT - 64, **CONV)
    assert not kernel_only and "kernel only" in kernel_only.message
    one_kernel = ch01.q_conv_params(64 * 5 * 5 + 64, **CONV)
    assert not one_kernel and "for every input channel" in one_kernel.message
    assert not ch01.q_conv_params(CONV_RIGHT * 2, **CONV)
    assert "whole number" in ch01.q_conv_params([4864], **CONV).message


def test_conv_params_follows_the_question():
    assert ch01.q_conv_params(n_params(nn.Conv2d(1, 6, (3, 5))), in_channels=1, out_channels=6, kernel_size=(3, 5))
    with pytest.raises(ValueError, match="out_channels must be positive"):
        ch01.q_conv_params(1, in_channels=1, out_channels=0, kernel_size=3)
    with pytest.raises(TypeError, match="kernel_size must be an int or an"):
        ch01.q_conv_params(1, in_channels=1, out_channels=1, kernel_size=2.5)


@pytest.mark.parametrize("answer", [(2, 3, 2, -2), [2, 3, 2, -2], torch.tensor([2, 3, 2, -2]),
                                    (2.0, 3.0, 2.0, -2.0), np.array([2, 3, 2, -2])])
def test_reindex_accepts_the_offsets_in_any_sequence(answer):
    fb = ch01.q_reindex(answer, **REINDEX)
    assert fb and "offset (2, -2)" in fb.message


def test_reindex_wrong_answers():
    flipped = ch01.q_reindex((2, 3, -2, 2), **REINDEX)
    assert not flipped and "signs are flipped" in flipped.message
    w_itself = ch01.q_reindex((2, 3, 4, 1), **REINDEX)
    assert not w_itself and "index into W" in w_itself.message
    stored = ch01.q_reindex((2, 3, 7, 3), **REINDEX)   # a + h − 1, b + w − 1
    assert not stored and "offsets a and b themselves" in stored.message
    assert not ch01.q_reindex((4, 1, 0, 0), **REINDEX)
    assert "four whole numbers" in ch01.q_reindex((1, 2), **REINDEX).message
    assert "four whole numbers" in ch01.q_reindex("2, 3, 2, -2", **REINDEX).message


def test_reindex_follows_the_question():
    assert ch01.q_reindex((0, 4, 3, -4), image_size=(4, 5), w_index=(0, 4, 3, 0))
    with pytest.raises(ValueError, match="does not fit an image"):
        ch01.q_reindex((0, 0, 0, 0), image_size=(4, 4), w_index=(0, 0, 4, 0))
    with pytest.raises(ValueError, match="w_index must be four indices"):
        ch01.q_reindex((0, 0, 0, 0), image_size=(4, 4), w_index=(0, 0))
    with pytest.raises(ValueError, match="w_index must be non-negative"):
        ch01.q_reindex((0, 0, 0, 0), image_size=(4, 4), w_index=(0, 0, -1, 0))


@pytest.mark.parametrize("answer", [25, 25.0, torch.tensor(25), n_params(nn.Conv2d(1, 1, 5, bias=False))])
def test_locality_params_right(answer):
    fb = ch01.q_locality_params(answer, delta=2)
    assert fb and "5×5 kernel" in fb.message


def test_locality_params_wrong_answers():
    assert "Offset 0 counts too" in ch01.q_locality_params(16, delta=2).message
    one_axis = ch01.q_locality_params(5, delta=2)
    assert not one_axis and "along one axis" in one_axis.message
    assert not ch01.q_locality_params(24, delta=2)
    assert ch01.q_locality_params(1, delta=0) and ch01.q_locality_params(49, delta=3)
    with pytest.raises(ValueError, match="delta must be non-negative"):
        ch01.q_locality_params(1, delta=-1)


@pytest.mark.parametrize("answer", ["a", " A ", "(a)", "a)"])
def test_delta_zero_right(answer):
    assert ch01.q_delta_zero(answer)


@pytest.mark.parametrize("answer", ["b", "d", "c"])
def test_delta_zero_wrong_letters(answer):
    fb = ch01.q_delta_zero(answer)
    assert not fb and "Hint" in fb.message


@pytest.mark.parametrize("answer", ["z", "all of them", 1])
def test_delta_zero_not_a_letter(answer):
    fb = ch01.q_delta_zero(answer)
    assert not fb and "Answer with one letter" in fb.message


def test_html_rendering_marks_right_and_wrong():
    assert "#1a7f37" in ch01.q_locality_params(25, delta=2)._repr_html_()
    assert "#b00" in ch01.q_locality_params(24, delta=2)._repr_html_()


@pytest.mark.parametrize("call", [
    lambda a: ch01.q_fc_params(a, **FC),
    lambda a: ch01.q_conv_params(a, **CONV),
    lambda a: ch01.q_reindex(a, **REINDEX),
    lambda a: ch01.q_locality_params(a, delta=2),
    ch01.q_delta_zero,
])
@pytest.mark.parametrize("blank", [..., None])
def test_blanks_say_not_answered_yet(call, blank):
    fb = call(blank)
    assert not fb and "Not answered yet" in fb.message


def test_reindex_blank_inside_tuple():
    assert "Not answered yet" in ch01.q_reindex((2, 3, ..., ...), **REINDEX).message


# ---------------------------------------------------------------- the Chinese edition

# every path of every checker: (checker call, answer, right?)
EVERY_PATH = [
    (lambda a: ch01.q_fc_params(a, **FC), FC_RIGHT, True),
    (lambda a: ch01.q_fc_params(a, **FC), FC_RIGHT - 1000, False),                 # weights only
    (lambda a: ch01.q_fc_params(a, **FC), 256 * 256 * 1000 + 1000, False),        # one channel
    (lambda a: ch01.q_fc_params(a, **FC), FC_RIGHT + 1, False),                    # plain wrong
    (lambda a: ch01.q_fc_params(a, **FC), "lots", False),                          # not a number
    (lambda a: ch01.q_conv_params(a, **CONV), CONV_RIGHT, True),
    (lambda a: ch01.q_conv_params(a, **CONV), CONV_RIGHT - 64, False),             # kernel only
    (lambda a: ch01.q_conv_params(a, **CONV), 64 * 5 * 5 + 64, False),             # one kernel per output
    (lambda a: ch01.q_conv_params(a, **CONV), CONV_RIGHT * 2, False),
    (lambda a: ch01.q_conv_params(a, **CONV), [4864], False),
    (lambda a: ch01.q_reindex(a, **REINDEX), (2, 3, 2, -2), True),
    (lambda a: ch01.q_reindex(a, **REINDEX), (2, 3, -2, 2), False),                # signs flipped
    (lambda a: ch01.q_reindex(a, **REINDEX), (2, 3, 4, 1), False),                 # the index into W
    (lambda a: ch01.q_reindex(a, **REINDEX), (2, 3, 7, 3), False),                 # the stored index
    (lambda a: ch01.q_reindex(a, **REINDEX), (4, 1, 0, 0), False),
    (lambda a: ch01.q_reindex(a, **REINDEX), (1, 2), False),
    (lambda a: ch01.q_locality_params(a, delta=2), 25, True),
    (lambda a: ch01.q_locality_params(a, delta=2), 16, False),                     # offset 0 forgotten
    (lambda a: ch01.q_locality_params(a, delta=2), 5, False),                      # one axis
    (lambda a: ch01.q_locality_params(a, delta=2), 24, False),
    (lambda a: ch01.q_locality_params(a, delta=2), "x", False),
    (ch01.q_delta_zero, "a", True),
    (ch01.q_delta_zero, "b", False),
    (ch01.q_delta_zero, "z", False),                                               # not a letter
    (ch01.q_delta_zero, ..., False),                                               # blank
]


@pytest.mark.parametrize("call, answer, right", EVERY_PATH)
def test_feedback_speaks_chinese_in_the_chinese_edition(monkeypatch, call, answer, right):
    english = call(answer)
    monkeypatch.setenv("CONVLAB_LANGUAGE", "zh")
    fb = call(answer)
    assert bool(fb) is right is bool(english)
    assert CJK.search(fb.message), fb.message
    assert str(fb).startswith("✅ 答对了！" if right else "❌ 还不对。")
    assert "Hint" not in fb.message and "Expected" not in fb.message
    if not right and "提示：" not in fb.message:       # only the "stored index" slip and a blank give no hint
        assert "偏移量 a 和 b 本身" in fb.message or fb.message.startswith("还没有作答")


def test_chinese_feedback_keeps_the_numbers(monkeypatch):
    monkeypatch.setenv("CONVLAB_LANGUAGE", "zh")
    assert "196,609,000 个参数" in ch01.q_fc_params(FC_RIGHT, **FC).message
    assert "每个像素有 3 个数" in ch01.q_fc_params(256 * 256 * 1000 + 1000, **FC).message
    assert "64·3·5·5 + 64 = 4,864" in ch01.q_conv_params(CONV_RIGHT, **CONV).message
    assert "偏移量是 (2, -2)" in ch01.q_reindex((2, 3, 2, -2), **REINDEX).message
    assert "5×5 的卷积核" in ch01.q_locality_params(25, delta=2).message
    assert "a、b、c、d" in ch01.q_delta_zero("z").message


def test_english_feedback_is_unchanged_outside_the_chinese_edition(monkeypatch):
    monkeypatch.setenv("CONVLAB_LANGUAGE", "en")
    for call, answer, _ in EVERY_PATH:
        assert not CJK.search(str(call(answer)))
