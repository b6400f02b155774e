"""Chapter 01 checkers: right answers pass, typical slips get a targeted hint."""

import pytest
from torch import nn

from utils.exercises import Feedback, ch01


def n_params(module):
    return sum(p.numel() for p in module.parameters())


def test_fc_params():
    c, h, w = ch01.FC_Q["image"]
    units = ch01.FC_Q["hidden_units"]
    right = n_params(nn.Linear(c * h * w, units, device="meta"))
    fb = ch01.q_fc_params(right)
    assert isinstance(fb, Feedback) and fb and "✅" in str(fb)
    assert not ch01.q_fc_params(right - units)  # weights only
    assert "bias" in ch01.q_fc_params(right - units).message
    assert "RGB" in ch01.q_fc_params(h * w * units + units).message
    assert not ch01.q_fc_params(right + 1)
    assert "whole number" in ch01.q_fc_params("lots").message


def test_conv_params():
    q = ch01.CONV_Q
    right = n_params(nn.Conv2d(q["in_channels"], q["out_channels"], q["kernel_size"]))
    assert ch01.q_conv_params(right)
    assert "bias" in ch01.q_conv_params(right - q["out_channels"]).message
    k, c_o = q["kernel_size"], q["out_channels"]
    assert "every* input channel" in ch01.q_conv_params(c_o * k * k + c_o).message
    assert not ch01.q_conv_params(right * 2)
    assert not ch01.q_conv_params(4864.0)  # a float is not a count


def test_reindex():
    i, j, k, m = ch01.REINDEX_Q["w_index"]
    assert ch01.q_reindex((i, j, k - i, m - j))
    assert ch01.q_reindex([i, j, k - i, m - j])
    flipped = ch01.q_reindex((i, j, i - k, j - m))
    assert not flipped and "signs are flipped" in flipped.message
    assert not ch01.q_reindex((k, m, 0, 0))
    assert "four integers" in ch01.q_reindex((1, 2)).message


def test_locality_params():
    d = ch01.LOCALITY_DELTA
    assert ch01.q_locality_params(n_params(nn.Conv2d(1, 1, 2 * d + 1, bias=False)))
    assert "Offset 0 counts too" in ch01.q_locality_params((2 * d) ** 2).message
    assert not ch01.q_locality_params(2 * d + 1)


@pytest.mark.parametrize(("choice", "ok"), [("a", True), (" A ", True), ("b", False), ("d", False)])
def test_delta_zero(choice, ok):
    assert bool(ch01.q_delta_zero(choice)) is ok


def test_delta_zero_bad_input():
    fb = ch01.q_delta_zero("z")
    assert not fb and "Answer with one of" in fb.message


def test_html_rendering_marks_right_and_wrong():
    assert "#1a7f37" in ch01.q_locality_params(25)._repr_html_()
    assert "#b00" in ch01.q_locality_params(24)._repr_html_()


@pytest.mark.parametrize("q", [ch01.q_fc_params, ch01.q_conv_params, ch01.q_reindex, ch01.q_locality_params,
                               ch01.q_delta_zero])
def test_blanks_say_not_answered_yet(q):
    fb = q(...)
    assert not fb and "Not answered yet" in fb.message


def test_reindex_blank_inside_tuple():
    assert "Not answered yet" in ch01.q_reindex((2, 3, ..., ...)).message
