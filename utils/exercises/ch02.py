"""Chapter 02 exercises (d2l, "Convolutions for Images"), each with an instant check.

    from utils.exercises import ch02
    X = ch02.diagonal_image()                 # or build your own, then ch02.q_diagonal_image(X)
    ch02.q_edge_diagonal(my_prediction)       # a tensor, or a letter from ch02.EDGE_CHOICES
    ch02.q_autograd_outcome("b")              # what happens when autograd meets the loop Conv2D
    ch02.q_conv2d_grad(layer.weight.grad, weight=layer.weight, X=X, Y=Y)
    ch02.q_corr2d_matrix(M, (3, 3), K)        # cross-correlation as a matrix multiplication
    ch02.q_second_derivative(K); ch02.q_integral_kernel(K)
    ch02.q_min_kernel_size(lambda d: ...)     # a formula in d (or an int with d=...)

Every expected answer is computed here, from the library, when the checker
runs; nothing is stored as a literal for a student to read off.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

from ..conv import corr2d
from ..toeplitz import corr2d_matrix
from ._core import Feedback
from ._core import unanswered as _unanswered

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
    if isinstance(n, bool) or not isinstance(n, int) or n < 3:
        raise ValueError(f"n must be an int >= 3, got {n!r}")
    return torch.tril(torch.ones(n, n))


def _as_image(X: object, name: str = "X") -> torch.Tensor:
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (H, W), got {type(X).__name__}")
    if X.ndim != 2:
        raise ValueError(f"{name} must have shape (H, W), got shape {tuple(X.shape)}")
    return X.detach().to(torch.float64)


def q_diagonal_image(X: torch.Tensor) -> Feedback:
    """Is X an image whose edge is one diagonal staircase (one step per row)?"""
    if (fb := _unanswered(X)) is not None:
        return fb
    X = _as_image(X)
    hint = ("make a two-valued image whose boundary moves one column per row, e.g. "
            "X[i, j] = 1 when j <= i (torch.tril does that).")
    if min(X.shape) < 3:
        return Feedback(False, f"Your image is {tuple(X.shape)}; take at least 3×3. Hint: {hint}")
    if torch.unique(X).numel() != 2:
        return Feedback(False, "An edge image has exactly two values (e.g. 0 and 1), yours has "
                               f"{torch.unique(X).numel()}. Hint: {hint}")
    steps = (X[:, 1:] != X[:, :-1])  # where the colour changes along each row
    per_row = steps.sum(1)
    if bool((per_row > 1).any()):
        return Feedback(False, "A row of your image changes colour more than once; one straight edge is "
                               f"crossed at most once per row. Hint: {hint}")
    crossing = torch.nonzero(per_row == 1).flatten()
    if crossing.numel() < 2 or int(crossing[-1] - crossing[0]) + 1 != crossing.numel():
        return Feedback(False, "The edge should cross a band of consecutive rows (at least two). "
                               f"Hint: {hint}")
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
    truth = _describe(expected)
    if isinstance(answer, str):
        choice = answer.strip().lower()[:1]
        if choice not in EDGE_CHOICES:
            return Feedback(False, f"Pick one of the letters {', '.join(EDGE_CHOICES)} "
                                   "(see EDGE_CHOICES), or give the output tensor itself.")
        if choice == truth:
            return Feedback(True, f"{EDGE_CHOICES[choice]}. {why}")
        return Feedback(False, f"You chose '{EDGE_CHOICES[choice]}'. Hint: {hint}")
    try:
        got = torch.as_tensor(answer, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return Feedback(False, f"Give a letter or a tensor, not {type(answer).__name__}.")
    if got.shape != expected.shape:
        return Feedback(False, f"Your output has shape {tuple(got.shape)}, but {what} gives shape "
                               f"{tuple(expected.shape)}: a k_h×k_w kernel removes k_h−1 rows and k_w−1 "
                               f"columns. Hint: {hint}")
    if torch.allclose(got, expected):
        return Feedback(True, why)
    if torch.allclose(got, -expected) and bool(expected.any()):
        return Feedback(False, "Right places, wrong sign: the kernel computes (first tap) − (second tap), "
                               "i.e. this pixel minus its neighbour.")
    if bool(((got != 0) == (expected != 0)).all()):
        return Feedback(False, f"The nonzero cells are in the right places, but some values are off. Hint: {hint}")
    return Feedback(False, f"Some cells are wrong. Hint: {hint}")


def q_edge_diagonal(answer: object, X: torch.Tensor | None = None) -> Feedback:
    """Predict corr2d(X, K) for K = [[1, -1]] (X defaults to ``diagonal_image()``).

    ``answer``: the predicted output tensor, or a letter from ``EDGE_CHOICES``.
    """
    if (fb := _unanswered(answer)) is not None:
        return fb
    X = _as_image(diagonal_image() if X is None else X)
    expected = corr2d(X, edge_kernel().to(X.dtype))
    return _check_prediction(
        answer, expected, what="corr2d(X, K)",
        why="K = [1, −1] subtracts each pixel's right neighbour: it fires wherever a row changes "
            "colour, and a diagonal edge changes colour in every row, one column further each time.",
        hint="for each row, find the one place where X[i, j] and X[i, j+1] differ and compute "
             "X[i, j] − X[i, j+1] there; everywhere else the difference is 0.")


def q_edge_diagonal_transposed_X(answer: object, X: torch.Tensor | None = None) -> Feedback:
    """Predict corr2d(X.T, K) for K = [[1, -1]] (X defaults to ``diagonal_image()``)."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    X = _as_image(diagonal_image() if X is None else X)
    expected = corr2d(X.T, edge_kernel().to(X.dtype))
    return _check_prediction(
        answer, expected, what="corr2d(X.T, K)",
        why="Unlike the vertical edge of the lesson, a diagonal edge does not vanish when X is "
            "transposed: it is still crossed once per row, only the colours on its two sides swap "
            "(so the sign flips) and the line moves.",
        hint="write out X.T first (rows become columns), then subtract right neighbours row by row.")


