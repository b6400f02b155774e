"""Chapter 02 exercise checkers: every right answer in every invited form passes, wrong ones fail with a
hint, and bad question data raises."""

import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from feedback_language import CJK
from torch import nn

from utils import corr2d, corr2d_matrix
from utils.exercises import ch02

X = ch02.diagonal_image()
K = ch02.edge_kernel()


def vertical_band():
    img = torch.ones(6, 8)
    img[:, 2:6] = 0
    return img


def test_diagonal_image_checker():
    assert ch02.q_diagonal_image(X)
    assert ch02.q_diagonal_image(1 - torch.tril(torch.ones(5, 7)))  # other colours, other shape
    assert ch02.q_diagonal_image(torch.ones(6, 6).triu().flip(1))   # the other diagonal
    fb = ch02.q_diagonal_image(vertical_band())
    assert not fb and "more than once" in fb.message
    stripe = torch.zeros(6, 6)
    stripe[:, 3:] = 1
    assert "one column from each row" in ch02.q_diagonal_image(stripe).message  # a vertical edge does not move
    assert "exactly two values" in ch02.q_diagonal_image(torch.ones(4, 4)).message
    assert not ch02.q_diagonal_image(torch.rand(5, 5))
    assert "at least 3×3" in ch02.q_diagonal_image(torch.ones(2, 2)).message
    with pytest.raises(TypeError, match="X must be a torch.Tensor"):
        ch02.q_diagonal_image([[0, 1], [1, 1]])


def test_diagonal_image_size():
    assert ch02.diagonal_image(4).shape == (4, 4)
    with pytest.raises(ValueError, match="n must be >= 3"):
        ch02.diagonal_image(2)
    with pytest.raises(TypeError, match="n must be an int"):
        ch02.diagonal_image(4.0)


EDGE_CASES = [
    (ch02.q_edge_diagonal, lambda X: corr2d(X, K)),
    (ch02.q_edge_diagonal_transposed_X, lambda X: corr2d(X.T, K)),
    (ch02.q_edge_diagonal_transposed_K, lambda X: corr2d(X, K.T)),
]


@pytest.mark.parametrize(("checker", "make"), EDGE_CASES)
def test_edge_predictions_accept_a_tensor_list_or_array(checker, make):
    right = make(X)
    for answer in (right, right.tolist(), right.numpy(), right.long(), right.double()):
        assert checker(answer, X=X, K=K)


@pytest.mark.parametrize(("checker", "make"), EDGE_CASES)
def test_edge_predictions_reject_wrong_tensors(checker, make):
    right = make(X)
    fb = checker(-right, X=X, K=K)
    assert not fb and "wrong sign" in fb.message
    assert "Some cells are wrong" in checker(torch.zeros_like(right), X=X, K=K).message
    assert "right places" in checker(2 * right, X=X, K=K).message
    assert "shape" in checker(torch.zeros(3, 3), X=X, K=K).message
    assert "shape" in checker(right[:-1], X=X, K=K).message
    assert "Give a letter or a tensor" in checker(object(), X=X, K=K).message


@pytest.mark.parametrize(("checker", "make"), EDGE_CASES)
def test_edge_predictions_follow_the_image_they_are_given(checker, make):
    other = 1 - torch.tril(torch.ones(5, 7))
    assert checker(make(other), X=other, K=K)
    assert not checker(make(X), X=other, K=K)


@pytest.mark.parametrize(("checker", "right", "wrong"), [
    (ch02.q_edge_diagonal, ["b", "B", "(b)", "b)"], ["a", "c", "d"]),
    (ch02.q_edge_diagonal_transposed_X, ["c", " C "], ["a", "b", "e"]),
    (ch02.q_edge_diagonal_transposed_K, ["c", "(C)"], ["b", "d", "e"]),
])
def test_edge_letters(checker, right, wrong):
    for letter in right:
        assert checker(letter, X=X, K=K)
    for letter in wrong:
        fb = checker(letter, X=X, K=K)
        assert not fb and "Hint" in fb.message


