"""Chapter-04 exercise checkers: every right answer in every invited form passes, typical mistakes get a
targeted hint, and bad question parameters raise a clear error."""


import numpy as np
import pytest
import torch
import torch.nn.functional as F
from feedback_language import assert_speaks
from torch import nn

from utils import corr2d, corr2d_multi_in_out
from utils.exercises import ch04

# The layer of the notebook's questions: nn.Conv2d(3, 16, kernel_size=5, padding=2) on one 3×32×32 image.
LAYER = {"in_channels": 3, "out_channels": 16, "kernel_size": 5}
SHAPE_Q = {**LAYER, "padding": 2, "input_size": 32}


# ---------------------------------------------------------------- q_output_shape
@pytest.mark.parametrize("answer", [(16, 32, 32), [16, 32, 32], torch.Size([16, 32, 32]),
                                    torch.tensor([16, 32, 32]), (16.0, 32.0, 32.0), np.array([16, 32, 32])])
def test_output_shape_accepts_every_form(answer):
    assert ch04.q_output_shape(answer, **SHAPE_Q)


@pytest.mark.parametrize(("answer", "says"), [
    ((3, 32, 32), "c_o, not the input's c_i"),
    ((16, 28, 28), "padding on each side"),
    ((16, 30, 30), "padding on each side"),
    ((1, 16, 32, 32), "batch"),
    ((32, 32), "put the number of output channels in front"),
    ("16, 32, 32", "three whole numbers"),
])
def test_output_shape_explains_wrong_answers(answer, says):
    fb = ch04.q_output_shape(answer, **SHAPE_Q)
    assert not fb and says in fb.message


def test_output_shape_follows_the_question_parameters():
    assert ch04.q_output_shape((8, 6, 6), in_channels=1, out_channels=8, kernel_size=3, padding=0, input_size=8)
    assert not ch04.q_output_shape((16, 32, 32), **{**SHAPE_Q, "padding": 0})
    fb = ch04.q_output_shape((16, 32, 32), **SHAPE_Q)
    assert "32 + 2·2 − 5 + 1 = 32" in fb.message


# ---------------------------------------------------------------- q_bias_shape
@pytest.mark.parametrize("answer", [(16,), [16], 16, 16.0, torch.Size([16]), torch.tensor([16])])
def test_bias_shape_accepts_every_form(answer):
    assert ch04.q_bias_shape(answer, in_channels=3, out_channels=16)


def test_bias_shape_explains_wrong_answers():
    fb = ch04.q_bias_shape((16, 3), in_channels=3, out_channels=16)
    assert not fb and "common slip" in fb.message
    fb = ch04.q_bias_shape((3,), in_channels=3, out_channels=16)
    assert not fb and "One per what?" in fb.message
    assert not ch04.q_bias_shape((16, 3, 5, 5), in_channels=3, out_channels=16)
    fb = ch04.q_bias_shape("sixteen", in_channels=3, out_channels=16)
    assert not fb and "tuple of whole numbers" in fb.message


# ---------------------------------------------------------------- q_num_params
@pytest.mark.parametrize("answer", [1216, 1216.0, torch.tensor(1216), np.int64(1216)])
def test_num_params_accepts_every_form(answer):
    assert 16 * 3 * 5 * 5 + 16 == 1216
    assert ch04.q_num_params(answer, **LAYER)


@pytest.mark.parametrize(("answer", "says"), [
    (16 * 3 * 5 * 5, "add the biases"),
    (16 * 3 * 5 * 5 + 16 * 3, "one bias per output channel"),
    (16 * 5 * 5 + 16, "one k_h × k_w slice per input channel"),
    (1217, "Hint"),
    (1216.5, "whole number"),
    ("1216", "whole number"),
])
def test_num_params_explains_wrong_answers(answer, says):
    fb = ch04.q_num_params(answer, **LAYER)
    assert not fb and says in fb.message


# ---------------------------------------------------------------- q_macs
@pytest.mark.parametrize("answer", [1_228_800, 1_228_800.0, 1.2288e6, torch.tensor(1_228_800)])
def test_macs_accepts_every_form(answer):
    assert 3 * 16 * 5 * 5 * 32 * 32 == 1_228_800
    assert ch04.q_macs(answer, **SHAPE_Q)