def q_edge_diagonal_transposed_K(answer: object, X: torch.Tensor | None = None) -> Feedback:
    """Predict corr2d(X, K.T) for K = [[1, -1]], i.e. K.T = [[1], [-1]]."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    X = _as_image(diagonal_image() if X is None else X)
    expected = corr2d(X, edge_kernel().T.to(X.dtype))
    return _check_prediction(
        answer, expected, what="corr2d(X, K.T)",
        why="K.T = [[1], [−1]] subtracts the pixel *below*: it detects horizontal edges, and a "
            "diagonal edge is crossed once per column too.",
        hint="K.T is 2×1: the output loses one row; compute X[i, j] − X[i+1, j] down each column.")


# ---------------------------------------------------------------- exercise 2: autograd and the loop Conv2D

def _loop_corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


def _autograd_truth() -> str:
    """Run the experiment: does backward() through the loop corr2d work, and match F.conv2d?"""
    torch.manual_seed(0)
    X, weight = torch.rand(4, 5, dtype=torch.float64), torch.rand(2, 2, dtype=torch.float64, requires_grad=True)
    try:
        _loop_corr2d(X, weight).sum().backward()
    except RuntimeError as exc:
        return "a" if "leaf" in str(exc) else "c"
    if weight.grad is None or not bool(weight.grad.any()):
        return "d"
    return "b"


def q_autograd_outcome(answer: str) -> Feedback:
    """d2l asks what error autograd raises on the hand-written Conv2D. Pick from AUTOGRAD_CHOICES."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    if not isinstance(answer, str) or answer.strip().lower()[:1] not in AUTOGRAD_CHOICES:
        return Feedback(False, "Answer with one letter from AUTOGRAD_CHOICES.")
    choice = answer.strip().lower()[:1]
    truth = _autograd_truth()  # decided by running it, in this PyTorch
    if choice == truth:
        return Feedback(True, "In PyTorch, Y = torch.zeros(...) is a fresh tensor that does not require "
                              "grad; writing Y[i, j] = ... into it is recorded (CopySlices), so gradients "
                              "flow back to the weight. d2l's MXNet version raised an error because "
                              "MXNet's autograd does not allow in-place writes while recording.")
    hints = {
        "a": "that error needs a *leaf* tensor with requires_grad=True written in place; is Y such a leaf?",
        "c": "that error appears when nothing in the graph requires grad; the weight is an nn.Parameter.",
        "d": "try it: build the layer, call loss.backward() and print layer.weight.grad.",
        "b": "run the loop version and call backward(); read the error message carefully.",
    }
    return Feedback(False, f"Hint: {hints[choice]}")