def test_edge_letters_are_computed_from_the_image():
    # the lesson's vertical edge vanishes under the transpose: letter 'a' becomes right
    assert ch02.q_edge_diagonal_transposed_X("a", X=vertical_band(), K=K)
    blob = torch.zeros(6, 6)
    blob[2:4, 2:4] = 1
    fb = ch02.q_edge_diagonal("b", X=blob, K=K)
    assert not fb and "None of the letters" in fb.message


@pytest.mark.parametrize("answer", ["z", "because", "bc", ""])
def test_edge_letters_that_are_not_choices(answer):
    fb = ch02.q_edge_diagonal(answer, X=X, K=K)
    assert not fb and "Pick one letter" in fb.message


def test_edge_checkers_reject_bad_question_data():
    with pytest.raises(TypeError, match="X must be a torch.Tensor"):
        ch02.q_edge_diagonal("b", X=X.tolist(), K=K)
    with pytest.raises(ValueError, match="K must have shape"):
        ch02.q_edge_diagonal("b", X=X, K=torch.ones(2))


@pytest.mark.parametrize("answer", ["b", "B", "(b)", " b. "])
def test_autograd_outcome_right(answer):
    assert ch02.q_autograd_outcome(answer)


@pytest.mark.parametrize("answer", ["a", "c", "d"])
def test_autograd_outcome_wrong_letters(answer):
    fb = ch02.q_autograd_outcome(answer)
    assert not fb and "Hint" in fb.message


@pytest.mark.parametrize("answer", ["q", "backward works", 3])
def test_autograd_outcome_not_a_letter(answer):
    fb = ch02.q_autograd_outcome(answer)
    assert not fb and "one letter from AUTOGRAD_CHOICES" in fb.message


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
    img = vertical_band()
    Y = corr2d(img, K)
    layer = LoopConv2D((1, 2))
    layer.zero_grad()
    ((layer(img) - Y) ** 2).sum().backward()
    g = layer.weight.grad
    assert ch02.q_conv2d_grad(g, weight=layer.weight, X=img, Y=Y, bias=layer.bias)
    assert ch02.q_conv2d_grad(g.tolist(), weight=layer.weight, X=img, Y=Y)
    assert ch02.q_conv2d_grad(g.double().numpy(), weight=layer.weight, X=img, Y=Y.reshape(1, 1, 6, 7))
    # the oracle itself: F.conv2d gives the same gradient
    w = layer.weight.detach().clone().requires_grad_(True)
    ((F.conv2d(img[None, None], w[None, None]) - Y) ** 2).sum().backward()
    assert torch.allclose(w.grad, g)
    fb = ch02.q_conv2d_grad(2 * g, weight=layer.weight, X=img, Y=Y)
    assert not fb and "factor 2" in fb.message
    assert "factor 2" in ch02.q_conv2d_grad(g / 2, weight=layer.weight, X=img, Y=Y).message
    assert "sign" in ch02.q_conv2d_grad(-g, weight=layer.weight, X=img, Y=Y).message
    assert "shape" in ch02.q_conv2d_grad(g.T, weight=layer.weight, X=img, Y=Y).message
    assert "values differ" in ch02.q_conv2d_grad(g + 1, weight=layer.weight, X=img, Y=Y).message
    assert "backward" in ch02.q_conv2d_grad(None, weight=layer.weight, X=img, Y=Y).message
    assert "Expected a tensor" in ch02.q_conv2d_grad("grad", weight=layer.weight, X=img, Y=Y).message


def test_conv2d_grad_rejects_bad_question_data():
    img, Y = vertical_band(), corr2d(vertical_band(), K)
    with pytest.raises(ValueError, match="Y must have the output's 42 elements"):
        ch02.q_conv2d_grad(..., weight=K, X=img, Y=torch.zeros(3))
    with pytest.raises(ValueError, match=r"weight must have shape \(k_h, k_w\)"):
        ch02.q_conv2d_grad(..., weight=torch.ones(3), X=img, Y=Y)
    with pytest.raises(TypeError, match="weight must be a torch.Tensor"):
        ch02.q_conv2d_grad(..., weight=[[1.0, 0.0]], X=img, Y=Y)
    with pytest.raises(ValueError, match="bias must be one number"):
        ch02.q_conv2d_grad(..., weight=K, X=img, Y=Y, bias=torch.zeros(2))


