"""conv_output_shape must equal what nn.Conv2d produces."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from utils import conv_output_shape


def conv_shape(n, k, p, s, d=1):
    layer = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=s, dilation=d)
    return tuple(layer(torch.zeros(1, 1, *n)).shape[-2:])


@pytest.mark.parametrize(
    ("k", "p", "s", "expected"),
    [(3, 1, 1, (8, 8)), ((5, 3), (2, 1), 1, (8, 8)), (3, 1, 2, (4, 4)), ((3, 5), (0, 1), (3, 4), (2, 2))],
)
def test_seed_comp_conv2d_examples(k, p, s, expected):
    assert conv_output_shape(8, k, padding=p, stride=s) == expected == conv_shape((8, 8), k, p, s)


def test_seed_padding_two_example():
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
