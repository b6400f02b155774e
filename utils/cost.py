"""What a convolution layer costs: parameters and multiply-adds.

A conv layer with input X: (c_i, n_h, n_w), kernel W: (c_o, c_i, k_h, k_w) and
output Y: (c_o, m_h, m_w) does one multiply-add per kernel tap, per input
channel, per output channel, per output position:
``c_i · c_o · k_h · k_w · m_h · m_w`` — the O(c_i c_o k_h k_w m_h m_w) of d2l.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from ._checks import IntOrPair, as_pair, check_int, check_tensor
from .shapes import conv_output_shape

__all__ = ["conv2d_macs", "conv2d_params", "layer_macs", "measured_macs"]


def conv2d_macs(c_i: int, c_o: int, kernel_size: IntOrPair, output_size: IntOrPair) -> int:
    """Multiply-adds of one conv layer for one example: ``c_i·c_o·k_h·k_w·m_h·m_w``.

    ``output_size`` is (m_h, m_w), the output's height and width. A bias adds
    ``c_o·m_h·m_w`` plain additions, which are not counted (as is customary).
    """
    c_i = check_int(c_i, "c_i", 1)
    c_o = check_int(c_o, "c_o", 1)
    k_h, k_w = as_pair(kernel_size, "kernel_size", minimum=1)
    m_h, m_w = as_pair(output_size, "output_size", minimum=1)
    return c_i * c_o * k_h * k_w * m_h * m_w


def conv2d_params(c_i: int, c_o: int, kernel_size: IntOrPair, *, bias: bool = True) -> int:
    """Learnable numbers of ``nn.Conv2d(c_i, c_o, kernel_size, bias=bias)``.

    Weight (c_o, c_i, k_h, k_w) plus one bias per output channel, (c_o,). The
    count does not depend on the image size: one kernel serves every position.
    """
    c_i = check_int(c_i, "c_i", 1)
    c_o = check_int(c_o, "c_o", 1)
    k_h, k_w = as_pair(kernel_size, "kernel_size", minimum=1)
    return c_o * c_i * k_h * k_w + (c_o if bias else 0)


def layer_macs(layer: nn.Conv2d, input_size: IntOrPair) -> int:
    """The formula applied to a real ``nn.Conv2d`` on an (n_h, n_w) input.

    Reads the layer's channels, kernel, padding, stride and dilation; the
    output size comes from :func:`conv_output_shape`. With ``groups=g`` each
    output channel sees only ``c_i / g`` input channels.
    """
    if not isinstance(layer, nn.Conv2d):
        raise TypeError(f"layer must be an nn.Conv2d, got {type(layer).__name__}")
    if isinstance(layer.padding, str):
        raise ValueError(f"layer.padding must be numbers, not {layer.padding!r}; give explicit padding")
    m = conv_output_shape(input_size, layer.kernel_size, padding=layer.padding,
                          stride=layer.stride, dilation=layer.dilation)
    return conv2d_macs(layer.in_channels // layer.groups, layer.out_channels, layer.kernel_size, m)


def measured_macs(module: nn.Module, X: torch.Tensor) -> int:
    """Multiply-adds PyTorch itself counts while running ``module(X)``.

    X: (batch, c_i, n_h, n_w). Uses ``torch.utils.flop_counter.FlopCounterMode``,
    which counts 2 FLOPs (one multiply, one add) per multiply-add, for the
    whole batch; the result is divided by 2 and by the batch size.
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be an nn.Module, got {type(module).__name__}")
    X = check_tensor(X, "X", (4,), "(batch, c_i, n_h, n_w)")
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        module(X)
    return counter.get_total_flops() // 2 // X.shape[0]