def test_corr2d_matrix_checker():
    Kk = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    M = corr2d_matrix((3, 4), Kk)
    assert ch02.q_corr2d_matrix(M, input_size=(3, 4), K=Kk)
    assert ch02.q_corr2d_matrix(M.tolist(), input_size=(3, 4), K=Kk)
    assert ch02.q_corr2d_matrix(M.long(), input_size=[3, 4], K=Kk.long())
    assert "transpose" in ch02.q_corr2d_matrix(M.T, input_size=(3, 4), K=Kk).message
    flipped = corr2d_matrix((3, 4), Kk.flip(0, 1))
    assert "convolution" in ch02.q_corr2d_matrix(flipped, input_size=(3, 4), K=Kk).message
    colmajor = torch.zeros(6, 12)
    # M for column-by-column flattening: column c of M is the output for the pixel at (c % 3, c // 3)
    for c in range(12):
        colmajor[:, c] = corr2d(torch.eye(12)[c].reshape(4, 3).T, Kk).reshape(-1)
    assert "column by column" in ch02.q_corr2d_matrix(colmajor, input_size=(3, 4), K=Kk).message
    both = corr2d_matrix((4, 3), Kk.T)  # input and output both flattened column by column
    assert "column by column" in ch02.q_corr2d_matrix(both, input_size=(3, 4), K=Kk).message
    bad = M.clone()
    bad[0, 0] += 1
    assert "Some entries are wrong" in ch02.q_corr2d_matrix(bad, input_size=(3, 4), K=Kk).message
    assert "one row per output cell" in ch02.q_corr2d_matrix(torch.ones(5, 5), input_size=(3, 4), K=Kk).message
    assert "Expected a matrix" in ch02.q_corr2d_matrix("M", input_size=(3, 4), K=Kk).message


def test_corr2d_matrix_rejects_bad_question_data():
    with pytest.raises(ValueError, match="does not fit an input"):
        ch02.q_corr2d_matrix(..., input_size=(1, 3), K=torch.ones(2, 2))
    with pytest.raises(ValueError, match="input_size must be positive"):
        ch02.q_corr2d_matrix(..., input_size=(0, 3), K=torch.ones(2, 2))
    with pytest.raises(TypeError, match="K must be a torch.Tensor"):
        ch02.q_corr2d_matrix(..., input_size=(3, 3), K=[[1, 2], [3, 4]])


@pytest.mark.parametrize("answer", [[1, -2, 1], (1.0, -2.0, 1.0), torch.tensor([[1.0, -2.0, 1.0]]),
                                    torch.tensor([[1], [-2], [1]]), np.array([1, -2, 1])])
def test_second_derivative_right_in_any_form(answer):
    fb = ch02.q_second_derivative(answer)
    assert fb and "keeps the derivative of order 2." in fb.message


def test_second_derivative_other_right_kernels():
    assert "2 ×" in ch02.q_second_derivative([2, -4, 2]).message
    assert ch02.q_second_derivative([1, 0, -2, 0, 1])  # wider stencil, scale 4
    assert ch02.q_second_derivative([-1, 16, -30, 16, -1])  # 4th-order accurate
    lap = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
    assert "Laplacian" in ch02.q_second_derivative(lap).message
    assert "∂²/∂x²" in ch02.q_second_derivative(torch.tensor([[1.0, -2.0, 1.0]] * 3)).message
    assert "∂²/∂y²" in ch02.q_second_derivative(torch.tensor([[1.0, -2.0, 1.0]] * 3).T).message
    assert "mix" in ch02.q_second_derivative(torch.tensor([[1.0, 0.0, -1.0], [0.0, 0.0, 0.0],
                                                           [-1.0, 0.0, 1.0]])).message