@pytest.mark.parametrize(("answer", "says"), [
    (3 * 16 * 5 * 5 * 28 * 28, "ignores the padding"),
    (2 * 3 * 16 * 5 * 5 * 32 * 32, "FLOPs"),
    (3 * 16 * 5 * 5 * 32 * 32 + 16 * 32 * 32, "bias additions"),
    (1, "OUTPUT height and width"),
    ([1_228_800], "whole number"),
])
def test_macs_explains_wrong_answers(answer, says):
    fb = ch04.q_macs(answer, **SHAPE_Q)
    assert not fb and says in fb.message


# ---------------------------------------------------------------- question parameters
@pytest.mark.parametrize(("checker", "kwargs", "error", "match"), [
    (ch04.q_output_shape, {**SHAPE_Q, "in_channels": 0}, ValueError, "in_channels must be positive"),
    (ch04.q_output_shape, {**SHAPE_Q, "kernel_size": 2.5}, TypeError, "kernel_size must be an int"),
    (ch04.q_output_shape, {**SHAPE_Q, "padding": -1}, ValueError, "padding must be non-negative"),
    (ch04.q_output_shape, {**SHAPE_Q, "input_size": 3, "padding": 0}, ValueError, "larger than the padded input"),
    (ch04.q_macs, {**SHAPE_Q, "input_size": True}, TypeError, "input_size must be an int"),
    (ch04.q_macs, {**SHAPE_Q, "out_channels": "16"}, TypeError, "out_channels must be an int"),
    (ch04.q_num_params, {**LAYER, "kernel_size": 0}, ValueError, "kernel_size must be positive"),
    (ch04.q_bias_shape, {"in_channels": 3, "out_channels": 0}, ValueError, "out_channels must be positive"),
    (ch04.q_bias_shape, {"in_channels": None, "out_channels": 16}, TypeError, "in_channels must be an int"),
])
def test_bad_question_parameters_raise(checker, kwargs, error, match):
    with pytest.raises(error, match=match):
        checker(..., **kwargs)


def test_question_parameters_are_keyword_only():
    with pytest.raises(TypeError):
        ch04.q_num_params(1216, 3, 16, 5)
    with pytest.raises(TypeError):
        ch04.q_output_shape((16, 32, 32))


# ---------------------------------------------------------------- q_corr2d_multi_in_out
def test_corr2d_multi_in_out_accepts_correct_functions():
    def mine(X, K):
        return torch.stack([sum(corr2d(x, k) for x, k in zip(X, Ko, strict=True)) for Ko in K])

    assert ch04.q_corr2d_multi_in_out(mine)
    assert ch04.q_corr2d_multi_in_out(corr2d_multi_in_out)
    assert ch04.q_corr2d_multi_in_out(lambda X, K: F.conv2d(X[None], K)[0].double())  # any float dtype


def test_corr2d_multi_in_out_explains_wrong_functions():
    fb = ch04.q_corr2d_multi_in_out(lambda X, K: torch.stack([corr2d(X[0], k[0]) for k in K]))
    assert not fb and "Σ_c" in fb.message  # forgot the sum over input channels
    fb = ch04.q_corr2d_multi_in_out(lambda X, K: F.conv2d(X[None], K.flip(-1, -2))[0])
    assert not fb and "Wrong values" in fb.message  # the convolution (flipped kernel) is not the correlation
    fb = ch04.q_corr2d_multi_in_out(lambda X, K: corr2d_multi_in_out(X, K)[0])
    assert not fb and "must have shape" in fb.message
    fb = ch04.q_corr2d_multi_in_out(lambda X, K: 1 / 0)
    assert not fb and "ZeroDivisionError" in fb.message
    fb = ch04.q_corr2d_multi_in_out(lambda X, K: corr2d_multi_in_out(X, K).tolist())
    assert not fb and "Return a tensor, not list" in fb.message
    fb = ch04.q_corr2d_multi_in_out("not a function")
    assert not fb and "Pass your function itself" in fb.message


# ---------------------------------------------------------------- q_linear_from_1x1
def _conv(bias=True):
    torch.manual_seed(0)
    return nn.Conv2d(3, 2, kernel_size=1, bias=bias)


