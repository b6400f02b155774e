"""Pooling (池化), vectorised.

Semantics are those of ``F.max_pool2d`` and ``F.avg_pool2d`` with
``count_include_pad=True``, except that the stride defaults to 1, as in d2l's
from-scratch ``pool2d`` (``nn.MaxPool2d`` defaults its stride to the window).
"""

from __future__ import annotations

import torch

from ._checks import IntOrPair, as_pair, check_choice, check_tensor
from .conv import _windows

__all__ = ["pool2d"]

MODES = ("max", "avg")


def pool2d(
    X: torch.Tensor,
    pool_size: IntOrPair,
    mode: str = "max",
    *,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
) -> torch.Tensor:
    """Max or average pooling over every window.

    X: (H, W) or (C, H, W) → (H', W') or (C, H', W'); each channel is pooled on
    its own, so the channel count is unchanged. There are no parameters.
    Max pooling pads with -inf (padding never wins); average pooling pads with
    zeros and divides by the full window size (``count_include_pad=True``).
    """
    X = check_tensor(X, "X", (2, 3), "(H, W) or (C, H, W)")
    k = as_pair(pool_size, "pool_size", minimum=1)
    p = as_pair(padding, "padding", minimum=0)
    s = as_pair(stride, "stride", minimum=1)
    check_choice(mode, "mode", MODES)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(
            f"padding must be at most half the pool_size (as in PyTorch), "
            f"got padding={p} for pool_size={k}"
        )
    pad_value = float("-inf") if mode == "max" else 0.0
    win = _windows(X, k, p, s, (1, 1), pad_value)
    if mode == "max":
        return win.amax(dim=(-2, -1))
    return win.mean(dim=(-2, -1))
