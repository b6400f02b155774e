"""utils.pool against F.max_pool2d / F.avg_pool2d(count_include_pad=True)."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from utils import pool2d


def test_book_example_max_and_avg():
    X = torch.arange(9.0).reshape(3, 3)
    assert torch.equal(pool2d(X, (2, 2)), torch.tensor([[4.0, 5], [7, 8]]))
    assert torch.equal(pool2d(X, (2, 2), "avg"), torch.tensor([[2.0, 3], [5, 6]]))


def test_channels_pooled_independently():
    X = torch.arange(16.0).reshape(1, 4, 4)
    X2 = torch.cat((X, X + 1))
    Y = pool2d(X2, 3, padding=1, stride=2)
    assert Y.shape == (2, 2, 2)
    assert torch.equal(Y[1], Y[0] + 1)
    assert torch.equal(Y, F.max_pool2d(X2, 3, padding=1, stride=2))


@st.composite
def pool_case(draw):
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    H = draw(st.integers(max(1, k[0] - 2 * p[0]), 9))
    W = draw(st.integers(max(1, k[1] - 2 * p[1]), 9))
    C = draw(st.integers(1, 3))
    X = torch.randn(C, H, W, generator=torch.Generator().manual_seed(draw(st.integers(0, 9999))),
                    dtype=torch.float64)
    return X, k, p, s


@settings(max_examples=80, deadline=None)
@given(pool_case())
def test_matches_torch(case):
    X, k, p, s = case
    assert torch.allclose(pool2d(X, k, padding=p, stride=s), F.max_pool2d(X, k, s, p))
    assert torch.allclose(pool2d(X, k, "avg", padding=p, stride=s),
                          F.avg_pool2d(X, k, s, p, count_include_pad=True))
    assert torch.allclose(pool2d(X[0], k, padding=p, stride=s), F.max_pool2d(X[:1], k, s, p)[0])


def test_gradients_match_torch():
    X = torch.randn(2, 5, 6, dtype=torch.float64, requires_grad=True)
    for mode, ref in (("max", F.max_pool2d), ("avg", F.avg_pool2d)):
        pool2d(X, 3, mode, padding=1, stride=2).pow(2).sum().backward()
        mine = X.grad.clone()
        X.grad = None
        ref(X, 3, 2, 1).pow(2).sum().backward()
        assert torch.allclose(mine, X.grad), mode
        X.grad = None


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"X": "img", "pool_size": 2}, TypeError, r"X must be a torch.Tensor"),
        ({"X": torch.ones(3), "pool_size": 2}, ValueError, r"X must have shape \(H, W\) or \(C, H, W\)"),
        ({"X": torch.ones(3, 3), "pool_size": 2, "mode": "mean"}, ValueError, r"mode must be 'max' or 'avg', got 'mean'"),
        ({"X": torch.ones(3, 3), "pool_size": 0}, ValueError, r"pool_size must be positive"),
        ({"X": torch.ones(3, 3), "pool_size": 4}, ValueError, r"kernel height 4 is larger than the padded input"),
        ({"X": torch.ones(3, 3), "pool_size": 2, "stride": 0}, ValueError, r"stride must be positive"),
        ({"X": torch.ones(3, 3), "pool_size": 2, "padding": -1}, ValueError, r"padding must be non-negative"),
        ({"X": torch.ones(3, 3), "pool_size": 2, "padding": 2}, ValueError, r"padding must be at most half the pool_size"),
        ({"X": torch.ones(3, 3), "pool_size": "2"}, TypeError, r"pool_size must be an int"),
    ],
)
def test_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        pool2d(**kwargs)