def _linear_like(conv):
    linear = nn.Linear(3, 2, bias=conv.bias is not None)
    with torch.no_grad():
        linear.weight.copy_(conv.weight.reshape(2, 3))
        if conv.bias is not None:
            linear.bias.copy_(conv.bias)
    return linear


def test_linear_from_1x1_accepts_the_matching_layer():
    conv = _conv()
    assert ch04.q_linear_from_1x1(_linear_like(conv), conv=conv)
    conv = _conv(bias=False)
    assert ch04.q_linear_from_1x1(_linear_like(conv), conv=conv)


def test_linear_from_1x1_explains_wrong_layers():
    conv = _conv()
    fb = ch04.q_linear_from_1x1(nn.Linear(2, 3), conv=conv)
    assert not fb and "3 channels in and 2 out" in fb.message
    fb = ch04.q_linear_from_1x1(nn.Linear(3, 2), conv=conv)  # random weights
    assert not fb and "values differ" in fb.message
    fb = ch04.q_linear_from_1x1(nn.Linear(3, 2, bias=False), conv=conv)
    assert not fb and "has a bias" in fb.message
    fb = ch04.q_linear_from_1x1(nn.Linear(3, 2), conv=_conv(bias=False))
    assert not fb and "bias=False" in fb.message
    fb = ch04.q_linear_from_1x1(conv, conv=conv)
    assert not fb and "not Conv2d" in fb.message


@pytest.mark.parametrize(("conv", "error", "match"), [
    (nn.Linear(3, 2), TypeError, "conv must be an nn.Conv2d"),
    (nn.Conv2d(3, 2, kernel_size=3), ValueError, "plain 1×1 convolution"),
    (nn.Conv2d(3, 2, kernel_size=1, padding=1), ValueError, "plain 1×1 convolution"),
])
def test_linear_from_1x1_rejects_a_conv_that_is_not_1x1(conv, error, match):
    with pytest.raises(error, match=match):
        ch04.q_linear_from_1x1(nn.Linear(3, 2), conv=conv)


# ---------------------------------------------------------------- blanks
def test_unanswered_placeholders_get_a_nudge_not_a_crash():
    for fb in (ch04.q_output_shape(..., **SHAPE_Q), ch04.q_output_shape((..., ..., ...), **SHAPE_Q),
               ch04.q_bias_shape((...,), in_channels=3, out_channels=16), ch04.q_num_params(..., **LAYER),
               ch04.q_macs(..., **SHAPE_Q), ch04.q_corr2d_multi_in_out(...),
               ch04.q_linear_from_1x1(..., conv=_conv())):
        assert not fb and "Not answered yet" in fb.message

    def todo(X, K):
        raise NotImplementedError

    fb = ch04.q_corr2d_multi_in_out(todo)
    assert not fb and "fill in the body" in fb.message


# ---------------------------------------------------------------- the edition's language


def _todo(X, K):
    raise NotImplementedError


