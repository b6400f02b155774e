"""Chapter 02 exercise checkers: right answers pass, wrong ones fail with a hint."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from utils.conv import corr2d
from utils.exercises import ch02
from utils.toeplitz import corr2d_matrix

X = ch02.diagonal_image()
K = ch02.edge_kernel()


def test_diagonal_image_checker():
    assert ch02.q_diagonal_image(X)
    assert ch02.q_diagonal_image(1 - torch.tril(torch.ones(5, 7)))  # other colours, other shape
    assert ch02.q_diagonal_image(torch.ones(6, 6).triu().flip(1))   # the other diagonal
    vertical = torch.ones(6, 8)
    vertical[:, 2:6] = 0
    fb = ch02.q_diagonal_image(vertical)
    assert not fb and "more than once" in fb.message
    stripe = torch.zeros(6, 6)
    stripe[:, 3:] = 1
    assert not ch02.q_diagonal_image(stripe)  # vertical edge: does not move
    assert not ch02.q_diagonal_image(torch.ones(4, 4))
    assert not ch02.q_diagonal_image(torch.rand(5, 5))
    assert not ch02.q_diagonal_image(torch.ones(2, 2))
    with pytest.raises(TypeError, match="X must be a torch.Tensor"):
        ch02.q_diagonal_image([[0, 1], [1, 1]])
    with pytest.raises(ValueError, match="n must be an int >= 3"):
        ch02.diagonal_image(2)


@pytest.mark.parametrize("checker, make", [
    (ch02.q_edge_diagonal, lambda X: corr2d(X, K)),
    (ch02.q_edge_diagonal_transposed_X, lambda X: corr2d(X.T, K)),
    (ch02.q_edge_diagonal_transposed_K, lambda X: corr2d(X, K.T)),
])
def test_edge_predictions(checker, make):
    right = make(X)
    assert checker(right)
    assert checker(right.tolist())
    fb = checker(-right)
    assert not fb and "wrong sign" in fb.message
    assert not checker(torch.zeros_like(right))
    assert not checker(torch.zeros(3, 3))
    assert "shape" in checker(right.T if right.shape[0] != right.shape[1] else right[:-1]).message
    # a student's own image works too
    other = 1 - torch.tril(torch.ones(5, 7))
    assert checker(make(other), X=other)
    assert not checker(make(X)[:4, :4] * 0 + 1, X=other)


def test_edge_letters_are_computed_not_stored():
    assert ch02.q_edge_diagonal("b") and not ch02.q_edge_diagonal("a")
    assert ch02.q_edge_diagonal_transposed_X("c") and not ch02.q_edge_diagonal_transposed_X("a")
    assert ch02.q_edge_diagonal_transposed_K("C") and not ch02.q_edge_diagonal_transposed_K("b")
    vertical = torch.ones(6, 8)
    vertical[:, 2:6] = 0
    # the lesson's vertical edge vanishes under the transpose: letter 'a' becomes right
    assert ch02.q_edge_diagonal_transposed_X("a", X=vertical)
    assert not ch02.q_edge_diagonal("z")
    assert "letters" in ch02.q_edge_diagonal("z").message
    assert not ch02.q_edge_diagonal(object())


def test_autograd_outcome():
    assert ch02.q_autograd_outcome("b")
    assert ch02.q_autograd_outcome(" B) it trains")
    for wrong in "acd":
        fb = ch02.q_autograd_outcome(wrong)
        assert not fb and "Hint" in fb.message
    assert not ch02.q_autograd_outcome("q") and not ch02.q_autograd_outcome(3)


class LoopConv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        h, w = self.weight.shape
        Y = torch.zeros((x.shape[0] - h + 1, x.shape[1] - w + 1))
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                Y[i, j] = (x[i:i + h, j:j + w] * self.weight).sum()
        return Y + self.bias


def test_conv2d_grad_checker_with_a_real_loop_layer():
    torch.manual_seed(0)
    vertical = torch.ones(6, 8)
    vertical[:, 2:6] = 0
    Y = corr2d(vertical, K)
    layer = LoopConv2D((1, 2))
    layer.zero_grad()
    ((layer(vertical) - Y) ** 2).sum().backward()
    g = layer.weight.grad
    assert ch02.q_conv2d_grad(g, weight=layer.weight, X=vertical, Y=Y, bias=layer.bias)
    assert ch02.q_conv2d_grad(g.tolist(), weight=layer.weight, X=vertical, Y=Y)
    # the oracle itself: F.conv2d gives the same gradient
    w = layer.weight.detach().clone().requires_grad_(True)
    ((F.conv2d(vertical[None, None], w[None, None]) - Y) ** 2).sum().backward()
    assert torch.allclose(w.grad, g)
    fb = ch02.q_conv2d_grad(2 * g, weight=layer.weight, X=vertical, Y=Y)
    assert not fb and "factor 2" in fb.message
    assert "sign" in ch02.q_conv2d_grad(-g, weight=layer.weight, X=vertical, Y=Y).message
    assert "shape" in ch02.q_conv2d_grad(g.T, weight=layer.weight, X=vertical, Y=Y).message
    assert not ch02.q_conv2d_grad(g + 1, weight=layer.weight, X=vertical, Y=Y)
    assert "backward" in ch02.q_conv2d_grad(None, weight=layer.weight, X=vertical, Y=Y).message
    assert not ch02.q_conv2d_grad("grad", weight=layer.weight, X=vertical, Y=Y)
    with pytest.raises(ValueError, match="Y must have"):
        ch02.q_conv2d_grad(g, weight=layer.weight, X=vertical, Y=torch.zeros(3))
    with pytest.raises(ValueError, match="weight must be"):
        ch02.q_conv2d_grad(g, weight=torch.ones(3), X=vertical, Y=Y)


def test_corr2d_matrix_checker():
    Kk = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    M = corr2d_matrix((3, 4), Kk)
    assert ch02.q_corr2d_matrix(M, (3, 4), Kk)
    assert "transposed" in ch02.q_corr2d_matrix(M.T, (3, 4), Kk).message
    assert "convolution" in ch02.q_corr2d_matrix(corr2d_matrix((3, 4), Kk.flip(0, 1)), (3, 4), Kk).message
    colmajor = torch.zeros(6, 12)
    Xs = torch.eye(12)
    # build M for column-by-column flattening: column c of M is the output for the pixel at (c % 3, c // 3)
    for c in range(12):
        img = Xs[c].reshape(4, 3).T
        colmajor[:, c] = corr2d(img, Kk).reshape(-1)
    assert "column by column" in ch02.q_corr2d_matrix(colmajor, (3, 4), Kk).message
    both = corr2d_matrix((4, 3), Kk.T)  # input and output both flattened column by column
    assert "column by column" in ch02.q_corr2d_matrix(both, (3, 4), Kk).message
    bad = M.clone()
    bad[0, 0] += 1
    assert not ch02.q_corr2d_matrix(bad, (3, 4), Kk)
    assert not ch02.q_corr2d_matrix(torch.ones(5, 5), (3, 4), Kk)
    assert not ch02.q_corr2d_matrix("M", (3, 4), Kk)


def test_derivative_kernels():
    assert ch02.q_second_derivative([1, -2, 1])
    assert ch02.q_second_derivative(torch.tensor([[1.0, -2.0, 1.0]]))
    assert "2 ×" in ch02.q_second_derivative([2, -4, 2]).message
    assert ch02.q_second_derivative([1, 0, -2, 0, 1])  # wider stencil, scale 4
    assert ch02.q_second_derivative([-1, 16, -30, 16, -1])  # 4th-order accurate
    lap = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
    assert "Laplacian" in ch02.q_second_derivative(lap).message
    assert "∂²/∂x²" in ch02.q_second_derivative(torch.tensor([[1.0, -2.0, 1.0]] * 3)).message
    assert not ch02.q_second_derivative([1, -1])
    assert "constant" in ch02.q_second_derivative([1, 2, 1]).message
    assert "straight line" in ch02.q_second_derivative([1, -1, 0]).message
    assert "cancels x^2" in ch02.q_second_derivative([-1, 3, -3, 1]).message
    assert "constant" in ch02.q_second_derivative(torch.ones(3, 3)).message
    assert "plane" in ch02.q_second_derivative(torch.tensor([[1.0, 0.0], [0.0, -1.0], [0.0, 0.0]])).message
    assert ch02.q_derivative_kernel([-1, 1], 1) and ch02.q_derivative_kernel([-1, 3, -3, 1], 3)
    assert not ch02.q_derivative_kernel([1, -2, 1], 3)
    assert not ch02.q_derivative_kernel(torch.ones(2, 2), 1)
    with pytest.raises(ValueError, match="order must be"):
        ch02.q_derivative_kernel([1, -1], 0)
    with pytest.raises(TypeError, match="K must be"):
        ch02.q_second_derivative("1,-2,1")
    with pytest.raises(ValueError, match="1-D"):
        ch02.q_second_derivative(torch.ones(2, 2, 2))


def test_integral_kernels():
    assert ch02.q_integral_kernel([1, 1, 1, 1])
    assert ch02.q_integral_kernel([0.5, 1, 1, 0.5])
    assert ch02.q_integral_kernel([1 / 3, 4 / 3, 1 / 3])  # Simpson
    assert ch02.q_integral_kernel(torch.ones(3, 3))
    assert "average" in ch02.q_integral_kernel([0.25] * 4).message
    assert "Negative" in ch02.q_integral_kernel([1, -1, 3]).message
    assert "lopsided" in ch02.q_integral_kernel([0.5, 1.5, 1]).message
    assert "sum to 5" in ch02.q_integral_kernel([2, 1, 2]).message
    assert not ch02.q_integral_kernel([1])
    # the cumulative-sum remark holds: a full-length ones kernel with left padding is cumsum
    x = torch.arange(1.0, 6.0)
    run = F.conv1d(F.pad(x, (4, 0))[None, None], torch.ones(1, 1, 5))[0, 0]
    assert torch.equal(run, torch.cumsum(x, 0))


def test_min_kernel_size():
    assert ch02.q_min_kernel_size(lambda d: d + 1)
    assert ch02.q_min_kernel_size(4, d=3)
    assert not ch02.q_min_kernel_size(3, d=3)
    assert "centred" in ch02.q_min_kernel_size(lambda d: 2 * d + 1).message
    assert "forces every weight to 0" in ch02.q_min_kernel_size(lambda d: d).message
    assert not ch02.q_min_kernel_size(lambda d: d + 2)
    assert "raised" in ch02.q_min_kernel_size(lambda d: 1 / 0).message
    assert not ch02.q_min_kernel_size(4)
    with pytest.raises(ValueError, match="d must be a positive int"):
        ch02.q_min_kernel_size(3, d=0)
    # the claim behind the checker: d + 1 taps suffice (binomial differences) and d do not
    for d in range(1, 6):
        w = [(-1) ** (d - i) * math.comb(d, i) for i in range(d + 1)]
        assert ch02.q_derivative_kernel(w, d)
        assert not ch02.q_derivative_kernel(w[:-1], d)


def test_answers_are_not_stored_as_literals():
    src = open(ch02.__file__, encoding="utf-8").read()
    assert "d + 1" not in src.split("def _min_taps")[1]  # searched, not assumed


@pytest.mark.parametrize("call", [
    lambda a: ch02.q_diagonal_image(a),
    lambda a: ch02.q_edge_diagonal(a),
    lambda a: ch02.q_edge_diagonal_transposed_X(a),
    lambda a: ch02.q_edge_diagonal_transposed_K(a),
    lambda a: ch02.q_autograd_outcome(a),
    lambda a: ch02.q_corr2d_matrix(a, (3, 3), torch.ones(2, 2)),
    lambda a: ch02.q_derivative_kernel(a, 1),
    lambda a: ch02.q_second_derivative(a),
    lambda a: ch02.q_integral_kernel(a),
    lambda a: ch02.q_min_kernel_size(a),
    lambda a: ch02.q_conv2d_grad(a, weight=torch.ones(1, 2), X=torch.ones(3, 3), Y=torch.ones(3, 2)),
])
def test_placeholders_nudge(call):
    for placeholder in (..., None):
        fb = call(placeholder)
        if placeholder is None and "backward" in fb.message:  # q_conv2d_grad: None means no backward() yet
            continue
        assert not fb and "Not answered yet" in fb.message