def test_second_derivative_wrong_kernels():
    assert not ch02.q_second_derivative([1, -1])
    assert "constant" in ch02.q_second_derivative([1, 2, 1]).message
    assert "straight line" in ch02.q_second_derivative([1, -1, 0]).message
    assert "cancels x^2" in ch02.q_second_derivative([-1, 3, -3, 1]).message
    assert "constant" in ch02.q_second_derivative(torch.ones(3, 3)).message
    assert "plane" in ch02.q_second_derivative(torch.tensor([[1.0, 0.0], [0.0, -1.0], [0.0, 0.0]])).message
    assert "every parabola" in ch02.q_second_derivative(torch.zeros(3, 3)).message
    with pytest.raises(TypeError, match="K must be"):
        ch02.q_second_derivative("1,-2,1")
    with pytest.raises(ValueError, match="1-D"):
        ch02.q_second_derivative(torch.ones(2, 2, 2))


def test_derivative_kernel_of_any_order():
    assert ch02.q_derivative_kernel([-1, 1], order=1) and ch02.q_derivative_kernel([-1, 3, -3, 1], order=3)
    assert "x^2" in ch02.q_derivative_kernel([1, -2, 1, 0], order=3).message
    assert "too few" in ch02.q_derivative_kernel([1, -2, 1], order=3).message
    assert "1-D kernel" in ch02.q_derivative_kernel(torch.ones(2, 2), order=1).message
    with pytest.raises(ValueError, match="order must be positive"):
        ch02.q_derivative_kernel([1, -1], order=0)
    with pytest.raises(TypeError, match="order must be an int"):
        ch02.q_derivative_kernel([1, -1], order=1.0)


@pytest.mark.parametrize("answer", [
    [1, 1, 1, 1],                    # rectangle rule over 4 strips
    [0.5, 1, 1, 0.5],                # trapezoid rule over 3 steps
    [0.5, 0.5],                      # trapezoid rule over one step
    (1, 1),                          # rectangle rule over two strips
    [1 / 3, 4 / 3, 1 / 3],           # Simpson's rule
    torch.tensor([1 / 3, 4 / 3, 1 / 3]),  # ... in float32
    [1.0, 0.0, 1.0],                 # trapezoid rule with step 2
    torch.tensor([[0.5, 1.0, 0.5]]),  # a 1×k row
    np.ones(5),
    torch.ones(3, 3),                # 2-D rectangle rule
    torch.full((2, 2), 0.25),        # 2-D trapezoid rule over one cell
    torch.outer(torch.tensor([0.5, 1.0, 0.5]), torch.tensor([0.5, 1.0, 0.5])),
])
def test_integral_kernel_accepts_every_rule(answer):
    fb = ch02.q_integral_kernel(answer)
    assert fb and "cumulative sum" in fb.message


def test_integral_kernel_wrong_answers():
    assert "moving average" in ch02.q_integral_kernel([0.25] * 4).message
    assert "moving average" in ch02.q_integral_kernel(torch.full((3, 3), 1 / 9)).message
    assert "Negative" in ch02.q_integral_kernel([1, -1, 3]).message
    assert "lopsided" in ch02.q_integral_kernel([0.5, 1.5, 1]).message
    assert "lopsided" in ch02.q_integral_kernel([0.2, 0.8]).message
    assert "sum to 5" in ch02.q_integral_kernel([2, 1, 2]).message
    assert "two taps" in ch02.q_integral_kernel([1]).message


def test_the_cumulative_sum_remark():
    x = torch.arange(1.0, 6.0)
    run = F.conv1d(F.pad(x, (4, 0))[None, None], torch.ones(1, 1, 5))[0, 0]
    assert torch.equal(run, torch.cumsum(x, 0))


def test_min_kernel_size():
    assert ch02.q_min_kernel_size(lambda d: d + 1)
    assert ch02.q_min_kernel_size(lambda d: d + 1.0)
    assert ch02.q_min_kernel_size(4, d=3)
    assert ch02.q_min_kernel_size(4.0, d=3)
    assert not ch02.q_min_kernel_size(3, d=3)
    assert "centred" in ch02.q_min_kernel_size(lambda d: 2 * d + 1).message
    assert "forces every weight to 0" in ch02.q_min_kernel_size(lambda d: d).message
    assert "count conditions" in ch02.q_min_kernel_size(lambda d: d + 2).message
    assert "raised ZeroDivisionError" in ch02.q_min_kernel_size(lambda d: 1 / 0).message
    assert "together with d=" in ch02.q_min_kernel_size(4).message
    with pytest.raises(ValueError, match="d must be positive"):
        ch02.q_min_kernel_size(3, d=0)
    with pytest.raises(TypeError, match="d must be an int"):
        ch02.q_min_kernel_size(3, d="3")


