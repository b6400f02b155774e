"""Shape arithmetic for convolution and pooling layers."""

from __future__ import annotations

from ._checks import as_pair, check_fits
from .conv import IntOrPair

__all__ = ["conv_output_shape"]


def conv_output_shape(
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    *,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
    dilation: IntOrPair = 1,
) -> tuple[int, int]:
    """Output (h, w) of a convolution, exactly as ``nn.Conv2d`` computes it.

    ``h = ⌊(n_h + 2·p_h − d_h·(k_h − 1) − 1) / s_h⌋ + 1`` (and the same for w),
    with ``padding`` added on each side as in PyTorch. d2l writes the total
    padding ``p_h = 2·padding``, and its ``⌊(n_h − k_h + p_h + s_h) / s_h⌋`` is
    the same number when ``dilation = 1``.
    """
    n = as_pair(input_size, "input_size", minimum=1)
    k = as_pair(kernel_size, "kernel_size", minimum=1)
    p = as_pair(padding, "padding", minimum=0)
    s = as_pair(stride, "stride", minimum=1)
    d = as_pair(dilation, "dilation", minimum=1)
    check_fits(n, k, p, d)
    return tuple(  # type: ignore[return-value]
        (n[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2)
    )
