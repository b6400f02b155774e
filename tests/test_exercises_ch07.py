"""Chapter 07 exercise checkers: right answers pass, wrong ones fail with a hint."""

import pytest
import torch
from torch import nn

from utils.exercises import ch07
from utils.receptive import conv_layer, pool_layer


def test_conv1d_length():
    n = nn.Conv1d(1, 1, 5, padding=2, stride=2)(torch.zeros(1, 1, 1047)).shape[-1]
    assert ch07.q_conv1d_length(n, length=1047, kernel_size=5, padding=2, stride=2)
    fb = ch07.q_conv1d_length(n + 1, length=1047, kernel_size=5, padding=2, stride=2)
    assert not fb and "Hint" in fb.message
    assert ch07.q_conv1d_length(1043, length=1047, kernel_size=5)
    assert ch07.q_conv1d_length(1039, length=1047, kernel_size=5, dilation=2)
    with pytest.raises(ValueError, match="kernel_size must be positive"):
        ch07.q_conv1d_length(3, length=10, kernel_size=0)


def test_conv3d_shape():
    assert ch07.q_conv3d_shape((1, 4, 6, 62, 62), (1, 1, 8, 64, 64), out_channels=4, kernel_size=3)
    assert ch07.q_conv3d_shape(torch.Size([2, 4, 4, 32, 32]), (2, 3, 8, 64, 64), out_channels=4,
                               kernel_size=3, padding=1, stride=2)
    assert not ch07.q_conv3d_shape((1, 4, 8, 62, 62), (1, 1, 8, 64, 64), out_channels=4, kernel_size=3)
    assert not ch07.q_conv3d_shape((6, 62, 62), (1, 1, 8, 64, 64), out_channels=4, kernel_size=3)
    with pytest.raises(ValueError, match=r"input_shape must be \(N, C, D, H, W\)"):
        ch07.q_conv3d_shape((1, 4, 6, 62), (1, 8, 64, 64), out_channels=4, kernel_size=3)


def test_receptive_field():
    layers = [conv_layer(3), conv_layer(3), pool_layer(2), conv_layer(3)]
    assert ch07.q_receptive_field(10, layers)
    assert ch07.q_receptive_field((10, 10), layers)
    assert not ch07.q_receptive_field(8, layers)  # forgetting the jump after the pool
    assert not ch07.q_receptive_field(9, layers)
    net = nn.Sequential(nn.Conv2d(1, 2, (3, 5)), nn.ReLU())
    assert ch07.q_receptive_field((3, 5), net) and not ch07.q_receptive_field(3, net)


def test_dilated_stack():
    assert ch07.q_dilated_stack(15)
    assert ch07.q_dilated_stack(7, dilations=(1, 1, 1))
    assert ch07.q_dilated_stack(31, dilations=(1, 2, 4, 8))
    assert not ch07.q_dilated_stack(7)
    assert not ch07.q_dilated_stack(9)  # 3 + 2 + 4: counting d instead of (k − 1)·d
    with pytest.raises(ValueError, match="dilations must list"):
        ch07.q_dilated_stack(1, dilations=())


def test_separable_params():
    dw = nn.Conv2d(32, 32, 3, groups=32, bias=False)
    pw = nn.Conv2d(32, 64, 1, bias=False)
    n = dw.weight.numel() + pw.weight.numel()
    assert ch07.q_separable_params(n, c_i=32, c_o=64, k=3)
    assert ch07.q_separable_params(n + 32 + 64, c_i=32, c_o=64, k=3, bias=True)
    fb = ch07.q_separable_params(32 * 64 * 9, c_i=32, c_o=64, k=3)
    assert not fb and "standard" in fb.message
    assert not ch07.q_separable_params(n + 1, c_i=32, c_o=64, k=3)


def test_separable_ratio():
    assert ch07.q_separable_ratio(1 / 64 + 1 / 9, c_o=64, k=3)
    assert ch07.q_separable_ratio(0.127, c_o=64, k=3)
    fb = ch07.q_separable_ratio(1 / (1 / 64 + 1 / 9), c_o=64, k=3)
    assert not fb and "Upside down" in fb.message
    assert not ch07.q_separable_ratio(1 / 9, c_o=64, k=3)
    assert not ch07.q_separable_ratio("small", c_o=64, k=3)


@pytest.mark.parametrize("call", [
    lambda a: ch07.q_conv1d_length(a, length=10, kernel_size=3),
    lambda a: ch07.q_conv3d_shape(a, (1, 1, 4, 8, 8), out_channels=2, kernel_size=3),
    lambda a: ch07.q_receptive_field(a, [conv_layer(3)]),
    lambda a: ch07.q_dilated_stack(a),
    lambda a: ch07.q_separable_params(a, c_i=4, c_o=8, k=3),
    lambda a: ch07.q_separable_ratio(a, c_o=8, k=3),
])
def test_placeholders_nudge(call):
    for placeholder in (..., None):
        fb = call(placeholder)
        assert not fb and "Not answered yet" in fb.message
