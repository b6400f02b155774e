"""From fully-connected (全连接) layers to convolution: the counting and the re-indexing.

Chapter 01 derives the convolutional layer from a fully-connected layer that
maps an image ``X: (H, W)`` to a hidden representation ``H: (H, W)`` through a
fourth-order weight tensor ``W: (H, W, H, W)``::

    [H]_{i,j} = [U]_{i,j} + Σ_{k,l} [W]_{i,j,k,l} [X]_{k,l}
              = [U]_{i,j} + Σ_{a,b} [V]_{i,j,a,b} [X]_{i+a,j+b},   [V]_{i,j,a,b} = [W]_{i,j,i+a,j+b}.

This module keeps the helpers the chapter uses: parameter counts, the
``W ↔ V`` re-indexing, the dense ``W`` a convolution kernel amounts to, and a
zero-filling image shift for the equivariance demo.
"""

from __future__ import annotations

import math

import torch

from ._checks import as_pair, check_int, check_shape, check_tensor

__all__ = [
    "fc_from_v",
    "fc_hidden",
    "fc_param_count",
    "kernel_to_fc_weight",
    "shift2d",
    "v_from_w",
    "w_from_v",
]


def fc_param_count(input_shape: int | tuple[int, ...], hidden_units: int, *, bias: bool = True) -> int:
    """Parameters of ``nn.Linear(prod(input_shape), hidden_units)``.

    input_shape: an int (number of inputs) or a shape such as ``(c, h, w)``;
    every input feeds every hidden unit, so the count is
    ``prod(input_shape) · hidden_units (+ hidden_units biases)``.
    """
    if isinstance(input_shape, (tuple, list)):
        n_in = math.prod(check_shape(input_shape, "input_shape"))
    else:
        n_in = check_int(input_shape, "input_shape", 1)
    hidden = check_int(hidden_units, "hidden_units", 1)
    return n_in * hidden + (hidden if bias else 0)



def _check_w(W: torch.Tensor) -> torch.Tensor:
    W = check_tensor(W, "W", (4,), "(H, W, H, W)")
    if W.shape[:2] != W.shape[2:]:
        raise ValueError(
            f"W must map an (H, W) image to an (H, W) hidden map, i.e. have shape (H, W, H, W); "
            f"got {tuple(W.shape)}"
        )
    return W


def _check_v(V: torch.Tensor) -> torch.Tensor:
    V = check_tensor(V, "V", (4,), "(H, W, 2H-1, 2W-1)")
    h, w, ah, aw = V.shape
    if (ah, aw) != (2 * h - 1, 2 * w - 1):
        raise ValueError(
            f"V must have shape (H, W, 2H-1, 2W-1) (offsets a, b from -(H-1) to H-1), got {tuple(V.shape)}"
        )
    return V


def _offset_index(h: int, w: int) -> tuple[torch.Tensor, ...]:
    """Broadcastable (i, j, a, b) index grids, offsets stored at ``a + h - 1``."""
    i = torch.arange(h).view(h, 1, 1, 1)
    j = torch.arange(w).view(1, w, 1, 1)
    a = torch.arange(-(h - 1), h).view(1, 1, 2 * h - 1, 1)
    b = torch.arange(-(w - 1), w).view(1, 1, 1, 2 * w - 1)
    return i, j, a, b


def v_from_w(W: torch.Tensor) -> torch.Tensor:
    """Re-index a fully-connected weight tensor by offsets: ``[V]_{i,j,a,b} = [W]_{i,j,i+a,j+b}``.

    W: (H, W, H, W) → V: (H, W, 2H-1, 2W-1). Offset ``a`` runs from ``-(H-1)``
    to ``H-1`` and is stored at index ``a + H - 1`` (the same for ``b``).
    Offsets that point outside the image (``i + a`` not in ``[0, H)``) hold 0.
    Nothing is lost: ``w_from_v(v_from_w(W))`` gives back ``W``.
    """
    W = _check_w(W)
    h, w = W.shape[:2]
    i, j, a, b = _offset_index(h, w)
    k, m = i + a, j + b
    inside = (k >= 0) & (k < h) & (m >= 0) & (m < w)
    V = W[i, j, k.clamp(0, h - 1), m.clamp(0, w - 1)]
    return torch.where(inside, V, torch.zeros((), dtype=W.dtype))


def w_from_v(V: torch.Tensor) -> torch.Tensor:
    """Undo :func:`v_from_w`: ``[W]_{i,j,k,l} = [V]_{i,j,k-i,l-j}``.

    V: (H, W, 2H-1, 2W-1) → W: (H, W, H, W). Entries of ``V`` whose offset
    points outside the image are ignored.
    """
    V = _check_v(V)
    h, w = V.shape[:2]
    i = torch.arange(h).view(h, 1, 1, 1)
    j = torch.arange(w).view(1, w, 1, 1)
    k = torch.arange(h).view(1, 1, h, 1)
    m = torch.arange(w).view(1, 1, 1, w)
    return V[i, j, k - i + h - 1, m - j + w - 1]


