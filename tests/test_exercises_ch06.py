"""utils.exercises.ch06: right answers pass, wrong ones get a hint, bad arguments raise."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from utils.exercises import ch06


def test_layer_shape():
    assert ch06.q_layer_shape((16, 10, 10), layer=3)
    assert ch06.q_layer_shape([6, 14, 14], layer=2)
    assert ch06.q_layer_shape(torch.Size([400]), layer=6)
    wrong = ch06.q_layer_shape((16, 14, 14), layer=3)
    assert not wrong and "Hint" in wrong.message
    assert not ch06.q_layer_shape(..., layer=0) and "Not answered" in str(ch06.q_layer_shape(..., layer=0))
    with pytest.raises(ValueError, match="layer must be in \\[0, 11\\]"):
        ch06.q_layer_shape((1,), layer=12)


def test_conv_params_match_pytorch():
    n = sum(p.numel() for p in nn.Conv2d(6, 16, 5).parameters())
    assert n == 16 * 6 * 25 + 16
    assert ch06.q_conv_params(n, c_i=6, c_o=16, k=5)
    assert ch06.q_conv_params(156, c_i=1, c_o=6, k=5)
    assert not ch06.q_conv_params(16 * 6 * 25, c_i=6, c_o=16, k=5)  # forgot the biases
    with pytest.raises(ValueError, match="k must be positive"):
        ch06.q_conv_params(1, c_i=1, c_o=1, k=0)


def test_receptive_field():
    assert [bool(ch06.q_receptive_field(r, layer=i)) for i, r in enumerate([5, 5, 6, 14, 14, 16])] == [True] * 6
    assert not ch06.q_receptive_field(10, layer=3)
    with pytest.raises(ValueError, match="layer must be in \\[0, 5\\]"):
        ch06.q_receptive_field(16, layer=6)


def test_updates():
    assert ch06.q_updates(math.ceil(4000 / 256) * 10, n_train=4000, batch_size=256, num_epochs=10)
    assert not ch06.q_updates(4000 // 256 * 10, n_train=4000, batch_size=256, num_epochs=10)
    assert ch06.q_updates(235 * 10, n_train=60000, batch_size=256, num_epochs=10)
    with pytest.raises(ValueError, match="batch_size must be positive"):
        ch06.q_updates(1, n_train=10, batch_size=0, num_epochs=1)