def test_min_kernel_size_claim():
    # d + 1 taps suffice (binomial differences) and d do not
    for d in range(1, 6):
        w = [(-1) ** (d - i) * math.comb(d, i) for i in range(d + 1)]
        assert ch02.q_derivative_kernel(w, order=d)
        assert not ch02.q_derivative_kernel(w[:-1], order=d)


@pytest.mark.parametrize("call", [
    ch02.q_diagonal_image,
    lambda a: ch02.q_edge_diagonal(a, X=X, K=K),
    lambda a: ch02.q_edge_diagonal_transposed_X(a, X=X, K=K),
    lambda a: ch02.q_edge_diagonal_transposed_K(a, X=X, K=K),
    ch02.q_autograd_outcome,
    lambda a: ch02.q_corr2d_matrix(a, input_size=(3, 3), K=torch.ones(2, 2)),
    lambda a: ch02.q_derivative_kernel(a, order=1),
    ch02.q_second_derivative,
    ch02.q_integral_kernel,
    ch02.q_min_kernel_size,
])
@pytest.mark.parametrize("blank", [..., None])
def test_blanks_say_not_answered_yet(call, blank):
    fb = call(blank)
    assert not fb and "Not answered yet" in fb.message


def test_conv2d_grad_blank():
    fb = ch02.q_conv2d_grad(..., weight=torch.ones(1, 2), X=torch.ones(3, 3), Y=torch.ones(3, 2))
    assert not fb and "Not answered yet" in fb.message


# ---------------------------------------------------------------- the Chinese edition's feedback
G = torch.tensor([[10.8, 31.2]])  # d loss / d w0 for the exercise's data, from F.conv2d (asserted below)
M3 = corr2d_matrix((3, 3), torch.arange(4.0).reshape(2, 2))
BY_COLUMN = torch.arange(9).reshape(3, 3).T.reshape(-1)


def _stripe():
    img = torch.zeros(6, 6)
    img[:, 3:] = 1
    return img


# (checker, right answers, wrong answers): the wrong ones reach every message a checker has
FEEDBACK_CASES = [
    (ch02.q_diagonal_image, [X],
     [..., torch.ones(2, 2), torch.ones(4, 4), vertical_band(), _stripe(),
      torch.tensor([[0.0, 1, 1], [0, 0, 0], [0, 0, 1]])]),
    (lambda a: ch02.q_edge_diagonal(a, X=X, K=K), [corr2d(X, K), "b"],
     [..., "a", "z", -corr2d(X, K), 2 * corr2d(X, K), torch.zeros(6, 5), torch.zeros(3, 3), object()]),
    (lambda a: ch02.q_edge_diagonal(a, X=torch.eye(4), K=K), [corr2d(torch.eye(4), K)], ["a"]),
    (lambda a: ch02.q_edge_diagonal_transposed_X(a, X=X, K=K), [corr2d(X.T, K)], [..., "a", torch.zeros(6, 5)]),
    (lambda a: ch02.q_edge_diagonal_transposed_K(a, X=X, K=K), [corr2d(X, K.T)], [..., "a", torch.zeros(5, 6)]),
    (ch02.q_autograd_outcome, ["b"], [..., "a", "c", "d", "z"]),
    (lambda a: ch02.q_conv2d_grad(a, weight=torch.tensor([[0.5, 0.2]]), X=vertical_band(),
                                  Y=corr2d(vertical_band(), K)),
     [G], [..., None, 2 * G, -G, G + 1, torch.zeros(2, 1), object()]),
    (lambda a: ch02.q_corr2d_matrix(a, input_size=(3, 3), K=torch.arange(4.0).reshape(2, 2)), [M3],
     [..., M3.T, torch.zeros(3, 3), corr2d_matrix((3, 3), torch.arange(4.0).reshape(2, 2).flip(0, 1)),
      M3[:, BY_COLUMN], M3 + 1, object()]),
    (lambda a: ch02.q_derivative_kernel(a, order=1), [[1, -1], [2, -2]], [..., [1], [1, 1], [0, 0], torch.ones(2, 2)]),
    (lambda a: ch02.q_derivative_kernel(a, order=3), [[-1, 3, -3, 1]], [[1, -1, 0, 0], [1, -2, 1, 0]]),
    (ch02.q_second_derivative,
     [[1, -2, 1], torch.tensor([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]]), torch.tensor([[1.0, -2, 1]] * 3),
      torch.tensor([[1.0, -2, 1]] * 3).T, torch.tensor([[1.0, 0, -1], [0, 0, 0], [-1, 0, 1]])],
     [..., torch.ones(3, 3), torch.tensor([[1.0, -1], [1, -1]]), torch.zeros(3, 3)]),
    (ch02.q_integral_kernel, [[1, 1, 1, 1], [0.5, 1, 0.5]],
     [..., [1], [1, -1, 3], [0.25] * 4, [0.5, 1.5, 1], [2, 1, 2]]),
    (ch02.q_min_kernel_size, [lambda d: d + 1],
     [..., lambda d: 2 * d + 1, lambda d: d, lambda d: d + 2, lambda d: 1 / 0, 4]),
]