def fc_hidden(X: torch.Tensor, W: torch.Tensor, U: torch.Tensor | float = 0.0) -> torch.Tensor:
    """A fully-connected layer on an image kept as a matrix.

    X: (H, W), W: (H, W, H, W), U: (H, W) or a scalar → H: (H, W) with
    ``[H]_{i,j} = [U]_{i,j} + Σ_{k,l} [W]_{i,j,k,l} [X]_{k,l}``
    (the same numbers as ``nn.Linear`` with weight ``W.reshape(H*W, H*W)``).
    """
    X = check_tensor(X, "X", (2,), "(H, W)")
    W = _check_w(W)
    if tuple(W.shape[2:]) != tuple(X.shape):
        raise ValueError(f"W has shape {tuple(W.shape)} but X has shape {tuple(X.shape)}; "
                         "W must be (H, W, H, W) for X of shape (H, W)")
    return torch.einsum("ijkl,kl->ij", W, X.to(W.dtype)) + U


def fc_from_v(X: torch.Tensor, V: torch.Tensor, U: torch.Tensor | float = 0.0) -> torch.Tensor:
    """The same layer written with offsets: ``[H]_{i,j} = [U]_{i,j} + Σ_{a,b} [V]_{i,j,a,b} [X]_{i+a,j+b}``.

    X: (H, W), V: (H, W, 2H-1, 2W-1) → (H, W). Pixels outside the image count
    as 0, so this equals ``fc_hidden(X, w_from_v(V), U)``.
    """
    X = check_tensor(X, "X", (2,), "(H, W)")
    V = _check_v(V)
    h, w = X.shape
    if tuple(V.shape[:2]) != (h, w):
        raise ValueError(f"V has shape {tuple(V.shape)} but X has shape {(h, w)}; "
                         "V must be (H, W, 2H-1, 2W-1)")
    # Zero-pad X by (H-1, W-1) on every side: then X[i+a, j+b] is padded[i+a+H-1, j+b+W-1]
    # and the windows of the padded image are exactly the (a, b) grids.
    padded = torch.nn.functional.pad(X.to(V.dtype), (w - 1, w - 1, h - 1, h - 1))
    windows = padded.unfold(0, 2 * h - 1, 1).unfold(1, 2 * w - 1, 1)  # (H, W, 2H-1, 2W-1)
    return (windows * V).sum(dim=(2, 3)) + U


def kernel_to_fc_weight(K: torch.Tensor, input_size: int | tuple[int, int]) -> torch.Tensor:
    """The dense weight tensor a convolution amounts to (shared, local ``V``).

    K: (2Δ_h+1, 2Δ_w+1) with ``[K]_{a+Δ, b+Δ} = [V]_{a,b}`` → W: (H, W, H, W) with
    ``[W]_{i,j,k,l} = [V]_{k-i, l-j}`` when ``|k-i| ≤ Δ_h`` and ``|l-j| ≤ Δ_w``, else 0.
    Then ``fc_hidden(X, W)`` equals ``corr2d(X, K, padding=(Δ_h, Δ_w))``:
    a fully-connected layer with translation invariance (平移不变性) and
    locality (局部性) built in *is* a convolution.
    """
    K = check_tensor(K, "K", (2,), "(2Δ_h+1, 2Δ_w+1)")
    kh, kw = K.shape
    if kh % 2 == 0 or kw % 2 == 0:
        raise ValueError(f"K must have odd height and width (2Δ+1, centred on offset 0), got {tuple(K.shape)}")
    h, w = as_pair(input_size, "input_size", minimum=1)
    dh, dw = kh // 2, kw // 2
    i = torch.arange(h).view(h, 1, 1, 1)
    j = torch.arange(w).view(1, w, 1, 1)
    k = torch.arange(h).view(1, 1, h, 1)
    m = torch.arange(w).view(1, 1, 1, w)
    a, b = k - i, m - j
    local = (a.abs() <= dh) & (b.abs() <= dw)
    W = K[(a + dh).clamp(0, kh - 1), (b + dw).clamp(0, kw - 1)]
    return torch.where(local, W, torch.zeros((), dtype=K.dtype))


def shift2d(X: torch.Tensor, shift: int | tuple[int, int]) -> torch.Tensor:
    """Move the image content down/right by ``shift = (dy, dx)`` pixels (negative: up/left).

    X: (..., H, W) → same shape. Pixels that leave the frame are dropped and
    the uncovered border is filled with 0 (no wrap-around, unlike ``torch.roll``).
    """
    X = check_tensor(X, "X", tuple(range(2, 9)), "(..., H, W)")
    dy, dx = as_pair(shift, "shift", minimum=None, labels="(dy, dx)")
    h, w = X.shape[-2:]
    out = torch.zeros_like(X)
    if abs(dy) >= h or abs(dx) >= w:
        return out
    src_r = slice(max(0, -dy), h - max(0, dy))
    dst_r = slice(max(0, dy), h - max(0, -dy))
    src_c = slice(max(0, -dx), w - max(0, dx))
    dst_c = slice(max(0, dx), w - max(0, -dx))
    out[..., dst_r, dst_c] = X[..., src_r, src_c]
    return out
