"""Cross-correlation as a matrix multiplication, with F.conv2d as the oracle."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.conv import corr2d
from utils.toeplitz import (
    corr2d_as_matmul,
    corr2d_matrix,
    is_doubly_block_toeplitz,
    is_toeplitz,
    toeplitz_blocks,
)


def test_lesson_example():
    X = torch.arange(9.0).reshape(3, 3)
    K = torch.arange(4.0).reshape(2, 2)
    M = corr2d_matrix((3, 3), K)
    assert M.shape == (4, 9)
    assert (M @ X.reshape(-1)).tolist() == [19.0, 25.0, 37.0, 43.0]
    assert M[0].tolist() == [0, 1, 0, 2, 3, 0, 0, 0, 0]


@settings(max_examples=40, deadline=None)
@given(
    h=st.integers(3, 7), w=st.integers(3, 7), kh=st.integers(1, 3), kw=st.integers(1, 3),
    p=st.integers(0, 2), s=st.integers(1, 3), d=st.integers(1, 2), seed=st.integers(0, 10_000),
)
def test_matches_conv2d(h, w, kh, kw, p, s, d, seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(h, w, generator=g, dtype=torch.float64)
    K = torch.randn(kh, kw, generator=g, dtype=torch.float64)
    if d * (kh - 1) + 1 > h + 2 * p or d * (kw - 1) + 1 > w + 2 * p:
        with pytest.raises(ValueError, match="larger than the padded input"):
            corr2d_matrix((h, w), K, padding=p, stride=s, dilation=d)
        return
    expected = F.conv2d(X[None, None], K[None, None], padding=p, stride=s, dilation=d)[0, 0]
    assert torch.allclose(corr2d_as_matmul(X, K, padding=p, stride=s, dilation=d), expected)
    M = corr2d_matrix((h, w), K, padding=p, stride=s, dilation=d)
    assert M.shape == (expected.numel(), h * w)
    assert torch.allclose(M @ X.reshape(-1), expected.reshape(-1))
    assert torch.allclose(corr2d(X, K, padding=p, stride=s, dilation=d), expected)


def test_doubly_block_toeplitz_structure():
    K = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    M = corr2d_matrix((4, 5), K)  # output 3×3
    assert is_doubly_block_toeplitz(M, (3, 5))
    B = toeplitz_blocks(M, (3, 5))
    assert B.shape == (3, 4, 3, 5)
    assert torch.equal(B[0, 0], B[1, 1]) and torch.equal(B[0, 1], B[2, 3])
    assert not B[0, 2].any() and not B[1, 0].any()  # only k_h = 2 nonzero block diagonals
    assert B[0, 0, 0, :3].tolist() == [1.0, 2.0, 3.0]
    # stride 2 breaks the structure; a random matrix never has it
    assert not is_doubly_block_toeplitz(corr2d_matrix((5, 5), K, stride=2), (2, 5))
    assert not is_doubly_block_toeplitz(torch.randn(9, 25, generator=torch.Generator().manual_seed(0)), (3, 5))


def test_transpose_is_transposed_convolution():
    g = torch.Generator().manual_seed(3)
    K = torch.randn(3, 3, generator=g, dtype=torch.float64)
    Y = torch.randn(4, 4, generator=g, dtype=torch.float64)
    M = corr2d_matrix((6, 6), K)
    expected = F.conv_transpose2d(Y[None, None], K[None, None])[0, 0]
    assert torch.allclose((M.T @ Y.reshape(-1)).reshape(6, 6), expected)


def test_is_toeplitz():
    assert is_toeplitz(torch.tensor([[1.0, 2.0, 3.0], [0.0, 1.0, 2.0]]))
    assert not is_toeplitz(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))


def test_errors():
    with pytest.raises(TypeError, match="K must be a torch.Tensor"):
        corr2d_matrix((3, 3), [[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"K must have shape \(k_h, k_w\)"):
        corr2d_matrix((3, 3), torch.ones(3))
    with pytest.raises(ValueError, match="input_size must be positive"):
        corr2d_matrix((0, 3), torch.ones(1, 1))
    with pytest.raises(ValueError, match="does not tile"):
        toeplitz_blocks(torch.ones(4, 9), (3, 3))
    with pytest.raises(ValueError, match=r"X must have shape \(H, W\)"):
        corr2d_as_matmul(torch.ones(2, 3, 3), torch.ones(2, 2))
