"""Cross-correlation as one matrix multiplication (d2l exercise: 互相关 as a matmul).

Flatten the input row by row, ``x = X.reshape(-1)`` (length H·W). Every output
``Y[i, j]`` is a weighted sum of input pixels, so there is a matrix ``M`` of
shape ``(H'·W', H·W)`` with ``Y.reshape(-1) = M @ x``. Row ``i·W' + j`` of ``M``
holds the kernel's entries at the columns of the pixels that window ``(i, j)``
covers and zeros elsewhere.

With stride 1 and no padding, ``M`` is *doubly block Toeplitz*: split it into
``H' × H`` blocks of shape ``(W', W)``; block ``(i, r)`` depends only on
``r − i`` (it is ``T_{r−i}``, built from kernel row ``r − i``, or zero), and
each ``T_a`` is itself Toeplitz (constant along its diagonals).
"""

from __future__ import annotations

import torch

from ._checks import IntOrPair, as_pair, check_tensor
from .conv import sliding_windows
from .shapes import conv_output_shape

__all__ = ["corr2d_as_matmul", "corr2d_matrix", "is_toeplitz", "is_doubly_block_toeplitz", "toeplitz_blocks"]


def corr2d_matrix(
    input_size: IntOrPair,
    K: torch.Tensor,
    *,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
    dilation: IntOrPair = 1,
) -> torch.Tensor:
    """The matrix ``M`` with ``M @ X.reshape(-1) == corr2d(X, K, ...).reshape(-1)``.

    input_size: (H, W); K: (k_h, k_w) → M: (H'·W', H·W), same dtype as K.
    Built without a loop over positions: the index of every input pixel goes
    through ``sliding_windows`` (padding cells get index −1 and are dropped),
    and the kernel values are scattered into those columns.
    """
    H, W = as_pair(input_size, "input_size", minimum=1)
    K = check_tensor(K, "K", (2,), "(k_h, k_w)")
    index = torch.arange(H * W, dtype=torch.float64).reshape(H, W)
    win = sliding_windows(index, tuple(K.shape), padding=padding, stride=stride,
                          dilation=dilation, pad_value=-1.0)  # (H', W', k_h, k_w)
    out_h, out_w = win.shape[:2]
    cols = win.reshape(out_h * out_w, -1).long()
    rows = torch.arange(out_h * out_w).unsqueeze(1).expand_as(cols)
    vals = K.reshape(1, -1).expand_as(cols)
    keep = cols >= 0
    M = torch.zeros(out_h * out_w, H * W, dtype=K.dtype)
    # index_put_ with accumulate: a dilated/strided window never repeats a pixel, but be safe.
    M.index_put_((rows[keep], cols[keep]), vals[keep], accumulate=True)
    return M


def corr2d_as_matmul(X: torch.Tensor, K: torch.Tensor, *, padding: IntOrPair = 0,
                     stride: IntOrPair = 1, dilation: IntOrPair = 1) -> torch.Tensor:
    """``corr2d`` computed as ``M @ x``. X: (H, W), K: (k_h, k_w) → (H', W')."""
    X = check_tensor(X, "X", (2,), "(H, W)")
    M = corr2d_matrix(tuple(X.shape), K, padding=padding, stride=stride, dilation=dilation)
    out = conv_output_shape(tuple(X.shape), tuple(K.shape), padding=padding, stride=stride, dilation=dilation)
    dtype = torch.promote_types(X.dtype, M.dtype)
    return (M.to(dtype) @ X.reshape(-1).to(dtype)).reshape(out)


def toeplitz_blocks(M: torch.Tensor, block_shape: tuple[int, int]) -> torch.Tensor:
    """Split M: (R·b_h, C·b_w) into blocks → (R, C, b_h, b_w)."""
    M = check_tensor(M, "M", (2,), "(rows, cols)")
    b_h, b_w = as_pair(block_shape, "block_shape", minimum=1)
    if M.shape[0] % b_h or M.shape[1] % b_w:
        raise ValueError(f"block_shape {(b_h, b_w)} does not tile M of shape {tuple(M.shape)}")
    R, C = M.shape[0] // b_h, M.shape[1] // b_w
    return M.reshape(R, b_h, C, b_w).permute(0, 2, 1, 3)


def is_toeplitz(T: torch.Tensor) -> bool:
    """True when T: (m, n) is constant along every diagonal (T[i, j] depends on j − i only)."""
    T = check_tensor(T, "T", (2,), "(m, n)")
    return bool(torch.equal(T[1:, 1:], T[:-1, :-1]))


def is_doubly_block_toeplitz(M: torch.Tensor, block_shape: tuple[int, int]) -> bool:
    """True when M is block Toeplitz with blocks of ``block_shape`` that are Toeplitz themselves."""
    B = toeplitz_blocks(M, block_shape)
    same_along_block_diagonals = torch.equal(B[1:, 1:], B[:-1, :-1])
    return bool(same_along_block_diagonals and all(is_toeplitz(b) for b in B.reshape(-1, *B.shape[2:])))