def test_the_gradient_used_above():
    w = torch.tensor([[0.5, 0.2]], requires_grad=True)
    Y = corr2d(vertical_band(), K)
    ((F.conv2d(vertical_band()[None, None], w[None, None]) - Y) ** 2).sum().backward()
    assert torch.allclose(w.grad, G)


@pytest.mark.parametrize(("checker", "rights", "wrongs"), FEEDBACK_CASES)
def test_feedback_speaks_chinese_in_the_chinese_edition(monkeypatch, checker, rights, wrongs):
    monkeypatch.setenv("CONVLAB_LANGUAGE", "zh")
    for answer in rights:
        fb = checker(answer)
        assert fb and str(fb).startswith("✅ 答对了！") and CJK.search(fb.message), str(fb)
    for answer in wrongs:
        fb = checker(answer)
        assert not fb and str(fb).startswith("❌ 还不对。") and CJK.search(fb.message), str(fb)


def test_each_english_message_has_its_own_chinese_twin(monkeypatch):
    pairs = set()
    for checker, rights, wrongs in FEEDBACK_CASES:
        for answer in rights + wrongs:
            monkeypatch.setenv("CONVLAB_LANGUAGE", "en")
            en = checker(answer)
            monkeypatch.setenv("CONVLAB_LANGUAGE", "zh")
            zh = checker(answer)
            assert bool(en) == bool(zh) and not CJK.search(en.message) and zh.message != en.message
            pairs.add((en.message, zh.message))
    assert len({en for en, _ in pairs}) == len({zh for _, zh in pairs}) == len(pairs)  # one to one
    assert len(pairs) > 60  # the cases above reach the checkers' many messages


def test_the_choices_have_chinese_twins_shown_in_the_chinese_chapter():
    import nbformat

    from utils.exercises.ch02 import _AUTOGRAD_CHOICES_ZH, _EDGE_CHOICES_ZH

    assert list(_EDGE_CHOICES_ZH) == list(ch02.EDGE_CHOICES)
    assert list(_AUTOGRAD_CHOICES_ZH) == list(ch02.AUTOGRAD_CHOICES)
    path = Path(__file__).resolve().parents[1] / "notebooks" / "zh" / "02_corr2d.ipynb"
    prose = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    prose = prose.replace("`", "")
    for choices in (_EDGE_CHOICES_ZH, _AUTOGRAD_CHOICES_ZH):
        missing = [f"（{k}）{v}" for k, v in choices.items() if f"（{k}）{v}" not in prose]
        assert not missing, f"the zh chapter's prompt lacks {missing}"


def test_a_chosen_letter_is_quoted_in_chinese(monkeypatch):
    monkeypatch.setenv("CONVLAB_LANGUAGE", "zh")
    assert "一条竖线" in ch02.q_edge_diagonal("d", X=X, K=K).message
