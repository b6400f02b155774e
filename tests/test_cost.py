"""Parameter and multiply-add counts of conv layers, checked against PyTorch."""

import pytest
import torch
from torch import nn

from utils.cost import conv2d_macs, conv2d_params, layer_macs, measured_macs


def loop_macs(c_i, c_o, k_h, k_w, n_h, n_w):
    """Count multiply-adds by running the six nested loops of a conv layer (tiny sizes only)."""
    count = 0
    for _o in range(c_o):
        for _i in range(n_h - k_h + 1):
            for _j in range(n_w - k_w + 1):
                for _c in range(c_i):
                    for _a in range(k_h):
                        for _b in range(k_w):
                            count += 1
    return count


def test_formula_matches_the_counted_loop():
    assert conv2d_macs(2, 3, (2, 3), (4 - 2 + 1, 5 - 3 + 1)) == loop_macs(2, 3, 2, 3, 4, 5) == 2 * 3 * 6 * 3 * 3


@pytest.mark.parametrize(
    ("c_i", "c_o", "k", "p", "s", "d", "n"),
    [(3, 16, 5, 2, 1, 1, 32), (64, 128, 3, 1, 2, 1, 56), (8, 4, (1, 3), (0, 1), (2, 1), 1, 11), (4, 4, 3, 2, 1, 2, 9)],
)
def test_formula_matches_pytorch_flop_counter(c_i, c_o, k, p, s, d, n):
    layer = nn.Conv2d(c_i, c_o, k, padding=p, stride=s, dilation=d)
    X = torch.zeros(2, c_i, n, n)
    assert layer_macs(layer, n) == measured_macs(layer, X)
    m_h, m_w = layer(X).shape[-2:]
    assert layer_macs(layer, n) == conv2d_macs(c_i, c_o, k, (m_h, m_w))


def test_grouped_layer_counts_c_i_over_groups():
    layer = nn.Conv2d(8, 8, 3, padding=1, groups=4)
    assert layer_macs(layer, 10) == measured_macs(layer, torch.zeros(1, 8, 10, 10)) == 2 * 8 * 9 * 100


def test_doubling_channels_when_halving_size_keeps_cost():
    # the chapter's design rule: H, W halve (4× fewer positions), c_i and c_o double (4× more per position)
    assert conv2d_macs(64, 64, 3, 56) == conv2d_macs(128, 128, 3, 28)


@pytest.mark.parametrize(("c_i", "c_o", "k", "bias"), [(3, 16, 5, True), (3, 2, 1, False), (64, 128, (3, 1), True)])
def test_params_match_nn_conv2d(c_i, c_o, k, bias):
    layer = nn.Conv2d(c_i, c_o, k, bias=bias)
    assert conv2d_params(c_i, c_o, k, bias=bias) == sum(p.numel() for p in layer.parameters())
    if bias:
        assert layer.bias.shape == (c_o,)  # one bias per output channel, not c_o × c_i


def test_bad_arguments():
    with pytest.raises(TypeError, match="c_i must be an int"):
        conv2d_macs(2.5, 3, 3, 4)
    with pytest.raises(TypeError, match="c_i must be an int"):
        conv2d_params(True, 1, 3)
    with pytest.raises(ValueError, match="kernel_size must be positive"):
        conv2d_params(1, 1, 0)
    with pytest.raises(ValueError, match="c_o must be positive"):
        conv2d_params(3, 0, 3)
    with pytest.raises(ValueError, match="output_size must be positive"):
        conv2d_macs(1, 1, 3, (0, 4))
    with pytest.raises(TypeError, match="layer must be an nn.Conv2d"):
        layer_macs(nn.Linear(2, 2), 4)
    with pytest.raises(ValueError, match="give explicit padding"):
        layer_macs(nn.Conv2d(1, 1, 3, padding="same"), 8)
    with pytest.raises(ValueError, match="larger than the padded input"):
        layer_macs(nn.Conv2d(1, 1, 5), 3)
    with pytest.raises(ValueError, match=r"X must have shape \(batch, c_i, n_h, n_w\) \(4-D\)"):
        measured_macs(nn.Conv2d(1, 1, 3), torch.zeros(1, 5, 5))
    with pytest.raises(TypeError, match="X must be a torch.Tensor"):
        measured_macs(nn.Conv2d(1, 1, 3), [[0.0]])
    with pytest.raises(TypeError, match="module must be an nn.Module"):
        measured_macs(lambda x: x, torch.zeros(1, 1, 5, 5))
