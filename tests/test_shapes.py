"""utils.shapes: conv_output_shape equals what nn.Conv2d produces; d2l's total padding and
'same' padding split agree with nn.Conv2d's per-side padding and F.pad."""

import warnings

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from utils.shapes import conv_output_shape, d2l_output_shape, padding_per_side, same_padding


def conv_shape(n, k, p, s, d=1):
    layer = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=s, dilation=d)
    return tuple(layer(torch.zeros(1, 1, *n)).shape[-2:])


@pytest.mark.parametrize(
    ("k", "p", "s", "expected"),
    [(3, 1, 1, (8, 8)), ((5, 3), (2, 1), 1, (8, 8)), (3, 1, 2, (4, 4)), ((3, 5), (0, 1), (3, 4), (2, 2))],
)
def test_book_comp_conv2d_examples(k, p, s, expected):
    assert conv_output_shape(8, k, padding=p, stride=s) == expected == conv_shape((8, 8), k, p, s)


def test_book_padding_two_example():
    assert conv_output_shape(4, 2, padding=2) == (7, 7) == conv_shape((4, 4), 2, 2, 1)


@settings(max_examples=100, deadline=None)
@given(
    st.tuples(st.integers(1, 20), st.integers(1, 20)),
    st.tuples(st.integers(1, 5), st.integers(1, 5)),
    st.tuples(st.integers(0, 3), st.integers(0, 3)),
    st.tuples(st.integers(1, 4), st.integers(1, 4)),
    st.tuples(st.integers(1, 3), st.integers(1, 3)),
)
def test_matches_nn_conv2d(n, k, p, s, d):
    fits = all(d[i] * (k[i] - 1) + 1 <= n[i] + 2 * p[i] for i in range(2))
    if not fits:
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv_output_shape(n, k, padding=p, stride=s, dilation=d)
        return
    assert conv_output_shape(n, k, padding=p, stride=s, dilation=d) == conv_shape(n, k, p, s, d)


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "match"),
    [
        (((0, 4), 3), {}, ValueError, r"input_size must be positive"),
        ((8, 3), {"stride": 0}, ValueError, r"stride must be positive"),
        ((8, 3), {"padding": (1, -1)}, ValueError, r"padding must be non-negative"),
        ((8, 3), {"dilation": 0}, ValueError, r"dilation must be positive"),
        ((8, 9), {}, ValueError, r"kernel height 9 is larger than the padded input height 8"),
        ((8.0, 3), {}, TypeError, r"input_size must be an int"),
    ],
)
def test_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        conv_output_shape(*args, **kwargs)


@pytest.mark.parametrize(("k", "d"), [(1, 1), (2, 1), (3, 1), (4, 1), (5, 2), ((2, 5), 1), ((4, 3), (1, 2))])
def test_same_padding_keeps_the_size(k, d):
    (top, bottom), (left, right) = same_padding(k, dilation=d)
    X = torch.randn(1, 1, 9, 10)
    kh, kw = (k, k) if isinstance(k, int) else k
    dh, dw = (d, d) if isinstance(d, int) else d
    Y = F.conv2d(F.pad(X, (left, right, top, bottom)), torch.randn(1, 1, kh, kw), dilation=(dh, dw))
    assert Y.shape[-2:] == X.shape[-2:]
    assert top + bottom == dh * (kh - 1) and left + right == dw * (kw - 1)
    assert top - bottom in (0, 1) and left - right in (0, 1)  # d2l: the larger half goes on top/left


@pytest.mark.parametrize("k", [(2, 2), (4, 2), (2, 3), (3, 3)])
def test_same_padding_is_pytorchs_same_mirrored(k):
    """PyTorch's padding='same' puts the extra row at the bottom/right, d2l at the top/left."""
    (top, bottom), (left, right) = same_padding(k)
    X = torch.randn(1, 1, 6, 7)
    conv = nn.Conv2d(1, 1, k, padding="same", bias=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # even kernels: "may require a zero-padded copy"
        Y_torch = conv(X)
    Y_flipped_split = F.conv2d(F.pad(X, (right, left, bottom, top)), conv.weight)
    assert torch.allclose(Y_torch, Y_flipped_split, atol=1e-6)


def test_padding_per_side():
    assert padding_per_side(0) == (0, 0)
    assert padding_per_side(2) == (1, 1)
    assert padding_per_side(3) == (2, 1)
    with pytest.raises(ValueError, match="total must be non-negative"):
        padding_per_side(-1)
    with pytest.raises(TypeError, match="total must be an int"):
        padding_per_side((1, 1))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 12), k=st.integers(1, 6), q=st.integers(0, 3), s=st.integers(1, 4))
def test_d2l_formula_equals_pytorch_with_total_padding_twice_per_side(n, k, q, s):
    if k > n + 2 * q:
        return
    expected = tuple(nn.Conv2d(1, 1, k, padding=q, stride=s)(torch.zeros(1, 1, n, n)).shape[-2:])
    assert d2l_output_shape(n, k, total_padding=2 * q, stride=s) == expected
    assert conv_output_shape(n, k, padding=q, stride=s) == expected


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 10), k=st.integers(1, 5), p=st.integers(0, 5), s=st.integers(1, 3))
def test_d2l_formula_with_odd_total_padding_matches_f_pad(n, k, p, s):
    if k > n + p:
        return
    before, after = padding_per_side(p)
    X = F.pad(torch.zeros(1, 1, n, n), (before, after, before, after))
    Y = F.conv2d(X, torch.zeros(1, 1, k, k), stride=s)
    assert d2l_output_shape(n, k, total_padding=p, stride=s) == tuple(Y.shape[-2:])


def test_d2l_simplifications():
    # p = k - 1: ⌊(n + s - 1) / s⌋; and n/s when s divides n
    for n in range(1, 20):
        for k in (1, 3, 5):
            for s in (1, 2, 3, 4):
                shape = d2l_output_shape(n, k, total_padding=k - 1, stride=s)
                assert shape[0] == (n + s - 1) // s
                if n % s == 0:
                    assert shape[0] == n // s


def test_d2l_output_shape_errors():
    with pytest.raises(ValueError, match="kernel height 5 is larger than the padded input height 3"):
        d2l_output_shape(3, 5)
    with pytest.raises(ValueError, match="total_padding must be non-negative"):
        d2l_output_shape(3, 1, total_padding=-1)
    with pytest.raises(TypeError, match="kernel_size must be an int"):
        same_padding(2.0)
