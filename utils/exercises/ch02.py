"""Chapter 02 exercises (d2l, "Convolutions for Images"), each with an instant check.

Every checker takes the student's answer first and the question's data as keyword arguments,
so the notebook cell shows them next to the prompt:

    from utils.exercises import ch02
    X = ch02.diagonal_image()                          # or build your own: ch02.q_diagonal_image(X)
    ch02.q_edge_diagonal(answer, X=X, K=K_edge)         # a tensor, or a letter from ch02.EDGE_CHOICES
    ch02.q_autograd_outcome(answer)                     # a letter from ch02.AUTOGRAD_CHOICES
    ch02.q_conv2d_grad(layer.weight.grad, weight=w0, X=X, Y=Y)
    ch02.q_corr2d_matrix(M, input_size=(3, 3), K=K)     # cross-correlation as a matrix multiplication
    ch02.q_second_derivative(K); ch02.q_integral_kernel(K)
    ch02.q_min_kernel_size(lambda d: ...)               # a formula in d (or an int with d=...)

Every expected answer is computed here, from the library, when the checker runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

from .. import corr2d, corr2d_matrix
from .._checks import as_pair, check_int, check_tensor
from ._core import Feedback, as_choice, unanswered

__all__ = [
    "AUTOGRAD_CHOICES",
    "EDGE_CHOICES",
    "diagonal_image",
    "edge_kernel",
    "q_autograd_outcome",
    "q_conv2d_grad",
    "q_corr2d_matrix",
    "q_derivative_kernel",
    "q_diagonal_image",
    "q_edge_diagonal",
    "q_edge_diagonal_transposed_K",
    "q_edge_diagonal_transposed_X",
    "q_integral_kernel",
    "q_min_kernel_size",
    "q_second_derivative",
]

EDGE_CHOICES = {
    "a": "all zeros: the edge disappears",
    "b": "a diagonal line of +1 (everything else 0)",
    "c": "a diagonal line of -1 (everything else 0)",
    "d": "a vertical line (one column of nonzeros)",
    "e": "a horizontal line (one row of nonzeros)",
}

AUTOGRAD_CHOICES = {
    "a": "RuntimeError: a leaf Variable that requires grad is used in an in-place operation",
    "b": "no error: the in-place writes Y[i, j] = ... are recorded, backward() works and the layer trains",
    "c": "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn",
    "d": "no error, but weight.grad stays None or all zeros, so nothing is learned",
}


# ---------------------------------------------------------------- exercise 1: a diagonal edge

def edge_kernel() -> torch.Tensor:
    """The section's edge detector K = [[1, -1]]: (1, 2)."""
    return torch.tensor([[1.0, -1.0]])


def diagonal_image(n: int = 6) -> torch.Tensor:
    """An n×n image, 1 on and below the main diagonal, 0 above: (n, n).

    Its black/white border runs diagonally, a staircase one pixel per row.
    """
    n = check_int(n, "n", 3)
    return torch.tril(torch.ones(n, n))


def _as_image(X: object, name: str = "X") -> torch.Tensor:
    return check_tensor(X, name, (2,), "(H, W)").detach().to(torch.float64)


def q_diagonal_image(answer: object) -> Feedback:
    """Is ``answer`` an image (H, W) whose edge is one diagonal staircase (one step per row)?"""
    if (fb := unanswered(answer)) is not None:
        return fb
    X = _as_image(answer)
    hint = ("make a two-valued image whose boundary moves one column per row, e.g. "
            "X[i, j] = 1 when j <= i (torch.tril does that).")
    if min(X.shape) < 3:
        return Feedback(False, f"Your image is {tuple(X.shape)}; take at least 3×3. Hint: {hint}")
    n_values = torch.unique(X).numel()
    if n_values != 2:
        return Feedback(False, f"An edge image has exactly two values (e.g. 0 and 1), yours has {n_values}. "
                               f"Hint: {hint}")
    steps = X[:, 1:] != X[:, :-1]  # where the colour changes along each row
    per_row = steps.sum(1)
    if bool((per_row > 1).any()):
        return Feedback(False, "A row of your image changes colour more than once, but one straight edge is "
                               f"crossed at most once per row. Hint: {hint}")
    crossing = torch.nonzero(per_row == 1).flatten()
    if crossing.numel() < 2 or int(crossing[-1] - crossing[0]) + 1 != crossing.numel():
        return Feedback(False, f"The edge should cross a band of consecutive rows (at least two). Hint: {hint}")
    where = steps[crossing].float().argmax(1)
    moves = where[1:] - where[:-1]
    if not (bool((moves == 1).all()) or bool((moves == -1).all())):
        return Feedback(False, "The edge must move by one column from each row to the next, always in the "
                               f"same direction (a 45° line). Hint: {hint}")
    return Feedback(True, "That is a diagonal edge: it changes both along rows and along columns.")


