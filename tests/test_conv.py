"""utils.conv against PyTorch (the oracle), on worked examples, random shapes and bad input."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from utils import (
    convolve2d,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out,
    corr2d_multi_in_out_1x1,
    sliding_windows,
)

ATOL = 1e-4


def torch_conv(X, K, **kw):
    """F.conv2d on X: (c_i, H, W) or (H, W) and K: (c_o, c_i, k_h, k_w)."""
    return F.conv2d(X.reshape(1, -1, *X.shape[-2:]), K, **kw)[0]


# ---- the book's worked examples---------------------------------------------------------

def test_corr2d_book_example():
    X = torch.tensor([[0.0, 1, 2], [3, 4, 5], [6, 7, 8]])
    K = torch.tensor([[0.0, 1], [2, 3]])
    assert torch.equal(corr2d(X, K), torch.tensor([[19.0, 25], [37, 43]]))


def test_corr2d_accepts_integer_tensors():
    X = torch.arange(9).reshape(3, 3)
    K = torch.arange(4).reshape(2, 2)
    Y = corr2d(X, K)
    assert Y.dtype == torch.get_default_dtype()
    assert Y.tolist() == [[19, 25], [37, 43]]


def test_vertical_edge_example_and_transpose():
    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    K = torch.tensor([[1.0, -1.0]])
    Y = corr2d(X, K)
    expected_row = torch.tensor([0.0, 1, 0, 0, 0, -1, 0])
    assert Y.shape == (6, 7)
    assert torch.equal(Y, expected_row.expand(6, 7))
    assert torch.count_nonzero(corr2d(X.t(), K)) == 0  # K only sees vertical edges


def test_multi_in_book_example():
    X = torch.stack([torch.arange(9.0).reshape(3, 3), torch.arange(1.0, 10).reshape(3, 3)])
    K = torch.stack([torch.arange(4.0).reshape(2, 2), torch.arange(1.0, 5).reshape(2, 2)])
    assert torch.equal(corr2d_multi_in(X, K), torch.tensor([[56.0, 72], [104, 120]]))
    K2 = torch.stack((K, K + 1, K + 2))
    assert K2.shape == (3, 2, 2, 2)
    expected = torch.tensor([[[56.0, 72], [104, 120]], [[76, 100], [148, 172]], [[96, 128], [192, 224]]])
    assert torch.equal(corr2d_multi_in_out(X, K2), expected)


def test_convolve2d_flips_kernel():
    X = torch.arange(9.0).reshape(3, 3)
    K = torch.tensor([[0.0, 1], [2, 3]])
    # strict convolution: 0*3 + 1*2 + 3*1 + 4*0 = 5 at the top-left
    assert convolve2d(X, K)[0, 0].item() == 5
    assert torch.equal(convolve2d(X, K), corr2d(X, K.flip(0, 1)))
    assert torch.equal(convolve2d(X, K.flip(0, 1)), corr2d(X, K))


# ---- random shapes against PyTorch ---------------------------------------------------------

pairs = st.tuples(st.integers(1, 3), st.integers(1, 3))


@st.composite
def conv_case(draw, max_c=3):
    k = draw(pairs)
    d = draw(st.tuples(st.integers(1, 2), st.integers(1, 2)))
    p = draw(st.tuples(st.integers(0, 2), st.integers(0, 2)))
    s = draw(pairs)
    span = [d[i] * (k[i] - 1) + 1 for i in range(2)]
    H = draw(st.integers(max(1, span[0] - 2 * p[0]), 9))
    W = draw(st.integers(max(1, span[1] - 2 * p[1]), 9))
    c_i = draw(st.integers(1, max_c))
    c_o = draw(st.integers(1, max_c))
    seed = draw(st.integers(0, 2**16))
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(c_i, H, W, generator=g, dtype=torch.float64)
    K = torch.randn(c_o, c_i, *k, generator=g, dtype=torch.float64)
    kw = {"padding": p, "stride": s, "dilation": d}
    return X, K, kw


@settings(max_examples=60, deadline=None)
@given(conv_case(max_c=1))
def test_corr2d_matches_conv2d(case):
    X, K, kw = case
    got = corr2d(X[0], K[0, 0], **kw)
    assert torch.allclose(got, torch_conv(X, K, **kw)[0], atol=ATOL)


@settings(max_examples=60, deadline=None)
@given(conv_case())
def test_multi_in_out_matches_conv2d(case):
    X, K, kw = case
    expected = torch_conv(X, K, **kw)
    assert torch.allclose(corr2d_multi_in_out(X, K, **kw), expected, atol=ATOL)
    assert torch.allclose(corr2d_multi_in(X, K[0], **kw), expected[0], atol=ATOL)


@settings(max_examples=30, deadline=None)
@given(conv_case(max_c=1))
def test_convolve2d_matches_flipped_conv2d(case):
    X, K, kw = case
    expected = torch_conv(X, K.flip(-2, -1), **kw)[0]
    assert torch.allclose(convolve2d(X[0], K[0, 0], **kw), expected, atol=ATOL)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 6), st.integers(1, 6))
def test_1x1_is_matmul_and_matches_conv2d(c_i, c_o, H, W):
    g = torch.Generator().manual_seed(c_i * 100 + c_o * 10 + H + W)
    X = torch.randn(c_i, H, W, generator=g)
    K = torch.randn(c_o, c_i, 1, 1, generator=g)
    Y = corr2d_multi_in_out_1x1(X, K)
    assert torch.allclose(Y, corr2d_multi_in_out(X, K), atol=ATOL)
    assert torch.allclose(Y, torch_conv(X, K), atol=ATOL)
    assert torch.allclose(corr2d_multi_in_out_1x1(X, K[:, :, 0, 0]), Y, atol=ATOL)


def test_int_argument_equals_pair():
    X, K = torch.randn(7, 9), torch.randn(3, 3)
    assert torch.equal(corr2d(X, K, padding=1, stride=2, dilation=2),
                       corr2d(X, K, padding=(1, 1), stride=(2, 2), dilation=(2, 2)))


def test_sliding_windows_is_a_view_of_every_patch():
    X = torch.arange(12.0).reshape(3, 4)
    win = sliding_windows(X, (2, 3))
    assert win.shape == (2, 2, 2, 3)
    assert torch.equal(win[1, 1], X[1:3, 1:4])
    assert win.data_ptr() == X.data_ptr()  # no copy without padding


# ---- gradients -------------------------------------------------------------------------------

def test_gradients_flow_to_X_and_K_like_conv2d():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(2, 6, 7, generator=g, dtype=torch.float64, requires_grad=True)
    K = torch.randn(3, 2, 3, 2, generator=g, dtype=torch.float64, requires_grad=True)
    kw = {"padding": (1, 0), "stride": (2, 1), "dilation": (1, 2)}
    corr2d_multi_in_out(X, K, **kw).square().sum().backward()
    gX, gK = X.grad.clone(), K.grad.clone()
    X.grad = K.grad = None
    torch_conv(X, K, **kw).square().sum().backward()
    assert torch.allclose(gX, X.grad) and torch.allclose(gK, K.grad)


def test_gradcheck_single_channel():
    X = torch.randn(5, 6, dtype=torch.float64, requires_grad=True)
    K = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda x, k: corr2d(x, k, padding=1, stride=2), (X, K))
    assert torch.autograd.gradcheck(convolve2d, (X, K))
    assert torch.autograd.gradcheck(corr2d_multi_in_out_1x1,
                                    (X[None].detach().requires_grad_(), K[None, None, :1, :1].detach()
                                     .repeat(2, 1, 1, 1).requires_grad_()))


# ---- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: corr2d([[1, 2]], torch.ones(1, 1)), TypeError, r"X must be a torch.Tensor.*got list"),
        (lambda: corr2d(torch.ones(3, 3), 2), TypeError, r"K must be a torch.Tensor"),
        (lambda: corr2d(torch.ones(1, 3, 3), torch.ones(2, 2)), ValueError, r"X must have shape \(H, W\).*3-D"),
        (lambda: corr2d(torch.ones(3, 3), torch.ones(2)), ValueError, r"K must have shape \(k_h, k_w\)"),
        (lambda: corr2d(torch.ones(3, 3), torch.ones(4, 2)), ValueError, r"kernel height 4 is larger than the padded input height 3"),
        (lambda: corr2d(torch.ones(3, 3), torch.ones(2, 2), dilation=3), ValueError, r"dilated span 4"),
        (lambda: corr2d(torch.ones(3, 3), torch.ones(2, 2), stride=0), ValueError, r"stride must be positive"),
        (lambda: corr2d(torch.ones(3, 3), torch.ones(2, 2), stride=(1, -1)), ValueError, r"stride must be positive"),
        (lambda: corr2d(torch.ones(3, 3), torch.ones(2, 2), dilation=0), ValueError, r"dilation must be positive"),
        (lambda: corr2d(torch.ones(3, 3), torch.ones(2, 2), padding=-1), ValueError, r"padding must be non-negative"),
        (lambda: corr2d(torch.ones(3, 3), torch.ones(2, 2), padding=1.5), TypeError, r"padding must be an int or an \(h, w\) pair"),
        (lambda: corr2d(torch.ones(3, 3), torch.ones(2, 2), stride=(1, 2, 3)), ValueError, r"stride must be an int or an \(h, w\) pair"),
        (lambda: corr2d(torch.ones(3, 3), torch.ones(2, 2), stride=True), TypeError, r"stride must be an int"),
        (lambda: convolve2d(torch.ones(3, 3), torch.ones(2, 2, 1)), ValueError, r"K must have shape \(k_h, k_w\)"),
        (lambda: corr2d_multi_in(torch.ones(2, 3, 3), torch.ones(3, 2, 2)), ValueError, r"channel mismatch: X has 2 .* K has 3 \(K.shape\[0\]\)"),
        (lambda: corr2d_multi_in(torch.ones(3, 3), torch.ones(3, 2, 2)), ValueError, r"X must have shape \(c_i, H, W\)"),
        (lambda: corr2d_multi_in_out(torch.ones(2, 3, 3), torch.ones(2, 2, 2)), ValueError, r"K must have shape \(c_o, c_i, k_h, k_w\)"),
        (lambda: corr2d_multi_in_out(torch.ones(2, 3, 3), torch.ones(1, 3, 2, 2)), ValueError, r"channel mismatch.*K.shape\[1\]"),
        (lambda: corr2d_multi_in_out_1x1(torch.ones(2, 3, 3), torch.ones(1, 2, 2, 2)), ValueError, r"1×1 kernel"),
        (lambda: corr2d_multi_in_out_1x1(torch.ones(2, 3, 3), torch.ones(1, 3)), ValueError, r"channel mismatch"),
        (lambda: sliding_windows(torch.ones(3, 3), 0), ValueError, r"kernel_size must be positive"),
    ],
)
def test_bad_input_raises_clear_error(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
