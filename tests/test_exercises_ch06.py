"""utils.exercises.ch06: every right answer passes in every form the prompts invite, plausible wrong
ones get a hint, bad arguments raise. PyTorch computes the expected values."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from feedback_language import assert_speaks
from torch import nn

from utils.exercises import _core, ch06
from utils.models import lenet


def torch_shape(layer: int, size: tuple[int, int]) -> tuple[int, ...]:
    """What PyTorch says lenet()[layer] outputs for one 1×H×W image, batch axis dropped."""
    with torch.no_grad():
        return tuple(lenet()[: layer + 1](torch.zeros(1, 1, *size)).shape[1:])


# ------------------------------------------------------------------ q_layer_shape

@pytest.mark.parametrize("layer", range(12))
def test_layer_shape_agrees_with_pytorch_on_28x28(layer):
    assert ch06.q_layer_shape(torch_shape(layer, (28, 28)), layer=layer, input_size=28)


@pytest.mark.parametrize("layer", range(7))
def test_layer_shape_agrees_with_pytorch_on_32x32(layer):
    assert ch06.q_layer_shape(torch_shape(layer, (32, 32)), layer=layer, input_size=32)


@pytest.mark.parametrize("answer", [(16, 12, 12), [16, 12, 12], torch.Size([16, 12, 12]),
                                    torch.tensor([16, 12, 12]), np.array([16, 12, 12]),
                                    (np.int64(16), 12, 12)])
def test_layer_shape_accepts_every_form_of_the_right_answer(answer):
    assert ch06.q_layer_shape(answer, layer=3, input_size=32)


@pytest.mark.parametrize("answer", [(576,), [576], 576, torch.Size([576])])
def test_layer_shape_after_flatten_accepts_a_length_or_an_int(answer):
    assert ch06.q_layer_shape(answer, layer=6, input_size=32)


def test_layer_shape_with_a_non_square_input():
    assert torch_shape(5, (32, 28)) == (16, 6, 5)
    assert ch06.q_layer_shape((16, 6, 5), layer=5, input_size=(32, 28))
    assert not ch06.q_layer_shape((16, 5, 6), layer=5, input_size=(32, 28))


@pytest.mark.parametrize("wrong", [(16, 10, 10),   # the 28×28 answer
                                   (16, 16, 16),   # forgot that the second conv does not pad
                                   (6, 12, 12),    # the channels of the first conv
                                   (12, 12)])      # no channel axis
def test_layer_shape_rejects_wrong_answers_with_a_hint(wrong):
    fb = ch06.q_layer_shape(wrong, layer=3, input_size=32)
    assert not fb
    assert "Hint: walk the layers" in fb.message
    assert f"You answered {wrong!r}" in fb.message


def test_layer_shape_names_a_batch_axis_instead_of_blaming_the_reasoning():
    fb = ch06.q_layer_shape((1, 16, 12, 12), layer=3, input_size=32)
    assert not fb
    assert "without the batch axis" in fb.message and "Hint" not in fb.message


@pytest.mark.parametrize("blank", [..., None, (..., ..., ...)])
def test_layer_shape_blank(blank):
    fb = ch06.q_layer_shape(blank, layer=3, input_size=32)
    assert not fb and fb.message == _core.not_answered_text()


def test_layer_shape_success_text_states_the_formula_per_axis():
    fb = ch06.q_layer_shape((16, 10, 10), layer=3, input_size=28)
    assert fb and "⌊(n + 2p − k)/s⌋ + 1 per axis" in fb.message


def test_layer_shape_bad_arguments():
    with pytest.raises(ValueError, match=r"layer must be in \[0, 11\]"):
        ch06.q_layer_shape((1,), layer=12, input_size=28)
    with pytest.raises(ValueError, match="layer must be non-negative"):
        ch06.q_layer_shape((1,), layer=-1, input_size=28)
    with pytest.raises(TypeError, match="layer must be an int"):
        ch06.q_layer_shape((1,), layer=True, input_size=28)
    with pytest.raises(ValueError, match="input_size must be positive"):
        ch06.q_layer_shape((1,), layer=0, input_size=0)
    with pytest.raises(TypeError, match="input_size must be an int or an"):
        ch06.q_layer_shape((1,), layer=0, input_size=28.0)
    with pytest.raises(ValueError, match="cannot take a 32×32 input as far as layer 7"):
        ch06.q_layer_shape((120,), layer=7, input_size=32)   # Flatten gives 576, not 400
    with pytest.raises(ValueError, match="cannot take a 4×4 input as far as layer 3"):
        ch06.q_layer_shape((16, 1, 1), layer=3, input_size=4)


# ------------------------------------------------------------------ q_conv_params

def conv_params(c_i: int, c_o: int, k: int) -> int:
    return sum(p.numel() for p in nn.Conv2d(c_i, c_o, k).parameters())


@pytest.mark.parametrize("c_i, c_o, k", [(16, 32, 3), (6, 16, 5), (1, 6, 5), (1, 1, 1)])
def test_conv_params_agree_with_pytorch(c_i, c_o, k):
    assert ch06.q_conv_params(conv_params(c_i, c_o, k), c_i=c_i, c_o=c_o, k=k)


@pytest.mark.parametrize("answer", [4640, 4640.0, np.int64(4640), torch.tensor(4640)])
def test_conv_params_accepts_int_float_and_tensor(answer):
    assert conv_params(16, 32, 3) == 4640
    fb = ch06.q_conv_params(answer, c_i=16, c_o=32, k=3)
    assert fb and "32·16·3² + 32 = 4640" in fb.message


def test_conv_params_names_the_forgotten_biases():
    fb = ch06.q_conv_params(32 * 16 * 9, c_i=16, c_o=32, k=3)
    assert not fb and "Every output channel also has one bias" in fb.message


def test_conv_params_names_the_forgotten_input_channels():
    fb = ch06.q_conv_params(32 * 9 + 32, c_i=16, c_o=32, k=3)
    assert not fb and "for every input channel" in fb.message


@pytest.mark.parametrize("wrong", [16 * 32 * 3 + 32, 2416, "4640"])
def test_conv_params_rejects_other_wrong_answers_with_a_hint(wrong):
    fb = ch06.q_conv_params(wrong, c_i=16, c_o=32, k=3)
    assert not fb and "Hint: every output channel has one k×k kernel per input channel" in fb.message


def test_conv_params_blank_and_bad_arguments():
    assert ch06.q_conv_params(..., c_i=1, c_o=1, k=1).message == _core.not_answered_text()
    with pytest.raises(ValueError, match="k must be positive"):
        ch06.q_conv_params(1, c_i=1, c_o=1, k=0)
    with pytest.raises(TypeError, match="c_i must be an int"):
        ch06.q_conv_params(1, c_i=True, c_o=1, k=1)
    with pytest.raises(TypeError, match="c_o must be an int"):
        ch06.q_conv_params(1, c_i=1, c_o=2.0, k=1)


# ------------------------------------------------------------------ q_updates

def test_updates_right_answers():
    assert math.ceil(60000 / 256) * 10 == 2350
    assert ch06.q_updates(2350, n_train=60000, batch_size=256, num_epochs=10)
    assert ch06.q_updates(2350.0, n_train=60000, batch_size=256, num_epochs=10)
    assert ch06.q_updates(np.int64(2350), n_train=60000, batch_size=256, num_epochs=10)
    assert ch06.q_updates(160, n_train=4000, batch_size=256, num_epochs=10)
    assert ch06.q_updates(400, n_train=4000, batch_size=100, num_epochs=10)   # no partial batch
    assert ch06.q_updates(16, n_train=4000, batch_size=256, num_epochs=1)


def test_updates_names_the_dropped_partial_batch():
    fb = ch06.q_updates(60000 // 256 * 10, n_train=60000, batch_size=256, num_epochs=10)
    assert not fb and "last, smaller batch" in fb.message


def test_updates_names_a_single_epoch():
    fb = ch06.q_updates(235, n_train=60000, batch_size=256, num_epochs=10)
    assert not fb and "that is one epoch" in fb.message


@pytest.mark.parametrize("wrong", [60000 * 10 / 256, 600000, 2351])
def test_updates_rejects_other_wrong_answers_with_a_hint(wrong):
    fb = ch06.q_updates(wrong, n_train=60000, batch_size=256, num_epochs=10)
    assert not fb and "Hint: batches per epoch" in fb.message


def test_updates_blank_and_bad_arguments():
    assert ch06.q_updates(None, n_train=10, batch_size=1, num_epochs=1).message == _core.not_answered_text()
    with pytest.raises(ValueError, match="batch_size must be positive"):
        ch06.q_updates(1, n_train=10, batch_size=0, num_epochs=1)
    with pytest.raises(TypeError, match="n_train must be an int"):
        ch06.q_updates(1, n_train="10", batch_size=1, num_epochs=1)
    with pytest.raises(ValueError, match="num_epochs must be positive"):
        ch06.q_updates(1, n_train=10, batch_size=1, num_epochs=0)


# ------------------------------------------------------------------ q_receptive_field

C5 = [*lenet()[:6], nn.Conv2d(16, 120, kernel_size=5)]   # LeNet-5's C5 layer on top of the second pooling


def test_receptive_field_is_the_shared_checker():
    assert ch06.q_receptive_field is _core.q_receptive_field


@pytest.mark.parametrize("answer", [32, (32, 32), [32, 32], np.int64(32)])
def test_receptive_field_of_c5(answer):
    assert ch06.q_receptive_field(answer, layers=C5)


@pytest.mark.parametrize("wrong", [16, 19, 28, (32, 16)])
def test_receptive_field_of_c5_rejects_wrong_answers(wrong):
    fb = ch06.q_receptive_field(wrong, layers=C5)
    assert not fb and "Hint" in fb.message


def test_receptive_field_blank():
    assert ch06.q_receptive_field(..., layers=C5).message == _core.not_answered_text()


# ------------------------------------------------------------------ the edition's language


# Every feedback branch of every checker: (the checker call, right?).
FEEDBACK_CASES = {
    "shape right": (lambda: ch06.q_layer_shape((16, 12, 12), layer=3, input_size=32), True),
    "shape batch axis": (lambda: ch06.q_layer_shape((1, 16, 12, 12), layer=3, input_size=32), False),
    "shape other": (lambda: ch06.q_layer_shape((16, 10, 10), layer=3, input_size=32), False),
    "shape blank": (lambda: ch06.q_layer_shape(..., layer=3, input_size=32), False),
    "params right": (lambda: ch06.q_conv_params(4640, c_i=16, c_o=32, k=3), True),
    "params no bias": (lambda: ch06.q_conv_params(32 * 16 * 9, c_i=16, c_o=32, k=3), False),
    "params one input channel": (lambda: ch06.q_conv_params(32 * 9 + 32, c_i=16, c_o=32, k=3), False),
    "params other": (lambda: ch06.q_conv_params(2416, c_i=16, c_o=32, k=3), False),
    "updates right": (lambda: ch06.q_updates(2350, n_train=60000, batch_size=256, num_epochs=10), True),
    "updates partial batch": (lambda: ch06.q_updates(2340, n_train=60000, batch_size=256, num_epochs=10), False),
    "updates one epoch": (lambda: ch06.q_updates(235, n_train=60000, batch_size=256, num_epochs=10), False),
    "updates other": (lambda: ch06.q_updates(2351, n_train=60000, batch_size=256, num_epochs=10), False),
    "field right": (lambda: ch06.q_receptive_field(32, layers=C5), True),
    "field summed kernels": (lambda: ch06.q_receptive_field(19, layers=C5), False),
    "field other": (lambda: ch06.q_receptive_field(16, layers=C5), False),
}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("case", FEEDBACK_CASES, ids=str)
def test_feedback_speaks_the_editions_language(case, language, monkeypatch):
    monkeypatch.setenv("CONVLAB_LANGUAGE", language)
    check, right = FEEDBACK_CASES[case]
    assert_speaks(check(), right, language)


def test_chinese_feedback_carries_the_questions_numbers(monkeypatch):
    monkeypatch.setenv("CONVLAB_LANGUAGE", "zh")
    assert "32·16·3² + 32 = 4640" in ch06.q_conv_params(4640, c_i=16, c_o=32, k=3).message
    assert "你的答案是 4608" in ch06.q_conv_params(4608, c_i=16, c_o=32, k=3).message
    fb = ch06.q_updates(2350, n_train=60000, batch_size=256, num_epochs=10)
    assert "⌈60000 / 256⌉ = 235" in fb.message and "10 个迭代周期" in fb.message
    assert "你的答案是 (1, 16, 12, 12)" in ch06.q_layer_shape((1, 16, 12, 12), layer=3, input_size=32).message
    assert "⌊(n + 2p − k)/s⌋ + 1" in ch06.q_layer_shape((16, 12, 12), layer=3, input_size=32).message
    assert "32×32" in ch06.q_receptive_field(32, layers=C5).message
