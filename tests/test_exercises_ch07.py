"""Chapter 07 exercise checkers: right answers pass in every form the prompt invites, wrong ones fail
with a hint, and bad question parameters raise."""

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
import torch
from feedback_language import assert_speaks
from torch import nn

from utils.exercises import _core, ch07
from utils.receptive import conv_layer, pool_layer, receptive_field

# ------------------------------------------------------------------ q_conv1d_length

CONV1D = {"length": 1047, "kernel_size": 5, "padding": 2, "stride": 2}


@pytest.mark.parametrize("answer", [524, 524.0, np.int64(524)])
def test_conv1d_length_right(answer):
    assert nn.Conv1d(1, 1, 5, padding=2, stride=2)(torch.zeros(1, 1, 1047)).shape[-1] == 524
    assert ch07.q_conv1d_length(answer, **CONV1D)


@pytest.mark.parametrize("answer", [523, 525, 1047, 524.5])  # padding once / no floor / no stride
def test_conv1d_length_wrong(answer):
    fb = ch07.q_conv1d_length(answer, **CONV1D)
    assert not fb and "Hint" in fb.message


def test_conv1d_length_defaults_follow_nn_conv1d():
    assert ch07.q_conv1d_length(1043, length=1047, kernel_size=5)
    assert ch07.q_conv1d_length(1039, length=1047, kernel_size=5, dilation=2)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"length": 10, "kernel_size": 0}, ValueError, "kernel_size must be positive"),
    ({"length": 10, "kernel_size": 3, "padding": -1}, ValueError, "padding must be non-negative"),
    ({"length": 10, "kernel_size": 3, "stride": 1.5}, TypeError, "stride must be an int"),
    ({"length": True, "kernel_size": 3}, TypeError, "length must be an int"),
    ({"length": 3, "kernel_size": 5}, ValueError, "does not fit"),
])
def test_conv1d_length_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        ch07.q_conv1d_length(3, **kwargs)


# ------------------------------------------------------------------ q_conv3d_shape

CONV3D = {"input_shape": (2, 3, 8, 64, 64), "out_channels": 4, "kernel_size": 3, "padding": 1, "stride": 2}


@pytest.mark.parametrize("answer", [(2, 4, 4, 32, 32), [2, 4, 4, 32, 32], torch.Size([2, 4, 4, 32, 32])])
def test_conv3d_shape_right(answer):
    assert tuple(nn.Conv3d(3, 4, 3, padding=1, stride=2)(torch.zeros(2, 3, 8, 64, 64)).shape) == (2, 4, 4, 32, 32)
    assert ch07.q_conv3d_shape(answer, **CONV3D)


@pytest.mark.parametrize("answer", [(2, 4, 8, 64, 64), (2, 4, 3, 31, 31), (2, 3, 4, 32, 32)])
def test_conv3d_shape_wrong(answer):
    fb = ch07.q_conv3d_shape(answer, **CONV3D)
    assert not fb and "Hint" in fb.message


def test_conv3d_shape_asks_for_all_five_numbers():
    fb = ch07.q_conv3d_shape((4, 4, 32, 32), **CONV3D)
    assert not fb and "all five" in fb.message


def test_conv3d_shape_defaults_follow_nn_conv3d():
    assert ch07.q_conv3d_shape((1, 4, 6, 62, 62), input_shape=(1, 1, 8, 64, 64), out_channels=4, kernel_size=3)


@pytest.mark.parametrize(("shape", "error", "match"), [
    ((1, 8, 64, 64), ValueError, r"input_shape must be \(N, C, D, H, W\)"),
    ("12345", ValueError, r"input_shape must be \(N, C, D, H, W\)"),
    ((1, 1, 8, 64, 0), ValueError, "input_shape entry must be positive"),
    ((1, 1, 8, 64, 6.5), TypeError, "input_shape entry must be an int"),
])
def test_conv3d_shape_bad_input_shape(shape, error, match):
    with pytest.raises(error, match=match):
        ch07.q_conv3d_shape((1, 4, 6, 62, 62), input_shape=shape, out_channels=4, kernel_size=3)


def test_conv3d_shape_bad_out_channels():
    with pytest.raises(ValueError, match="out_channels must be positive"):
        ch07.q_conv3d_shape((1, 4, 6, 62, 62), input_shape=(1, 1, 8, 64, 64), out_channels=0, kernel_size=3)


