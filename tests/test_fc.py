"""utils.fc: parameter counts, the W ↔ V re-indexing, and conv as a constrained FC layer."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from utils import corr2d
from utils.fc import (
    fc_from_v,
    fc_hidden,
    fc_param_count,
    kernel_to_fc_weight,
    shift2d,
    v_from_w,
    w_from_v,
)


def n_params(module):
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize(("shape", "units"), [((3, 32, 32), 100), (784, 10), ((1, 28, 28), 1)])
@pytest.mark.parametrize("bias", [True, False])
def test_fc_param_count_matches_nn_linear(shape, units, bias):
    n_in = shape if isinstance(shape, int) else shape[0] * shape[1] * shape[2]
    assert fc_param_count(shape, units, bias=bias) == n_params(nn.Linear(n_in, units, bias=bias))


def test_fc_param_count_of_the_chapter_photo_on_the_meta_device():
    # 12 MP RGB photo into 100 hidden units: allocating it for real would take 14.4 GB
    layer = nn.Linear(3 * 3000 * 4000, 100, device="meta")
    assert fc_param_count((3, 3000, 4000), 100) == n_params(layer) == 3_600_000_100



def test_param_count_errors():
    with pytest.raises(ValueError, match="hidden_units must be positive"):
        fc_param_count((3, 4, 4), 0)
    with pytest.raises(TypeError, match="input_shape must be a non-empty tuple of positive ints"):
        fc_param_count((3, 4.5), 10)
    with pytest.raises(ValueError, match="input_shape must be a non-empty tuple of positive ints"):
        fc_param_count((), 10)
    with pytest.raises(TypeError, match="input_shape must be an int"):
        fc_param_count("784", 10)


@settings(max_examples=25, deadline=None)
@given(h=st.integers(1, 5), w=st.integers(1, 5), seed=st.integers(0, 10_000))
def test_v_is_a_lossless_reindexing_of_w(h, w, seed):
    gen = torch.Generator().manual_seed(seed)
    W = torch.randn(h, w, h, w, generator=gen)
    X = torch.randn(h, w, generator=gen)
    V = v_from_w(W)
    assert V.shape == (h, w, 2 * h - 1, 2 * w - 1)
    assert torch.equal(w_from_v(V), W)
    # both ways of writing the layer give the same hidden map, and nn.Linear agrees
    H = fc_hidden(X, W)
    assert torch.allclose(fc_from_v(X, V), H, atol=1e-5)
    linear = nn.Linear(h * w, h * w, bias=False)
    with torch.no_grad():
        linear.weight.copy_(W.reshape(h * w, h * w))
    assert torch.allclose(linear(X.reshape(-1)).reshape(h, w), H, atol=1e-5)


def test_v_entries_follow_the_formula_and_outside_offsets_are_zero():
    W = torch.arange(3 * 4 * 3 * 4, dtype=torch.float32).reshape(3, 4, 3, 4)
    V = v_from_w(W)
    for i, j, a, b in [(0, 0, 2, 3), (2, 1, -2, 2), (1, 3, 0, -3)]:
        assert V[i, j, a + 2, b + 3] == W[i, j, i + a, j + b]
    assert V[0, 0, 2 - 1, 3] == 0  # offset a = -1 from row 0 points above the image
    assert V[2, 3, 2 + 1, 3] == 0  # a = +1 from the last row points below it


def test_bias_is_added():
    W = torch.zeros(2, 2, 2, 2)
    X = torch.ones(2, 2)
    U = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert torch.equal(fc_hidden(X, W, U), U)
    assert torch.equal(fc_from_v(X, v_from_w(W), U), U)


@pytest.mark.parametrize(("k", "size"), [((3, 3), (5, 6)), ((1, 1), (4, 4)), ((5, 3), (6, 7)), ((3, 5), (2, 2))])
def test_shared_local_v_is_a_convolution(k, size):
    torch.manual_seed(0)
    K = torch.randn(*k)
    X = torch.randn(*size)
    W = kernel_to_fc_weight(K, size)
    Y_conv = corr2d(X, K, padding=(k[0] // 2, k[1] // 2))
    assert torch.allclose(fc_hidden(X, W), Y_conv, atol=1e-5)
    # translation invariance: the offset view V no longer depends on (i, j) where defined
    V = v_from_w(W)
    h, w = size
    dh, dw = k[0] // 2, k[1] // 2
    centre = V[:, :, h - 1 - dh: h + dh, w - 1 - dw: w + dw]
    inner = centre[dh: h - dh, dw: w - dw] if h > 2 * dh and w > 2 * dw else centre[:0]
    for block in inner.reshape(-1, *k):
        assert torch.equal(block, K)
    # locality: nothing outside |a| <= Δ_h, |b| <= Δ_w
    mask = torch.ones_like(V, dtype=torch.bool)
    mask[:, :, max(h - 1 - dh, 0): h + dh, max(w - 1 - dw, 0): w + dw] = False
    assert (V[mask] == 0).all()


def test_fc_errors():
    with pytest.raises(ValueError, match=r"W must map an \(H, W\) image"):
        v_from_w(torch.zeros(2, 3, 3, 2))
    with pytest.raises(ValueError, match=r"V must have shape \(H, W, 2H-1, 2W-1\)"):
        w_from_v(torch.zeros(2, 2, 2, 2))
    with pytest.raises(ValueError, match="W has shape"):
        fc_hidden(torch.zeros(3, 3), torch.zeros(2, 2, 2, 2))
    with pytest.raises(ValueError, match="V has shape"):
        fc_from_v(torch.zeros(3, 3), torch.zeros(2, 2, 3, 3))
    with pytest.raises(TypeError, match="X must be a torch.Tensor"):
        fc_hidden([[1.0]], torch.zeros(1, 1, 1, 1))
    with pytest.raises(ValueError, match="K must have odd height and width"):
        kernel_to_fc_weight(torch.ones(2, 3), 4)


def test_shift2d_moves_content_and_fills_zeros():
    X = torch.arange(1.0, 10.0).reshape(3, 3)
    assert torch.equal(shift2d(X, (1, 0)), torch.tensor([[0.0, 0, 0], [1, 2, 3], [4, 5, 6]]))
    assert torch.equal(shift2d(X, (0, -1)), torch.tensor([[2.0, 3, 0], [5, 6, 0], [8, 9, 0]]))
    assert torch.equal(shift2d(X, 0), X)
    assert torch.equal(shift2d(X, (3, 0)), torch.zeros(3, 3))
    batch = torch.stack([X, 2 * X])
    assert torch.equal(shift2d(batch, (1, 1))[1], 2 * shift2d(X, (1, 1)))
    with pytest.raises(TypeError, match="shift must be an int or a"):
        shift2d(X, (1.5, 0))
    with pytest.raises(ValueError, match="shift must be an int or a"):
        shift2d(X, (1, 2, 3))


@settings(max_examples=20, deadline=None)
@given(dy=st.integers(-3, 3), dx=st.integers(-3, 3), seed=st.integers(0, 1000))
def test_convolution_is_shift_equivariant_fc_is_not(dy, dx, seed):
    gen = torch.Generator().manual_seed(seed)
    X = torch.zeros(16, 16)
    X[5:11, 5:11] = torch.rand(6, 6, generator=gen) + 0.1  # content away from the border
    K = torch.randn(3, 3, generator=gen)
    conv = nn.Conv2d(1, 1, 3, padding=1, bias=False)
    with torch.no_grad():
        conv.weight.copy_(K.reshape(1, 1, 3, 3))
        Y_shifted_input = conv(shift2d(X, (dy, dx))[None, None])[0, 0]
        Y_shifted_output = shift2d(conv(X[None, None])[0, 0], (dy, dx))
    assert torch.allclose(Y_shifted_input, Y_shifted_output, atol=1e-5)
    if (dy, dx) != (0, 0):
        W = torch.randn(256, 256, generator=gen)
        fc_of_shift = (W @ shift2d(X, (dy, dx)).reshape(-1)).reshape(16, 16)
        shift_of_fc = shift2d((W @ X.reshape(-1)).reshape(16, 16), (dy, dx))
        assert not torch.allclose(fc_of_shift, shift_of_fc, atol=1e-2)