def _describe(Y: torch.Tensor) -> str:
    """Letter of EDGE_CHOICES that describes Y (or '?' if none does)."""
    nz = Y != 0
    if not bool(nz.any()):
        return "a"
    rows, cols = torch.nonzero(nz, as_tuple=True)
    vals = Y[nz]
    if rows.unique().numel() == 1 and rows.numel() > 1:
        return "e"
    if cols.unique().numel() == 1 and cols.numel() > 1:
        return "d"
    diag = (rows - cols).unique().numel() == 1 or (rows + cols).unique().numel() == 1
    if diag and rows.unique().numel() == rows.numel():
        if bool((vals == 1).all()):
            return "b"
        if bool((vals == -1).all()):
            return "c"
    return "?"


def _check_prediction(answer: object, expected: torch.Tensor, *, what: str, why: str,
                      hint: str) -> Feedback:
    if isinstance(answer, str):
        choice = as_choice(answer, EDGE_CHOICES)
        if choice is None:
            return Feedback(False, f"Pick one letter from EDGE_CHOICES ({', '.join(EDGE_CHOICES)}), or give the "
                                   "output tensor itself.")
        truth = _describe(expected)
        if truth == "?":
            return Feedback(False, f"None of the letters describes {what} for this image: give the output "
                                   "tensor itself.")
        if choice == truth:
            return Feedback(True, why)
        return Feedback(False, f"You chose ({choice}), {EDGE_CHOICES[choice]}. Hint: {hint}")
    try:
        got = torch.as_tensor(answer.detach() if torch.is_tensor(answer) else answer, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return Feedback(False, f"Give a letter or a tensor, not {type(answer).__name__}.")
    if got.shape != expected.shape:
        return Feedback(False, f"Your output has shape {tuple(got.shape)}, but {what} has shape "
                               f"{tuple(expected.shape)}: a k_h×k_w kernel removes k_h − 1 rows and k_w − 1 "
                               f"columns. Hint: {hint}")
    if torch.allclose(got, expected):
        return Feedback(True, why)
    if torch.allclose(got, -expected) and bool(expected.any()):
        return Feedback(False, "Right places, wrong sign: K = [1, −1] computes (first tap) − (second tap), "
                               "this pixel minus its neighbour.")
    if bool(((got != 0) == (expected != 0)).all()):
        return Feedback(False, f"The nonzero cells are in the right places, but some values are off. Hint: {hint}")
    return Feedback(False, f"Some cells are wrong. Hint: {hint}")


def q_edge_diagonal(answer: object, *, X: torch.Tensor, K: torch.Tensor) -> Feedback:
    """Predict ``corr2d(X, K)``, X: (H, W), K: (k_h, k_w) (the lesson's K = [[1, -1]]).

    ``answer``: the predicted output tensor, or a letter from ``EDGE_CHOICES``.
    """
    X, K = _as_image(X), _as_image(K, "K")
    if (fb := unanswered(answer)) is not None:
        return fb
    return _check_prediction(
        answer, corr2d(X, K), what="corr2d(X, K)",
        why="K = [1, −1] subtracts each pixel's right neighbour: it fires wherever a row changes colour, and a "
            "diagonal edge changes colour in every row, one column further each time.",
        hint="for each row, find the one place where X[i, j] and X[i, j+1] differ and compute "
             "X[i, j] − X[i, j+1] there; everywhere else the difference is 0.")


def q_edge_diagonal_transposed_X(answer: object, *, X: torch.Tensor, K: torch.Tensor) -> Feedback:
    """Predict ``corr2d(X.T, K)``, X: (H, W), K: (k_h, k_w) (the lesson's K = [[1, -1]])."""
    X, K = _as_image(X), _as_image(K, "K")
    if (fb := unanswered(answer)) is not None:
        return fb
    return _check_prediction(
        answer, corr2d(X.T, K), what="corr2d(X.T, K)",
        why="Unlike the vertical edge of the lesson, a diagonal edge does not vanish when X is transposed: it is "
            "still crossed once per row, only the colours on its two sides swap (so the sign flips) and the line "
            "moves.",
        hint="write out X.T first (rows become columns), then subtract right neighbours row by row.")


def q_edge_diagonal_transposed_K(answer: object, *, X: torch.Tensor, K: torch.Tensor) -> Feedback:
    """Predict ``corr2d(X, K.T)``, X: (H, W), K: (k_h, k_w) (the lesson's K = [[1, -1]], so K.T = [[1], [-1]])."""
    X, K = _as_image(X), _as_image(K, "K")
    if (fb := unanswered(answer)) is not None:
        return fb
    return _check_prediction(
        answer, corr2d(X, K.T), what="corr2d(X, K.T)",
        why="K.T = [[1], [−1]] subtracts the pixel below: it detects horizontal edges, and a diagonal edge is "
            "crossed once per column too.",
        hint="K.T is 2×1, so the output loses one row; compute X[i, j] − X[i+1, j] down each column.")


# ---------------------------------------------------------------- exercise 2: autograd and the loop Conv2D

def _loop_corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


def _autograd_truth() -> str:
    """Run the experiment: does backward() through the loop corr2d work?"""
    gen = torch.Generator().manual_seed(0)
    X = torch.rand(4, 5, dtype=torch.float64, generator=gen)
    weight = torch.rand(2, 2, dtype=torch.float64, generator=gen).requires_grad_(True)
    try:
        _loop_corr2d(X, weight).sum().backward()
    except RuntimeError as exc:
        return "a" if "leaf" in str(exc) else "c"
    if weight.grad is None or not bool(weight.grad.any()):
        return "d"
    return "b"


def q_autograd_outcome(answer: object) -> Feedback:
    """d2l asks what error autograd raises on the hand-written Conv2D. A letter from AUTOGRAD_CHOICES."""
    if (fb := unanswered(answer)) is not None:
        return fb
    choice = as_choice(answer, AUTOGRAD_CHOICES)
    if choice is None:
        return Feedback(False, f"Answer with one letter from AUTOGRAD_CHOICES: {', '.join(AUTOGRAD_CHOICES)}.")
    truth = _autograd_truth()  # decided by running it, in this PyTorch
    if choice == truth:
        return Feedback(True, "In PyTorch, Y = torch.zeros(...) is a fresh tensor that does not require grad; "
                              "writing Y[i, j] = ... into it is recorded (CopySlices), so gradients flow back to "
                              "the weight. d2l's MXNet version raised an error because MXNet's autograd does not "
                              "allow in-place writes while recording.")
    hints = {
        "a": "that error needs a leaf tensor with requires_grad=True written in place. Is Y such a leaf?",
        "b": "run the loop version and call backward(), then read the error message carefully.",
        "c": "that error appears when nothing in the graph requires grad, but the weight is an nn.Parameter.",
        "d": "try it: build the layer, call loss.backward() and print layer.weight.grad.",
    }
    return Feedback(False, f"Hint: {hints[choice]}")


def q_conv2d_grad(answer: object, *, weight: torch.Tensor, X: torch.Tensor, Y: torch.Tensor,
                  bias: float | torch.Tensor = 0.0) -> Feedback:
    """Check a gradient computed through the loop Conv2D against ``F.conv2d``.

    The loss is ``((corr2d(X, weight) + bias - Y) ** 2).sum()``; ``answer`` is the
    student's ``d loss / d weight`` (e.g. ``layer.weight.grad``). X: (H, W),
    weight: (k_h, k_w), Y: (H', W').
    """
    w = check_tensor(weight, "weight", (2,), "(k_h, k_w)").detach().to(torch.float64).clone().requires_grad_(True)
    Xd = _as_image(X)
    b = torch.as_tensor(bias.detach() if torch.is_tensor(bias) else bias, dtype=torch.float64).reshape(-1)
    if b.numel() != 1:
        raise ValueError(f"bias must be one number, got {b.numel()} values")
    out = F.conv2d(Xd[None, None], w[None, None]) + b[0]
    Yd = torch.as_tensor(Y.detach() if torch.is_tensor(Y) else Y, dtype=torch.float64)
    if Yd.numel() != out.numel():
        raise ValueError(f"Y must have the output's {out.numel()} elements, got shape {tuple(Yd.shape)}")
    if answer is Ellipsis:
        return unanswered(answer)
    if answer is None:
        return Feedback(False, "The gradient is None: call loss.backward() first, then read weight.grad.")
    ((out - Yd.reshape(out.shape)) ** 2).sum().backward()
    expected = w.grad
    try:
        got = torch.as_tensor(answer.detach() if torch.is_tensor(answer) else answer, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return Feedback(False, f"Expected a tensor of shape {tuple(expected.shape)}, got {type(answer).__name__}.")
    if got.shape != expected.shape:
        return Feedback(False, f"Your gradient has shape {tuple(got.shape)}, but d loss/d weight has the weight's "
                               f"shape {tuple(expected.shape)}.")

    def close(a: torch.Tensor) -> bool:
        return torch.allclose(got, a, rtol=1e-4, atol=1e-5)

    if close(expected):
        return Feedback(True, "Your loop layer's gradient equals the one autograd computes through F.conv2d: "
                              "in-place writes into a fresh tensor are differentiable.")
    if close(2 * expected) or close(expected / 2):
        return Feedback(False, "Off by a factor 2: the loss is the sum of squares, and d/dw (ŷ − y)² = "
                               "2(ŷ − y)·dŷ/dw.")
    if close(-expected):
        return Feedback(False, "Wrong sign: the gradient of (ŷ − y)² is 2(ŷ − y)·∂ŷ/∂w, not 2(y − ŷ)·∂ŷ/∂w.")
    return Feedback(False, "The values differ from F.conv2d's. Hint: zero the gradient before backward() "
                           "(gradients accumulate), and use the same weight, X, Y and loss as here.")


# ---------------------------------------------------------------- exercise 3: correlation as a matmul

def q_corr2d_matrix(answer: object, *, input_size: int | tuple[int, int], K: torch.Tensor) -> Feedback:
    """Check a matrix M with ``M @ X.reshape(-1) == corr2d(X, K).reshape(-1)`` for every X of ``input_size``.

    input_size: (H, W); K: (k_h, k_w); M: (H'·W', H·W).
    """
    H, W = as_pair(input_size, "input_size", minimum=1)
    Kd = check_tensor(K, "K", (2,), "(k_h, k_w)").detach().to(torch.float64)
    if Kd.shape[0] > H or Kd.shape[1] > W:
        raise ValueError(f"K of shape {tuple(Kd.shape)} does not fit an input of size {(H, W)}")
    if (fb := unanswered(answer)) is not None:
        return fb
    expected = corr2d_matrix((H, W), Kd)
    out_h, out_w = H - Kd.shape[0] + 1, W - Kd.shape[1] + 1
    hint = (f"row i·{out_w} + j of M belongs to output Y[i, j]; put K[a, b] in the column of input pixel "
            f"(i + a, j + b), which is (i + a)·{W} + (j + b) when X is flattened row by row.")
    try:
        got = torch.as_tensor(answer.detach() if torch.is_tensor(answer) else answer, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return Feedback(False, f"Expected a matrix (tensor), got {type(answer).__name__}.")
    if got.shape != expected.shape:
        if got.shape == expected.T.shape:
            return Feedback(False, f"Your matrix is {tuple(got.shape)}, the transpose of what is asked. It maps "
                                   f"the {H * W} input pixels to the {expected.shape[0]} outputs, so its shape is "
                                   "(outputs, inputs).")
        return Feedback(False, f"Your matrix is {tuple(got.shape)}; it needs one row per output cell and one "
                               f"column per input pixel ({H}·{W}). Hint: {hint}")
    if torch.allclose(got, expected):
        return Feedback(True, "M @ x reproduces corr2d: each row is the kernel laid out where its window sits, so "
                              "with stride 1 M is doubly block Toeplitz (utils.corr2d_matrix builds it). Its "
                              "transpose M.T is what a transposed convolution applies.")
    if torch.allclose(got, corr2d_matrix((H, W), Kd.flip(0, 1))):
        return Feedback(False, "That matrix computes a convolution (the kernel flipped); cross-correlation uses K "
                               "as it is.")
    perm_in = torch.arange(H * W).reshape(H, W).T.reshape(-1)  # X flattened column by column
    perm_out = torch.arange(out_h * out_w).reshape(out_h, out_w).T.reshape(-1)
    if any(torch.allclose(got, c) for c in (expected[:, perm_in], expected[perm_out][:, perm_in])):
        return Feedback(False, "You flattened X column by column; flatten it row by row, as X.reshape(-1) does.")
    return Feedback(False, f"Some entries are wrong. Hint: {hint}")


# ---------------------------------------------------------------- exercise 4: design kernels by hand

def _as_kernel(K: object) -> torch.Tensor:
    try:
        T = torch.as_tensor(K.detach() if torch.is_tensor(K) else K, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"K must be a list or tensor of numbers, got {type(K).__name__}") from None
    if T.ndim == 0 or T.ndim > 2 or T.numel() == 0:
        raise ValueError(f"K must be 1-D (k,) or 2-D (k_h, k_w), got shape {tuple(T.shape)}")
    return T


def _moments_1d(w: torch.Tensor, order: int) -> list[float]:
    a = torch.arange(w.numel(), dtype=torch.float64)
    return [float((a ** r * w).sum()) for r in range(order + 1)]


def _tol(w: torch.Tensor, r: int) -> float:
    return 1e-6 * float(w.abs().sum()) * max(1, w.numel()) ** r + 1e-9


def q_derivative_kernel(answer: object, *, order: int) -> Feedback:
    """Is the 1-D kernel ``answer`` (or a 1×k / k×1 one) a finite-difference kernel for the ``order``-th derivative?

    With y_i = Σ_a w_a x_{i+a} and a Taylor expansion, y = Σ_r (m_r / r!) f⁽ʳ⁾ where
    m_r = Σ_a a^r w_a. K differentiates ``order`` times when m_0 … m_{order−1}
    vanish and m_order does not.
    """
    order = check_int(order, "order", 1)
    if (fb := unanswered(answer)) is not None:
        return fb
    T = _as_kernel(answer)
    if T.ndim == 2 and min(T.shape) > 1:
        return Feedback(False, "Give a 1-D kernel, or a single row or column; q_second_derivative also takes "
                               "2-D kernels.")
    w = T.reshape(-1)
    if w.numel() < order + 1:
        return Feedback(False, f"{w.numel()} taps are too few for a derivative of order {order}: after removing "
                               "the response to constants, lines, … nothing is left. Hint: how many samples "
                               f"define a polynomial of degree {order}?")
    m = _moments_1d(w, order)
    for r in range(order):
        if abs(m[r]) <= _tol(w, r):
            continue
        if r == 0:
            return Feedback(False, "Your kernel responds to a constant signal (the weights do not sum to 0), whose "
                                   f"derivative of order {order} is 0. Hint: the weights must cancel every "
                                   f"polynomial of degree below {order}.")
        if r == 1:
            return Feedback(False, "Your kernel responds to a straight line (Σ a·w_a ≠ 0), whose derivative of "
                                   f"order {order} is 0. Hint: the weights must cancel every polynomial of degree "
                                   f"below {order}.")
        return Feedback(False, f"Your kernel responds to the polynomial x^{r} (Σ a^{r}·w_a ≠ 0), whose derivative "
                               f"of order {order} is 0. Hint: the weights must cancel every polynomial of degree "
                               f"below {order}.")
    if abs(m[order]) <= _tol(w, order):
        return Feedback(False, f"Your kernel also cancels x^{order}, so it measures no derivative of order "
                               f"{order} (only higher ones, or nothing).")
    scale = m[order] / math.factorial(order)
    if abs(scale - 1) < 1e-9:
        return Feedback(True, f"It cancels every polynomial of degree below {order} and keeps the derivative of "
                              f"order {order}.")
    return Feedback(True, f"It cancels every polynomial of degree below {order} and keeps the derivative of order "
                          f"{order}: it computes {scale:g} × f⁽{order}⁾, so divide by {scale:g} for the exact value.")


def q_second_derivative(answer: object) -> Feedback:
    """A kernel for the second derivative: 1-D (k,), or 2-D (k_h, k_w) (e.g. a Laplacian)."""
    if (fb := unanswered(answer)) is not None:
        return fb
    T = _as_kernel(answer)
    if T.ndim == 1 or min(T.shape) == 1:
        return q_derivative_kernel(T.reshape(-1), order=2)
    a = torch.arange(T.shape[0], dtype=torch.float64)[:, None]
    b = torch.arange(T.shape[1], dtype=torch.float64)[None, :]

    def mom(p: int, q: int) -> float:
        return float((a ** p * b ** q * T).sum())

    tol = 1e-6 * float(T.abs().sum()) * T.numel() ** 2 + 1e-9
    if abs(mom(0, 0)) > tol:
        return Feedback(False, "Your kernel responds to a constant image (its weights do not sum to 0), but the "
                               "second derivative of a constant is 0.")
    if abs(mom(1, 0)) > tol or abs(mom(0, 1)) > tol:
        return Feedback(False, "Your kernel responds to a tilted plane (a first derivative). Hint: make it "
                               "symmetric about its centre.")
    m20, m11, m02 = mom(2, 0), mom(1, 1), mom(0, 2)
    # once m00 = m10 = m01 = 0, second moments do not depend on where the centre is
    if max(abs(m20), abs(m11), abs(m02)) <= tol:
        return Feedback(False, "Your kernel also cancels every parabola, so it sees no curvature.")
    if abs(m11) <= tol and abs(m20 - m02) <= tol:
        return Feedback(True, "It cancels constants and planes and measures the Laplacian ∂²/∂y² + ∂²/∂x².")
    if abs(m11) <= tol and abs(m20) <= tol:
        return Feedback(True, "It cancels constants and planes and measures ∂²/∂x², along rows.")
    if abs(m11) <= tol and abs(m02) <= tol:
        return Feedback(True, "It cancels constants and planes and measures ∂²/∂y², down columns.")
    return Feedback(True, "It cancels constants and planes and measures a mix of second derivatives, "
                          "including ∂²/∂x∂y.")


def _centred(w: torch.Tensor) -> bool:
    """Is the kernel's centre of mass at its middle (so a straight line is integrated exactly)?"""
    total = float(w.sum())
    for axis in range(w.ndim):
        k = w.shape[axis]
        pos = torch.arange(k, dtype=torch.float64).reshape([-1 if d == axis else 1 for d in range(w.ndim)])
        if abs(float((pos * w).sum()) - total * (k - 1) / 2) > 1e-6 * k * total:  # float32 input
            return False
    return True


def q_integral_kernel(answer: object) -> Feedback:
    """A kernel whose cross-correlation integrates the signal over the window, samples 1 apart.

    A window of k samples is k wide when each sample stands for a strip of width 1
    (the rectangle rule), or k − 1 wide from the first sample to the last (the
    trapezoid rule, Simpson's rule, …). The weights must be non-negative, symmetric
    and sum to that width, so the constant 1 integrates to the width and a straight
    line is integrated exactly. A 2-D kernel integrates over an area, with either
    width along each axis.
    """
    if (fb := unanswered(answer)) is not None:
        return fb
    T = _as_kernel(answer)
    w = T.reshape(-1) if (T.ndim == 1 or min(T.shape) == 1) else T
    if w.numel() < 2:
        return Feedback(False, "Use at least two taps, so the window has a width to integrate over.")
    if bool((w < 0).any()):
        return Feedback(False, "Negative weights: the integral of a positive signal must be positive. "
                               "Hint: think of adding up the areas of thin strips.")
    total = float(w.sum())
    widths = {1.0}
    for k in w.shape:
        widths = {a * b for a in widths for b in (k, k - 1)}
    widths.discard(0.0)
    if not any(abs(total - width) < 1e-6 * width for width in widths):
        if abs(total - 1) < 1e-6:
            return Feedback(False, "Your weights sum to 1: that is a moving average. An integral grows with the "
                                   "width of the window it covers.")
        return Feedback(False, f"Your weights sum to {total:g}. Hint: integrating the constant 1 over the window "
                               "must give the window's width: the number of samples, or the number of steps from "
                               "the first sample to the last.")
    if not _centred(w):
        return Feedback(False, "The weights are lopsided, so a straight line would be integrated wrongly. "
                               "Hint: make them symmetric.")
    return Feedback(True, f"Integrating the constant 1 gives {total:g}, the window's width, and a straight line "
                          "comes out exactly because the weights are symmetric: a rectangle, trapezoid or Simpson "
                          "rule. A kernel of ones as long as the signal, slid over the signal zero-padded on the "
                          "left so that the output keeps its length, gives the running integral: a cumulative sum.")


def q_min_kernel_size(answer: int | Callable[[int], int], *, d: int | None = None) -> Feedback:
    """Smallest kernel length for a d-th derivative: a function of d (e.g. a lambda), or an int together with d=."""
    ds = range(1, 9) if d is None else [check_int(d, "d", 1)]
    if (fb := unanswered(answer)) is not None:
        return fb
    if callable(answer):
        try:
            got = {k: answer(k) for k in ds}
        except Exception as exc:  # the student's formula failed; show why
            return Feedback(False, f"Your function raised {type(exc).__name__}: {exc}")
    elif d is None:
        return Feedback(False, "Give a formula as a function, e.g. lambda d: ..., or an int together with d=.")
    else:
        got = {d: answer}
    expected = {k: _min_taps(k) for k in ds}
    if got == expected:
        return Feedback(True, "A d-th derivative must cancel the d polynomials 1, x, …, x^(d−1) and keep x^d: "
                              "that is d + 1 conditions, so d + 1 taps (a smaller kernel has only the zero "
                              "solution). [−1, 1] and [1, −2, 1] are the smallest for d = 1 and 2.")
    if all(got[k] == 2 * k + 1 for k in ds):
        return Feedback(False, "That is the smallest centred (odd, symmetric) kernel. Drop the symmetry: does "
                               "[−1, 1] differentiate?")
    if all(got[k] == k for k in ds):
        return Feedback(False, "With that few taps, cancelling 1, x, …, x^(d−1) forces every weight to 0.")
    return Feedback(False, "Hint: count conditions. The kernel must cancel 1, x, …, x^(d−1) but not x^d, and each "
                           "condition is one linear equation on the weights.")


def _min_taps(d: int) -> int:
    """Smallest k such that some k-tap kernel differentiates d times (searched, not assumed)."""
    for k in range(1, 2 * d + 3):
        a = torch.arange(k, dtype=torch.float64)
        V = torch.stack([a ** r for r in range(d)]) if d else torch.zeros(0, k, dtype=torch.float64)
        # a kernel with V w = 0 and (a^d)·w ≠ 0 exists iff a^d is not in the row space of V
        rank_v = int(torch.linalg.matrix_rank(V)) if d else 0
        rank_vd = int(torch.linalg.matrix_rank(torch.cat([V, (a ** d)[None]])))
        if rank_vd > rank_v:
            return k
    raise AssertionError("unreachable")