# ------------------------------------------------------------------ q_receptive_field (shared)

EXERCISE_NET = [conv_layer(3), conv_layer(3, stride=2), pool_layer(2), conv_layer(3, dilation=2)]


def test_receptive_field_is_the_shared_checker():
    assert ch07.q_receptive_field is _core.q_receptive_field


@pytest.mark.parametrize("answer", [23, (23, 23), [23, 23]])
def test_receptive_field_right(answer):
    assert receptive_field(EXERCISE_NET).size == (23, 23)    # 1 → 3 → 5 → 7 → 7 + 2·2·4
    assert ch07.q_receptive_field(answer, layers=EXERCISE_NET)


def test_receptive_field_wrong():
    added = ch07.q_receptive_field(3 + 3 + 2 + 3, layers=EXERCISE_NET)
    assert not added and "overlap" in added.message
    for answer in (15, 14, 10):   # dilation ignored; the conv's stride ignored; every stride ignored
        assert not ch07.q_receptive_field(answer, layers=EXERCISE_NET)


# ------------------------------------------------------------------ q_dilated_stack

@pytest.mark.parametrize("answer", [31, (31, 31), [31, 31], np.int64(31)])
def test_dilated_stack_right(answer):
    assert ch07.q_dilated_stack(answer, dilations=(1, 2, 4, 8), k=3)


def test_dilated_stack_other_questions():
    assert ch07.q_dilated_stack(7, dilations=(1, 1, 1), k=3)
    assert ch07.q_dilated_stack(15, dilations=[1, 2, 4], k=3)
    assert ch07.q_dilated_stack(1 + 4 * (1 + 2), dilations=(1, 2), k=5)


def test_dilated_stack_wrong():
    spans = ch07.q_dilated_stack(3 + 5 + 9 + 17, dilations=(1, 2, 4, 8), k=3)
    assert not spans and "overlap" in spans.message
    for answer in (15, 16, 1 + 1 + 2 + 4 + 8):  # one layer short; counting d instead of (k − 1)·d
        fb = ch07.q_dilated_stack(answer, dilations=(1, 2, 4, 8), k=3)
        assert not fb and "Hint" in fb.message


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"dilations": (), "k": 3}, ValueError, "dilations must list at least one"),
    ({"dilations": 2, "k": 3}, ValueError, "dilations must list at least one"),
    ({"dilations": (1, 0), "k": 3}, ValueError, "dilation must be positive"),
    ({"dilations": (1, 2), "k": 0}, ValueError, "k must be positive"),
    ({"dilations": (1, 2), "k": 3.0}, TypeError, "k must be an int"),
])
def test_dilated_stack_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        ch07.q_dilated_stack(7, **kwargs)


def test_dilated_stack_needs_its_question_parameters():
    with pytest.raises(TypeError, match="dilations"):
        ch07.q_dilated_stack(15)  # type: ignore[call-arg]


# ------------------------------------------------------------------ q_separable_params

def _separable_count(c_i, c_o, k, bias):
    block = nn.Sequential(nn.Conv2d(c_i, c_i, k, groups=c_i, bias=bias), nn.Conv2d(c_i, c_o, 1, bias=bias))
    return sum(p.numel() for p in block.parameters())


@pytest.mark.parametrize("answer", [8768, 8768.0, np.int64(8768)])
def test_separable_params_right(answer):
    assert _separable_count(64, 128, 3, bias=False) == 64 * 9 + 64 * 128 == 8768
    assert ch07.q_separable_params(answer, c_i=64, c_o=128, k=3, bias=False)


def test_separable_params_with_bias():
    n = _separable_count(32, 64, 3, bias=True)
    assert ch07.q_separable_params(n, c_i=32, c_o=64, k=3, bias=True)
    fb = ch07.q_separable_params(n - 32 - 64, c_i=32, c_o=64, k=3, bias=True)
    assert not fb and "Hint" in fb.message