def q_conv2d_grad(grad: object, *, weight: torch.Tensor, X: torch.Tensor, Y: torch.Tensor,
                  bias: float | torch.Tensor = 0.0) -> Feedback:
    """Check a gradient computed through the loop Conv2D against ``F.conv2d``.

    The loss is ``((corr2d(X, weight) + bias - Y) ** 2).sum()``; ``grad`` is the
    student's ``d loss / d weight`` (e.g. ``layer.weight.grad``). X: (H, W),
    weight: (k_h, k_w), Y: (H', W').
    """
    if grad is Ellipsis:
        return _unanswered(grad)
    if grad is None:
        return Feedback(False, "The gradient is None: call loss.backward() first, and read weight.grad.")
    if not isinstance(weight, torch.Tensor) or weight.ndim != 2:
        raise ValueError("weight must be the (k_h, k_w) kernel tensor of the layer")
    w = weight.detach().to(torch.float64).clone().requires_grad_(True)
    Xd = _as_image(X)
    b = torch.as_tensor(bias, dtype=torch.float64).detach().reshape(-1)[:1].sum() if torch.is_tensor(bias) \
        else torch.tensor(float(bias), dtype=torch.float64)
    out = F.conv2d(Xd[None, None], w[None, None]) + b
    Yd = torch.as_tensor(Y, dtype=torch.float64).detach()
    if Yd.numel() != out.numel():
        raise ValueError(f"Y must have the output's {out.shape[-2:].numel()} elements, got shape {tuple(Yd.shape)}")
    ((out - Yd.reshape(out.shape)) ** 2).sum().backward()
    expected = w.grad
    try:
        got = torch.as_tensor(grad.detach() if torch.is_tensor(grad) else grad, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return Feedback(False, f"Expected a tensor of shape {tuple(expected.shape)}, got {type(grad).__name__}.")
    if got.shape != expected.shape:
        return Feedback(False, f"Your gradient has shape {tuple(got.shape)}; d loss/d weight has the "
                               f"weight's shape {tuple(expected.shape)}.")
    if torch.allclose(got, expected, rtol=1e-4, atol=1e-5):
        return Feedback(True, "Your loop layer's gradient equals the one autograd computes through "
                              "F.conv2d: in-place writes into a fresh tensor are differentiable.")
    if torch.allclose(got, 2 * expected, rtol=1e-4, atol=1e-5) or torch.allclose(got, expected / 2, rtol=1e-4,
                                                                                 atol=1e-5):
        return Feedback(False, "Off by a factor 2: the loss is the *sum of squares*, d/dw (ŷ−y)² = 2(ŷ−y)·dŷ/dw.")
    if torch.allclose(got, -expected, rtol=1e-4, atol=1e-5):
        return Feedback(False, "Wrong sign: the gradient of (ŷ − y)² is 2(ŷ − y)·∂ŷ/∂w, not 2(y − ŷ)·….")
    return Feedback(False, "The values differ from F.conv2d's. Hint: zero the gradient before backward() "
                           "(gradients accumulate), and use the same weight, X, Y and loss as here.")


# ---------------------------------------------------------------- exercise 3: correlation as a matmul

def q_corr2d_matrix(M: object, input_size: tuple[int, int], K: torch.Tensor) -> Feedback:
    """Check a matrix M with ``M @ X.reshape(-1) == corr2d(X, K).reshape(-1)`` for every X of input_size."""
    if (fb := _unanswered(M)) is not None:
        return fb
    Kd = K.detach().to(torch.float64) if isinstance(K, torch.Tensor) else torch.as_tensor(K, dtype=torch.float64)
    expected = corr2d_matrix(input_size, Kd)
    H, W = input_size
    hint = ("row i·W' + j of M belongs to output Y[i, j]; put K[a, b] in the column of input pixel "
            "(i + a, j + b), which is (i + a)·W + (j + b) when X is flattened row by row.")
    try:
        got = torch.as_tensor(M.detach() if torch.is_tensor(M) else M, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return Feedback(False, f"Expected a matrix (tensor), got {type(M).__name__}.")
    if got.shape != expected.shape:
        if got.shape == expected.T.shape:
            return Feedback(False, f"Your matrix is {tuple(got.shape)}: transposed. It must map the {H * W} "
                                   f"input pixels to the {expected.shape[0]} outputs, so (outputs, inputs).")
        return Feedback(False, f"Your matrix is {tuple(got.shape)}; it must have one row per output cell "
                               f"and one column per input pixel ({H}·{W}). Hint: {hint}")
    if torch.allclose(got, expected):
        return Feedback(True, "M @ x reproduces corr2d: each row is the kernel laid out where its window "
                              "sits, so with stride 1 M is doubly block Toeplitz (utils.toeplitz.corr2d_matrix "
                              "builds it). Its transpose M.T is what a transposed convolution applies.")
    if torch.allclose(got, corr2d_matrix(input_size, Kd.flip(0, 1))):
        return Feedback(False, "That matrix computes a *convolution* (the kernel flipped); cross-correlation "
                               "uses K as it is.")
    out_h, out_w = _out_hw(input_size, Kd)
    perm_in = torch.arange(H * W).reshape(H, W).T.reshape(-1)  # X flattened column by column
    perm_out = torch.arange(out_h * out_w).reshape(out_h, out_w).T.reshape(-1)
    colmajor = [expected[:, perm_in], expected[perm_out][:, perm_in]]
    if any(torch.allclose(got, c) for c in colmajor):
        return Feedback(False, "You flattened X column by column; flatten it row by row (X.reshape(-1)).")
    return Feedback(False, f"Some entries are wrong. Hint: {hint}")


def _out_hw(input_size: tuple[int, int], K: torch.Tensor) -> tuple[int, int]:
    return (input_size[0] - K.shape[0] + 1, input_size[1] - K.shape[1] + 1)


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


_ORDINAL = {1: "first", 2: "second", 3: "third"}


def _deriv_name(d: int) -> str:
    return f"{_ORDINAL.get(d, f'{d}th')} derivative"


def q_derivative_kernel(K: object, order: int) -> Feedback:
    """Is the 1-D kernel K (or a 1×k / k×1 one) a finite-difference kernel for the ``order``-th derivative?

    With y_i = Σ_a w_a x_{i+a} and a Taylor expansion, y = Σ_r (m_r / r!) f⁽ʳ⁾ where
    m_r = Σ_a a^r w_a. K differentiates ``order`` times when m_0 … m_{order−1}
    vanish and m_order does not.
    """
    if (fb := _unanswered(K)) is not None:
        return fb
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"order must be a positive int, got {order!r}")
    T = _as_kernel(K)
    if T.ndim == 2 and min(T.shape) > 1:
        return Feedback(False, "Give a 1-D kernel (or a single row/column); "
                               + ("for 2-D second derivatives use q_second_derivative." if order == 2 else ""))
    w = T.reshape(-1)
    name = _deriv_name(order)
    if w.numel() < order + 1:
        return Feedback(False, f"{w.numel()} taps are too few for a {name}: after removing the response to "
                               "constants, lines, … nothing is left. Hint: how many samples define a "
                               f"polynomial of degree {order}?")
    m = _moments_1d(w, order)
    for r in range(order):
        if abs(m[r]) > _tol(w, r):
            what = {0: "a constant signal (the weights do not sum to 0)",
                    1: "a straight line (Σ a·w_a ≠ 0)"}.get(r, f"the polynomial x^{r} (Σ a^{r}·w_a ≠ 0)")
            return Feedback(False, f"Your kernel responds to {what}, whose {name} is 0. Hint: the weights "
                                   f"must cancel every polynomial of degree < {order}.")
    if abs(m[order]) <= _tol(w, order):
        return Feedback(False, f"Your kernel also cancels x^{order}, so it measures no {name} "
                               "(only higher ones, or nothing).")
    scale = m[order] / math.factorial(order)
    note = "" if abs(scale - 1) < 1e-9 else f" It computes {scale:g} × f⁽{order}⁾; divide by {scale:g} for the exact value."
    return Feedback(True, f"It cancels every polynomial of degree < {order} and keeps the {name}.{note}")


def q_second_derivative(K: object) -> Feedback:
    """A kernel for the second derivative: 1-D (k,), or 2-D (k_h, k_w) (e.g. a Laplacian)."""
    if (fb := _unanswered(K)) is not None:
        return fb
    T = _as_kernel(K)
    if T.ndim == 1 or min(T.shape) == 1:
        return q_derivative_kernel(T.reshape(-1), 2)
    a = torch.arange(T.shape[0], dtype=torch.float64)[:, None]
    b = torch.arange(T.shape[1], dtype=torch.float64)[None, :]

    def mom(p: int, q: int) -> float:
        return float((a ** p * b ** q * T).sum())

    tol = 1e-6 * float(T.abs().sum()) * T.numel() ** 2 + 1e-9
    if abs(mom(0, 0)) > tol:
        return Feedback(False, "Your kernel responds to a constant image (weights do not sum to 0); "
                               "a second derivative of a constant is 0.")
    if abs(mom(1, 0)) > tol or abs(mom(0, 1)) > tol:
        return Feedback(False, "Your kernel responds to a tilted plane (a first derivative). Hint: make it "
                               "symmetric about its centre.")
    m20, m11, m02 = mom(2, 0), mom(1, 1), mom(0, 2)
    # about the centre: subtracting the centroid does not change second moments when m00 = m10 = m01 = 0
    if max(abs(m20), abs(m11), abs(m02)) <= tol:
        return Feedback(False, "Your kernel also cancels every parabola, so it sees no curvature.")
    if abs(m11) <= tol and abs(m20 - m02) <= tol:
        kind = "the Laplacian ∂²/∂y² + ∂²/∂x²"
    elif abs(m11) <= tol and abs(m20) <= tol:
        kind = "∂²/∂x² (along rows)"
    elif abs(m11) <= tol and abs(m02) <= tol:
        kind = "∂²/∂y² (down columns)"
    else:
        kind = "a mix of second derivatives (including ∂²/∂x∂y)"
    return Feedback(True, f"It cancels constants and planes and measures {kind}.")


def q_integral_kernel(K: object) -> Feedback:
    """A kernel whose cross-correlation integrates the signal over the window (unit sample spacing).

    Accepted: the rectangle (midpoint) rule, which integrates over k samples'
    width, or the trapezoid/Simpson family, which integrates over k − 1
    intervals — non-negative, symmetric weights summing to that width.
    """
    if (fb := _unanswered(K)) is not None:
        return fb
    T = _as_kernel(K)
    w = T.reshape(-1) if (T.ndim == 1 or min(T.shape) == 1) else T
    if w.numel() < 2:
        return Feedback(False, "Use at least two taps, so the window has a width to integrate over.")
    if bool((w < 0).any()):
        return Feedback(False, "Negative weights: the integral of a positive signal must be positive. "
                               "Hint: think of adding up areas of thin strips.")
    total = float(w.sum())
    if w.ndim == 1:
        widths = {w.numel(), w.numel() - 1}
        a = torch.arange(w.numel(), dtype=torch.float64)
        centred = abs(float((a * w).sum()) - total * (w.numel() - 1) / 2) < 1e-9 * w.numel() ** 2 * total
    else:
        kh, kw = w.shape
        widths = {kh * kw, (kh - 1) * (kw - 1)}
        r = torch.arange(kh, dtype=torch.float64)[:, None]
        c = torch.arange(kw, dtype=torch.float64)[None, :]
        centred = (abs(float((r * w).sum()) - total * (kh - 1) / 2) < 1e-9 * kh ** 2 * total
                   and abs(float((c * w).sum()) - total * (kw - 1) / 2) < 1e-9 * kw ** 2 * total)
    if abs(total - 1) < 1e-9:
        return Feedback(False, "Your weights sum to 1: that is a moving *average*. An integral grows with "
                               "the width of the window it covers.")
    if not any(abs(total - width) < 1e-9 * width for width in widths):
        return Feedback(False, f"Your weights sum to {total:g}. Hint: integrating the constant 1 over the "
                               "window must give the window's width (in samples, or in intervals between "
                               "them).")
    if not centred:
        return Feedback(False, "The weights are lopsided: a linear signal would be integrated wrongly. "
                               "Hint: make them symmetric.")
    return Feedback(True, "It adds up strips of width 1 under the curve (the rectangle or trapezoid rule). "
                          "Padding a kernel as long as the signal on the left turns it into the running "
                          "integral, a cumulative sum.")


def q_min_kernel_size(answer: int | Callable[[int], int], d: int | None = None) -> Feedback:
    """Smallest kernel length for a d-th derivative: answer a function of d (e.g. a lambda), or an int with d=."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    ds = range(1, 9) if d is None else [d]
    if d is not None and (isinstance(d, bool) or not isinstance(d, int) or d < 1):
        raise ValueError(f"d must be a positive int, got {d!r}")
    if callable(answer):
        try:
            got = {k: answer(k) for k in ds}
        except Exception as exc:  # the student's formula failed
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
        return Feedback(False, "That is the smallest *centred* (odd, symmetric) kernel. Drop the symmetry: "
                               "does [−1, 1] differentiate?")
    if all(got[k] == k for k in ds):
        return Feedback(False, "With that few taps, cancelling 1, x, …, x^(d−1) forces every weight to 0.")
    return Feedback(False, "Hint: count conditions — the kernel must cancel 1, x, …, x^(d−1) but not x^d; "
                           "each condition is one linear equation on the weights.")


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
