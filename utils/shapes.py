"""Shape arithmetic for convolution and pooling layers."""

from __future__ import annotations

from ._checks import IntOrPair, as_pair, check_fits, check_int

__all__ = ["conv_output_shape", "d2l_output_shape", "padding_per_side", "same_padding"]


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


def same_padding(
    kernel_size: IntOrPair, *, dilation: IntOrPair = 1
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Padding that keeps the output as large as the input at stride 1.

    Returns ``((top, bottom), (left, right))``. The total is
    ``p_h = d_h·(k_h − 1)`` rows (d2l's ``p_h = k_h − 1`` when undilated). For an
    odd kernel it splits evenly; for an even one d2l puts ``⌈p_h/2⌉`` on top and
    ``⌊p_h/2⌋`` at the bottom (``⌈p_w/2⌉`` left, ``⌊p_w/2⌋`` right). Use it with
    ``F.pad(X, (left, right, top, bottom))``. Note: PyTorch's ``padding="same"``
    splits the other way round (the extra row goes to the bottom/right).
    """
    k = as_pair(kernel_size, "kernel_size", minimum=1)
    d = as_pair(dilation, "dilation", minimum=1)
    return tuple(padding_per_side(d[i] * (k[i] - 1)) for i in range(2))  # type: ignore[return-value]


def padding_per_side(total: int) -> tuple[int, int]:
    """Split d2l's total padding ``p`` into (before, after) = ``(⌈p/2⌉, ⌊p/2⌋)``.

    d2l's formulas count ``p_h`` = all padding rows; ``nn.Conv2d(padding=q)``
    adds ``q`` rows on *each* side, i.e. ``p_h = 2q``. An odd total has no
    ``nn.Conv2d`` equivalent and needs ``F.pad`` (asymmetric) instead.
    """
    p = check_int(total, "total", 0)
    return ((p + 1) // 2, p // 2)


def d2l_output_shape(
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    *,
    total_padding: IntOrPair = 0,
    stride: IntOrPair = 1,
) -> tuple[int, int]:
    """d2l's output-shape formula, with TOTAL padding: ``⌊(n_h − k_h + p_h + s_h) / s_h⌋``.

    ``total_padding = (p_h, p_w)`` counts all padded rows/columns (top +
    bottom), so it may be odd. With ``p_h = 2·padding`` this equals
    :func:`conv_output_shape` (``nn.Conv2d``'s per-side ``padding``).
    """
    n = as_pair(input_size, "input_size", minimum=1)
    k = as_pair(kernel_size, "kernel_size", minimum=1)
    p = as_pair(total_padding, "total_padding", minimum=0)
    s = as_pair(stride, "stride", minimum=1)
    for axis, ni, ki, pi in zip(("height", "width"), n, k, p, strict=True):
        if ki > ni + pi:
            raise ValueError(
                f"kernel {axis} {ki} is larger than the padded input {axis} {ni} + {pi} = {ni + pi}; "
                "use a smaller kernel or more padding"
            )
    return tuple((n[i] - k[i] + p[i] + s[i]) // s[i] for i in range(2))  # type: ignore[return-value]