def test_separable_params_wrong():
    standard = ch07.q_separable_params(128 * 64 * 9, c_i=64, c_o=128, k=3, bias=False)
    assert not standard and "standard convolution" in standard.message
    for part in (64 * 9, 64 * 128):
        fb = ch07.q_separable_params(part, c_i=64, c_o=128, k=3, bias=False)
        assert not fb and "one of the two layers" in fb.message
    fb = ch07.q_separable_params(128 * 9 + 64 * 128, c_i=64, c_o=128, k=3, bias=False)
    assert not fb and "Hint" in fb.message


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"c_i": 0, "c_o": 8, "k": 3, "bias": False}, ValueError, "c_i must be positive"),
    ({"c_i": 4, "c_o": 8.0, "k": 3, "bias": False}, TypeError, "c_o must be an int"),
    ({"c_i": 4, "c_o": 8, "k": 3, "bias": 0}, TypeError, "bias must be True or False"),
])
def test_separable_params_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        ch07.q_separable_params(1, **kwargs)


# ------------------------------------------------------------------ q_separable_ratio

RATIO = {"c_o": 128, "k": 3, "decimals": 2}


@pytest.mark.parametrize("answer", [0.12, "0.12", 0.119, 0.1189, 1 / 128 + 1 / 9, Fraction(1, 128) + Fraction(1, 9),
                                    Decimal("0.12"), torch.tensor(0.12), np.float32(0.12), " 0.12 "])
def test_separable_ratio_right(answer):
    assert ch07.q_separable_ratio(answer, **RATIO)


def test_separable_ratio_is_the_measured_ratio():
    from torch.utils.flop_counter import FlopCounterMode

    c_i, c_o, k = 16, 128, 3
    std = nn.Conv2d(c_i, c_o, k, bias=False)
    sep = nn.Sequential(nn.Conv2d(c_i, c_i, k, groups=c_i, bias=False), nn.Conv2d(c_i, c_o, 1, bias=False))
    flops = []
    for module in (sep, std):
        with FlopCounterMode(display=False) as counter:
            module(torch.zeros(1, c_i, 10, 10))
        flops.append(counter.get_total_flops())
    ratio = flops[0] / flops[1]
    assert round(ratio, 2) == 0.12
    assert ch07.q_separable_ratio(ratio, **RATIO)
    assert ch07.q_separable_ratio(round(ratio, 3), c_o=128, k=3, decimals=3)


def test_separable_ratio_more_decimals_asked():
    assert not ch07.q_separable_ratio(0.12, c_o=128, k=3, decimals=4)
    assert ch07.q_separable_ratio(0.1189, c_o=128, k=3, decimals=4)


def test_separable_ratio_too_few_decimals_is_not_a_reasoning_error():
    fb = ch07.q_separable_ratio(0.1, **RATIO)
    assert not fb and "2 decimal places" in fb.message and "Hint" not in fb.message


def test_separable_ratio_wrong():
    upside_down = ch07.q_separable_ratio(8.4, **RATIO)
    assert not upside_down and "how many times fewer" in upside_down.message
    percent = ch07.q_separable_ratio(11.89, **RATIO)
    assert not percent and "percentage" in percent.message
    for answer in (0.11, 1 / 9, 1 / 128, 1 / 128 + 1 / 3, 0.2, 0):  # depthwise only, pointwise only, 1/k
        fb = ch07.q_separable_ratio(answer, **RATIO)
        assert not fb and "Hint" in fb.message


@pytest.mark.parametrize("answer", ["small", [0.12, 0.13], True])
def test_separable_ratio_not_a_number(answer):
    fb = ch07.q_separable_ratio(answer, **RATIO)
    assert not fb and "Give a number" in fb.message


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"c_o": 0, "k": 3, "decimals": 2}, ValueError, "c_o must be positive"),
    ({"c_o": 8, "k": 3, "decimals": -1}, ValueError, "decimals must be non-negative"),
    ({"c_o": 8, "k": 3, "decimals": 2.0}, TypeError, "decimals must be an int"),
])
def test_separable_ratio_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        ch07.q_separable_ratio(0.5, **kwargs)


# ------------------------------------------------------------------ every checker

@pytest.mark.parametrize("call", [
    lambda a: ch07.q_conv1d_length(a, length=10, kernel_size=3),
    lambda a: ch07.q_conv3d_shape(a, input_shape=(1, 1, 4, 8, 8), out_channels=2, kernel_size=3),
    lambda a: ch07.q_receptive_field(a, layers=[conv_layer(3)]),
    lambda a: ch07.q_dilated_stack(a, dilations=(1, 2), k=3),
    lambda a: ch07.q_separable_params(a, c_i=4, c_o=8, k=3, bias=False),
    lambda a: ch07.q_separable_ratio(a, c_o=8, k=3, decimals=2),
])
def test_placeholders_nudge(call):
    for placeholder in (..., None, (..., ...)):
        fb = call(placeholder)
        assert not fb and "Not answered yet" in fb.message