# Every feedback branch of every checker: (answer's checker call, right?).
FEEDBACK_CASES = {
    "shape right": (lambda: ch04.q_output_shape((16, 32, 32), **SHAPE_Q), True),
    "shape not numbers": (lambda: ch04.q_output_shape("16, 32, 32", **SHAPE_Q), False),
    "shape batch": (lambda: ch04.q_output_shape((1, 16, 32, 32), **SHAPE_Q), False),
    "shape no channels": (lambda: ch04.q_output_shape((32, 32), **SHAPE_Q), False),
    "shape c_i": (lambda: ch04.q_output_shape((3, 32, 32), **SHAPE_Q), False),
    "shape no padding": (lambda: ch04.q_output_shape((16, 28, 28), **SHAPE_Q), False),
    "shape other": (lambda: ch04.q_output_shape((8, 32, 32), **SHAPE_Q), False),
    "bias right": (lambda: ch04.q_bias_shape((16,), in_channels=3, out_channels=16), True),
    "bias not numbers": (lambda: ch04.q_bias_shape("sixteen", in_channels=3, out_channels=16), False),
    "bias c_o x c_i": (lambda: ch04.q_bias_shape((16, 3), in_channels=3, out_channels=16), False),
    "bias other": (lambda: ch04.q_bias_shape((3,), in_channels=3, out_channels=16), False),
    "params right": (lambda: ch04.q_num_params(1216, **LAYER), True),
    "params not a number": (lambda: ch04.q_num_params("1216", **LAYER), False),
    "params weights only": (lambda: ch04.q_num_params(16 * 3 * 5 * 5, **LAYER), False),
    "params c_o c_i biases": (lambda: ch04.q_num_params(16 * 3 * 5 * 5 + 16 * 3, **LAYER), False),
    "params no c_i": (lambda: ch04.q_num_params(16 * 5 * 5 + 16, **LAYER), False),
    "params other": (lambda: ch04.q_num_params(1217, **LAYER), False),
    "macs right": (lambda: ch04.q_macs(1_228_800, **SHAPE_Q), True),
    "macs not a number": (lambda: ch04.q_macs([1_228_800], **SHAPE_Q), False),
    "macs no padding": (lambda: ch04.q_macs(3 * 16 * 5 * 5 * 28 * 28, **SHAPE_Q), False),
    "macs FLOPs": (lambda: ch04.q_macs(2 * 1_228_800, **SHAPE_Q), False),
    "macs bias": (lambda: ch04.q_macs(1_228_800 + 16 * 32 * 32, **SHAPE_Q), False),
    "macs other": (lambda: ch04.q_macs(1, **SHAPE_Q), False),
    "corr2d right": (lambda: ch04.q_corr2d_multi_in_out(corr2d_multi_in_out), True),
    "corr2d not a function": (lambda: ch04.q_corr2d_multi_in_out("not a function"), False),
    "corr2d todo": (lambda: ch04.q_corr2d_multi_in_out(_todo), False),
    "corr2d raises": (lambda: ch04.q_corr2d_multi_in_out(lambda X, K: 1 / 0), False),
    "corr2d list": (lambda: ch04.q_corr2d_multi_in_out(lambda X, K: corr2d_multi_in_out(X, K).tolist()), False),
    "corr2d shape": (lambda: ch04.q_corr2d_multi_in_out(lambda X, K: corr2d_multi_in_out(X, K)[0]), False),
    "corr2d values": (lambda: ch04.q_corr2d_multi_in_out(lambda X, K: F.conv2d(X[None], K.flip(-1, -2))[0]), False),
    "linear right": (lambda: ch04.q_linear_from_1x1(_linear_like(_conv()), conv=_conv()), True),
    "linear not Linear": (lambda: ch04.q_linear_from_1x1(_conv(), conv=_conv()), False),
    "linear features": (lambda: ch04.q_linear_from_1x1(nn.Linear(2, 3), conv=_conv()), False),
    "linear no bias": (lambda: ch04.q_linear_from_1x1(nn.Linear(3, 2, bias=False), conv=_conv()), False),
    "linear extra bias": (lambda: ch04.q_linear_from_1x1(nn.Linear(3, 2), conv=_conv(bias=False)), False),
    "linear values": (lambda: ch04.q_linear_from_1x1(nn.Linear(3, 2), conv=_conv()), False),
    "blank": (lambda: ch04.q_macs(..., **SHAPE_Q), False),
}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("case", FEEDBACK_CASES, ids=str)
def test_feedback_speaks_the_editions_language(case, language, monkeypatch):
    monkeypatch.setenv("CONVLAB_LANGUAGE", language)
    check, right = FEEDBACK_CASES[case]
    assert_speaks(check(), right, language)


def test_chinese_feedback_carries_the_questions_numbers(monkeypatch):
    monkeypatch.setenv("CONVLAB_LANGUAGE", "zh")
    assert "32 + 2·2 − 5 + 1 = 32" in ch04.q_output_shape((16, 32, 32), **SHAPE_Q).message
    assert "16·3·5·5 + 16 = 1216" in ch04.q_num_params(1216, **LAYER).message
    assert "= 1,228,800" in ch04.q_macs(1_228_800, **SHAPE_Q).message
    fb = ch04.q_output_shape((8, 32, 32), **SHAPE_Q)
    assert "你的答案是 (8, 32, 32)。提示：" in fb.message
    fb = ch04.q_linear_from_1x1(nn.Linear(2, 3), conv=_conv())
    assert "3 个输入通道和 2 个输出通道" in fb.message
