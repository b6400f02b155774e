"""Cross-correlation (互相关) and convolution, vectorised.

The notebooks teach the two-loop version once; this module keeps the fast
version the rest of the course calls. Semantics are those of
``torch.nn.functional.conv2d``: ``padding`` is added on *each* side, and
``stride``/``dilation`` act the same way. Every function is differentiable
with respect to both ``X`` and ``K``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ._checks import IntOrPair, Pair, as_pair, check_fits, check_tensor, common_dtype

__all__ = [
    "corr2d",
    "convolve2d",
    "corr2d_multi_in",
    "corr2d_multi_in_out",
    "corr2d_multi_in_out_1x1",
    "sliding_windows",
]


def sliding_windows(
    X: torch.Tensor,
    kernel_size: IntOrPair,
    *,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
    dilation: IntOrPair = 1,
    pad_value: float = 0.0,
) -> torch.Tensor:
    """Every window a kernel visits, as a view.

    X: (..., H, W) → (..., H', W', k_h, k_w), where ``[..., i, j, :, :]`` is the
    patch of the padded input that output position ``(i, j)`` sees. No Python
    loop over positions: the result is a strided view of (padded) ``X``.
    """
    X = check_tensor(X, "X", tuple(range(2, 9)), "(..., H, W)")
    k = as_pair(kernel_size, "kernel_size", minimum=1)
    p = as_pair(padding, "padding", minimum=0)
    s = as_pair(stride, "stride", minimum=1)
    d = as_pair(dilation, "dilation", minimum=1)
    return _windows(X, k, p, s, d, pad_value)


def _windows(X: torch.Tensor, k: Pair, p: Pair, s: Pair, d: Pair, pad_value: float) -> torch.Tensor:
    check_fits(tuple(X.shape[-2:]), k, p, d)
    if p != (0, 0):
        X = F.pad(X, (p[1], p[1], p[0], p[0]), value=pad_value)
    H, W = X.shape[-2:]
    out_h = (H - d[0] * (k[0] - 1) - 1) // s[0] + 1
    out_w = (W - d[1] * (k[1] - 1) - 1) // s[1] + 1
    X = X.contiguous()
    *lead, st_h, st_w = X.stride()
    return X.as_strided(
        (*X.shape[:-2], out_h, out_w, k[0], k[1]),
        (*lead, st_h * s[0], st_w * s[1], st_h * d[0], st_w * d[1]),
    )


def _kernel_hw(K: torch.Tensor) -> Pair:
    return (int(K.shape[-2]), int(K.shape[-1]))


def _accumulate(windows: torch.Tensor, K: torch.Tensor, spec: str | None) -> torch.Tensor:
    """Sum over kernel taps: Y = Σ_{a,b} (input shifted by (a, b)) · K[..., a, b].

    The loop runs over the k_h·k_w kernel entries, never over output positions:
    each step is one whole-tensor operation on a strided slice of the windows
    view (no copy), which is why this beats building an im2col matrix.
    ``spec`` is the einsum that contracts channels; None means plain multiply.
    """
    Y = None
    for a in range(K.shape[-2]):
        for b in range(K.shape[-1]):
            shifted, weight = windows[..., a, b], K[..., a, b]
            term = shifted * weight if spec is None else torch.einsum(spec, shifted, weight)
            Y = term if Y is None else Y + term
    return Y


def corr2d(
    X: torch.Tensor,
    K: torch.Tensor,
    *,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
    dilation: IntOrPair = 1,
) -> torch.Tensor:
    """2-D cross-correlation of one channel.

    X: (H, W), K: (k_h, k_w) → Y: (H', W') with
    ``H' = (H + 2*p_h - d_h*(k_h - 1) - 1) // s_h + 1`` (and the same for W).
    """
    X = check_tensor(X, "X", (2,), "(H, W)")
    K = check_tensor(K, "K", (2,), "(k_h, k_w)")
    X, K = common_dtype(X, K)
    win = sliding_windows(X, _kernel_hw(K), padding=padding, stride=stride, dilation=dilation)
    return _accumulate(win, K, None)


def convolve2d(
    X: torch.Tensor,
    K: torch.Tensor,
    *,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
    dilation: IntOrPair = 1,
) -> torch.Tensor:
    """Strict 2-D convolution: cross-correlation with the kernel flipped.

    X: (H, W), K: (k_h, k_w) → (H', W'); 'valid' size when ``padding=0``.
    """
    K = check_tensor(K, "K", (2,), "(k_h, k_w)")
    return corr2d(X, K.flip(0, 1), padding=padding, stride=stride, dilation=dilation)


def corr2d_multi_in(
    X: torch.Tensor,
    K: torch.Tensor,
    *,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
    dilation: IntOrPair = 1,
) -> torch.Tensor:
    """Cross-correlate each input channel with its own kernel and sum.

    X: (c_i, H, W), K: (c_i, k_h, k_w) → (H', W').
    """
    X = check_tensor(X, "X", (3,), "(c_i, H, W)")
    K = check_tensor(K, "K", (3,), "(c_i, k_h, k_w)")
    _check_channels(X.shape[0], K.shape[0], "K.shape[0]")
    X, K = common_dtype(X, K)
    win = sliding_windows(X, _kernel_hw(K), padding=padding, stride=stride, dilation=dilation)
    return _accumulate(win, K, "cij,c->ij")


def corr2d_multi_in_out(
    X: torch.Tensor,
    K: torch.Tensor,
    *,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
    dilation: IntOrPair = 1,
) -> torch.Tensor:
    """One multi-input cross-correlation per output channel, stacked.

    X: (c_i, H, W), K: (c_o, c_i, k_h, k_w) → (c_o, H', W').
    """
    X = check_tensor(X, "X", (3,), "(c_i, H, W)")
    K = check_tensor(K, "K", (4,), "(c_o, c_i, k_h, k_w)")
    _check_channels(X.shape[0], K.shape[1], "K.shape[1]")
    X, K = common_dtype(X, K)
    win = sliding_windows(X, _kernel_hw(K), padding=padding, stride=stride, dilation=dilation)
    return _accumulate(win, K, "cij,oc->oij")


def corr2d_multi_in_out_1x1(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """A 1×1 convolution written as one matrix multiplication.

    X: (c_i, H, W), K: (c_o, c_i, 1, 1) or (c_o, c_i) → (c_o, H, W).
    Each pixel's channel vector goes through the same (c_o × c_i) weight
    matrix: a fully-connected layer applied at every position.
    """
    X = check_tensor(X, "X", (3,), "(c_i, H, W)")
    K = check_tensor(K, "K", (2, 4), "(c_o, c_i, 1, 1) or (c_o, c_i)")
    if K.ndim == 4 and tuple(K.shape[-2:]) != (1, 1):
        raise ValueError(
            f"K must be a 1×1 kernel of shape (c_o, c_i, 1, 1), got {tuple(K.shape)}; "
            "use corr2d_multi_in_out for larger kernels"
        )
    _check_channels(X.shape[0], K.shape[1], "K.shape[1]")
    X, K = common_dtype(X, K)
    c_i, h, w = X.shape
    c_o = K.shape[0]
    Y = K.reshape(c_o, c_i) @ X.reshape(c_i, h * w)
    return Y.reshape(c_o, h, w)


def _check_channels(c_x: int, c_k: int, where: str) -> None:
    if c_x != c_k:
        raise ValueError(
            f"channel mismatch: X has {c_x} input channels (X.shape[0]) but K has "
            f"{c_k} ({where}); they must be equal"
        )