# ------------------------------------------------------------------ the edition's language

SEPARABLE = {"c_i": 64, "c_o": 128, "k": 3, "bias": False}

# Every feedback branch of every checker: (the checker call, right?).
FEEDBACK_CASES = {
    "conv1d right": (lambda: ch07.q_conv1d_length(524, **CONV1D), True),
    "conv1d wrong": (lambda: ch07.q_conv1d_length(523, **CONV1D), False),
    "conv3d right": (lambda: ch07.q_conv3d_shape((2, 4, 4, 32, 32), **CONV3D), True),
    "conv3d four numbers": (lambda: ch07.q_conv3d_shape((4, 4, 32, 32), **CONV3D), False),
    "conv3d wrong": (lambda: ch07.q_conv3d_shape((2, 4, 8, 64, 64), **CONV3D), False),
    "field right": (lambda: ch07.q_receptive_field(23, layers=EXERCISE_NET), True),
    "field kernels added": (lambda: ch07.q_receptive_field(11, layers=EXERCISE_NET), False),
    "field wrong": (lambda: ch07.q_receptive_field(15, layers=EXERCISE_NET), False),
    "dilated right": (lambda: ch07.q_dilated_stack(31, dilations=(1, 2, 4, 8), k=3), True),
    "dilated spans added": (lambda: ch07.q_dilated_stack(34, dilations=(1, 2, 4, 8), k=3), False),
    "dilated wrong": (lambda: ch07.q_dilated_stack(15, dilations=(1, 2, 4, 8), k=3), False),
    "separable right": (lambda: ch07.q_separable_params(8768, **SEPARABLE), True),
    "separable right with bias": (lambda: ch07.q_separable_params(_separable_count(32, 64, 3, True), c_i=32,
                                                                  c_o=64, k=3, bias=True), True),
    "separable standard": (lambda: ch07.q_separable_params(128 * 64 * 9, **SEPARABLE), False),
    "separable one layer": (lambda: ch07.q_separable_params(64 * 9, **SEPARABLE), False),
    "separable wrong": (lambda: ch07.q_separable_params(128 * 9 + 64 * 128, **SEPARABLE), False),
    "ratio right": (lambda: ch07.q_separable_ratio(0.12, **RATIO), True),
    "ratio too few decimals": (lambda: ch07.q_separable_ratio(0.1, **RATIO), False),
    "ratio upside down": (lambda: ch07.q_separable_ratio(8.4, **RATIO), False),
    "ratio percentage": (lambda: ch07.q_separable_ratio(11.89, **RATIO), False),
    "ratio wrong": (lambda: ch07.q_separable_ratio(0.2, **RATIO), False),
    "ratio a boolean": (lambda: ch07.q_separable_ratio(True, **RATIO), False),
    "ratio not a number": (lambda: ch07.q_separable_ratio("small", **RATIO), False),
    "blank": (lambda: ch07.q_dilated_stack(..., dilations=(1, 2), k=3), False),
}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("case", FEEDBACK_CASES, ids=str)
def test_feedback_speaks_the_editions_language(case, language, monkeypatch):
    monkeypatch.setenv("CONVLAB_LANGUAGE", language)
    check, right = FEEDBACK_CASES[case]
    assert_speaks(check(), right, language)


def test_chinese_feedback_carries_the_questions_numbers(monkeypatch):
    monkeypatch.setenv("CONVLAB_LANGUAGE", "zh")
    assert "你给了 4 个数" in ch07.q_conv3d_shape((4, 4, 32, 32), **CONV3D).message
    right = ch07.q_separable_ratio(0.12, **RATIO).message
    assert right.startswith("0.1189：") and "8.4 倍" in right
    assert "保留 2 位小数" in ch07.q_separable_ratio(0.1, **RATIO).message
    assert "而不是 str" in ch07.q_separable_ratio("small", **RATIO).message
    assert "你的答案是 15。提示：" in ch07.q_dilated_stack(15, dilations=(1, 2, 4, 8), k=3).message
