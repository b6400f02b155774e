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
from ..i18n import tr
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

# The printed choices stay English (the code cells and their outputs are the same in both editions);
# the Chinese chapter's prompts show these translations, and Chinese feedback quotes them.
_EDGE_CHOICES_ZH = {
    "a": "全为0，边缘消失",
    "b": "一条由+1组成的斜线（其余为0）",
    "c": "一条由-1组成的斜线（其余为0）",
    "d": "一条竖线（只有一列非零）",
    "e": "一条横线（只有一行非零）",
}

_AUTOGRAD_CHOICES_ZH = {
    "a": "报错RuntimeError，说一个需要梯度的叶子张量被用在了原地操作中",
    "b": "不报错：原地写入Y[i, j] = ...会被记录下来，backward()能正常运行，这个层也能训练",
    "c": "报错RuntimeError，说张量的第0个元素不需要梯度，也没有grad_fn",
    "d": "不报错，但weight.grad一直是None或全为0，所以什么也学不到",
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
    hint = tr("make a two-valued image whose boundary moves one column per row, e.g. "
              "X[i, j] = 1 when j <= i (torch.tril does that).",
              "做一张只有两种取值的图像，让分界线每行移动一列，例如 j <= i 时 X[i, j] = 1"
              "（torch.tril 就是这样做的）。")
    if min(X.shape) < 3:
        return Feedback(False, tr(f"Your image is {tuple(X.shape)}; take at least 3×3. Hint: {hint}",
                                  f"你的图像形状是 {tuple(X.shape)}，至少要 3×3。提示：{hint}"))
    n_values = torch.unique(X).numel()
    if n_values != 2:
        return Feedback(False, tr(f"An edge image has exactly two values (e.g. 0 and 1), yours has {n_values}. "
                                  f"Hint: {hint}",
                                  f"边缘图像恰好有两种取值（例如 0 和 1），你的图像有 {n_values} 种。提示：{hint}"))
    steps = X[:, 1:] != X[:, :-1]  # where the colour changes along each row
    per_row = steps.sum(1)
    if bool((per_row > 1).any()):
        return Feedback(False, tr("A row of your image changes colour more than once, but one straight edge is "
                                  f"crossed at most once per row. Hint: {hint}",
                                  "你的图像中有一行的颜色变了不止一次，但每一行最多只会穿过一条直的边缘一次。"
                                  f"提示：{hint}"))
    crossing = torch.nonzero(per_row == 1).flatten()
    if crossing.numel() < 2 or int(crossing[-1] - crossing[0]) + 1 != crossing.numel():
        return Feedback(False, tr(f"The edge should cross a band of consecutive rows (at least two). Hint: {hint}",
                                  f"边缘应当穿过连续的若干行（至少两行）。提示：{hint}"))
    where = steps[crossing].float().argmax(1)
    moves = where[1:] - where[:-1]
    if not (bool((moves == 1).all()) or bool((moves == -1).all())):
        return Feedback(False, tr("The edge must move by one column from each row to the next, always in the "
                                  f"same direction (a 45° line). Hint: {hint}",
                                  "从每一行到下一行，边缘都必须移动一列，而且方向始终相同（一条 45° 的线）。"
                                  f"提示：{hint}"))
    return Feedback(True, tr("That is a diagonal edge: it changes both along rows and along columns.",
                             "这是一条斜向的边缘：沿行和沿列都有颜色变化。"))


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
            letters = ", ".join(EDGE_CHOICES)
            return Feedback(False, tr(f"Pick one letter from EDGE_CHOICES ({letters}), or give the "
                                      "output tensor itself.",
                                      f"请从 EDGE_CHOICES 中选一个字母（{letters}），或者直接给出输出张量。"))
        truth = _describe(expected)
        if truth == "?":
            return Feedback(False, tr(f"None of the letters describes {what} for this image: give the output "
                                      "tensor itself.",
                                      f"对这张图像来说，没有哪个字母能描述 {what}：请直接给出输出张量。"))
        if choice == truth:
            return Feedback(True, why)
        return Feedback(False, tr(f"You chose ({choice}), {EDGE_CHOICES[choice]}. Hint: {hint}",
                                  f"你选的是 ({choice})：{_EDGE_CHOICES_ZH[choice]}。提示：{hint}"))
    try:
        got = torch.as_tensor(answer.detach() if torch.is_tensor(answer) else answer, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return Feedback(False, tr(f"Give a letter or a tensor, not {type(answer).__name__}.",
                                  f"请给出一个字母或一个张量，而不是 {type(answer).__name__}。"))
    if got.shape != expected.shape:
        return Feedback(False, tr(f"Your output has shape {tuple(got.shape)}, but {what} has shape "
                                  f"{tuple(expected.shape)}: a k_h×k_w kernel removes k_h − 1 rows and k_w − 1 "
                                  f"columns. Hint: {hint}",
                                  f"你的输出形状是 {tuple(got.shape)}，但 {what} 的形状是 {tuple(expected.shape)}："
                                  f"k_h×k_w 的卷积核会让输出少 k_h − 1 行、k_w − 1 列。提示：{hint}"))
    if torch.allclose(got, expected):
        return Feedback(True, why)
    if torch.allclose(got, -expected) and bool(expected.any()):
        return Feedback(False, tr("Right places, wrong sign: K = [1, −1] computes (first tap) − (second tap), "
                                  "this pixel minus its neighbour.",
                                  "位置对了，符号反了：K = [1, −1] 计算的是（第一个元素下的像素）−（第二个元素下的像素），"
                                  "即这个像素减去它的相邻像素。"))
    if bool(((got != 0) == (expected != 0)).all()):
        return Feedback(False, tr(f"The nonzero cells are in the right places, but some values are off. Hint: {hint}",
                                  f"非零元素的位置对了，但有些数值不对。提示：{hint}"))
    return Feedback(False, tr(f"Some cells are wrong. Hint: {hint}", f"有些元素不对。提示：{hint}"))


def q_edge_diagonal(answer: object, *, X: torch.Tensor, K: torch.Tensor) -> Feedback:
    """Predict ``corr2d(X, K)``, X: (H, W), K: (k_h, k_w) (the lesson's K = [[1, -1]]).

    ``answer``: the predicted output tensor, or a letter from ``EDGE_CHOICES``.
    """
    X, K = _as_image(X), _as_image(K, "K")
    if (fb := unanswered(answer)) is not None:
        return fb
    return _check_prediction(
        answer, corr2d(X, K), what="corr2d(X, K)",
        why=tr("K = [1, −1] subtracts each pixel's right neighbour: it fires wherever a row changes colour, and a "
               "diagonal edge changes colour in every row, one column further each time.",
               "K = [1, −1] 用每个像素减去它右边的相邻像素：只要某一行的颜色发生变化，它就有响应；"
               "而斜向的边缘让每一行都变一次颜色，变色的位置每行挪一列。"),
        hint=tr("for each row, find the one place where X[i, j] and X[i, j+1] differ and compute "
                "X[i, j] − X[i, j+1] there; everywhere else the difference is 0.",
                "在每一行找出 X[i, j] 与 X[i, j+1] 不同的那个位置，在那里计算 X[i, j] − X[i, j+1]；"
                "其他位置的差都是 0。"))


def q_edge_diagonal_transposed_X(answer: object, *, X: torch.Tensor, K: torch.Tensor) -> Feedback:
    """Predict ``corr2d(X.T, K)``, X: (H, W), K: (k_h, k_w) (the lesson's K = [[1, -1]])."""
    X, K = _as_image(X), _as_image(K, "K")
    if (fb := unanswered(answer)) is not None:
        return fb
    return _check_prediction(
        answer, corr2d(X.T, K), what="corr2d(X.T, K)",
        why=tr("Unlike the vertical edge of the lesson, a diagonal edge does not vanish when X is transposed: it is "
               "still crossed once per row, only the colours on its two sides swap (so the sign flips) and the line "
               "moves.",
               "与正文中的垂直边缘不同，斜向的边缘在 X 转置后不会消失：每一行仍然会穿过它一次，"
               "只是它两侧的颜色互换了（所以符号反了），线的位置也变了。"),
        hint=tr("write out X.T first (rows become columns), then subtract right neighbours row by row.",
                "先写出 X.T（行变成列），再逐行用每个像素减去它右边的相邻像素。"))


def q_edge_diagonal_transposed_K(answer: object, *, X: torch.Tensor, K: torch.Tensor) -> Feedback:
    """Predict ``corr2d(X, K.T)``, X: (H, W), K: (k_h, k_w) (the lesson's K = [[1, -1]], so K.T = [[1], [-1]])."""
    X, K = _as_image(X), _as_image(K, "K")
    if (fb := unanswered(answer)) is not None:
        return fb
    return _check_prediction(
        answer, corr2d(X, K.T), what="corr2d(X, K.T)",
        why=tr("K.T = [[1], [−1]] subtracts the pixel below: it detects horizontal edges, and a diagonal edge is "
               "crossed once per column too.",
               "K.T = [[1], [−1]] 用每个像素减去它下方的像素：它检测的是水平边缘，"
               "而每一列也都会穿过斜向的边缘一次。"),
        hint=tr("K.T is 2×1, so the output loses one row; compute X[i, j] − X[i+1, j] down each column.",
                "K.T 的形状是 2×1，所以输出少一行；沿每一列向下计算 X[i, j] − X[i+1, j]。"))


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
        letters = ", ".join(AUTOGRAD_CHOICES)
        return Feedback(False, tr(f"Answer with one letter from AUTOGRAD_CHOICES: {letters}.",
                                  f"请用 AUTOGRAD_CHOICES 中的一个字母作答：{letters}。"))
    truth = _autograd_truth()  # decided by running it, in this PyTorch
    if choice == truth:
        return Feedback(True, tr("In PyTorch, Y = torch.zeros(...) is a fresh tensor that does not require grad; "
                                 "writing Y[i, j] = ... into it is recorded (CopySlices), so gradients flow back to "
                                 "the weight. d2l's MXNet version raised an error because MXNet's autograd does not "
                                 "allow in-place writes while recording.",
                                 "在 PyTorch 中，Y = torch.zeros(...) 是一个新建的、不需要梯度的张量；"
                                 "往里面写入 Y[i, j] = ... 会被记录下来（CopySlices），所以梯度能传回权重。"
                                 "d2l 的 MXNet 版本之所以报错，是因为 MXNet 的自动微分在记录计算图时不允许原地写入。"))
    hints = {
        "a": tr("that error needs a leaf tensor with requires_grad=True written in place. Is Y such a leaf?",
                "只有原地写入一个 requires_grad=True 的叶子张量时才会出现这个错误。Y 是这样的叶子张量吗？"),
        "b": tr("run the loop version and call backward(), then read the error message carefully.",
                "运行循环版本并调用 backward()，然后仔细读一读报错信息。"),
        "c": tr("that error appears when nothing in the graph requires grad, but the weight is an nn.Parameter.",
                "只有计算图中没有任何张量需要梯度时才会出现这个错误，但权重是一个 nn.Parameter。"),
        "d": tr("try it: build the layer, call loss.backward() and print layer.weight.grad.",
                "动手试试：构造这个层，调用 loss.backward()，再打印 layer.weight.grad。"),
    }
    return Feedback(False, tr(f"Hint: {hints[choice]}", f"提示：{hints[choice]}"))


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
        return Feedback(False, tr("The gradient is None: call loss.backward() first, then read weight.grad.",
                                  "梯度是 None：先调用 loss.backward()，再读取 weight.grad。"))
    ((out - Yd.reshape(out.shape)) ** 2).sum().backward()
    expected = w.grad
    try:
        got = torch.as_tensor(answer.detach() if torch.is_tensor(answer) else answer, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return Feedback(False, tr(f"Expected a tensor of shape {tuple(expected.shape)}, got {type(answer).__name__}.",
                                  f"这里需要一个形状为 {tuple(expected.shape)} 的张量，你给的是 "
                                  f"{type(answer).__name__}。"))
    if got.shape != expected.shape:
        return Feedback(False, tr(f"Your gradient has shape {tuple(got.shape)}, but d loss/d weight has the weight's "
                                  f"shape {tuple(expected.shape)}.",
                                  f"你的梯度形状是 {tuple(got.shape)}，但 d loss/d weight 的形状与权重相同，"
                                  f"应为 {tuple(expected.shape)}。"))

    def close(a: torch.Tensor) -> bool:
        return torch.allclose(got, a, rtol=1e-4, atol=1e-5)

    if close(expected):
        return Feedback(True, tr("Your loop layer's gradient equals the one autograd computes through F.conv2d: "
                                 "in-place writes into a fresh tensor are differentiable.",
                                 "你的循环版本层算出的梯度，与自动微分经由 F.conv2d 算出的梯度相同："
                                 "原地写入一个新建的张量是可微的。"))
    if close(2 * expected) or close(expected / 2):
        return Feedback(False, tr("Off by a factor 2: the loss is the sum of squares, and d/dw (ŷ − y)² = "
                                  "2(ŷ − y)·dŷ/dw.",
                                  "差了 2 倍：损失是平方和，而 d/dw (ŷ − y)² = 2(ŷ − y)·dŷ/dw。"))
    if close(-expected):
        return Feedback(False, tr("Wrong sign: the gradient of (ŷ − y)² is 2(ŷ − y)·∂ŷ/∂w, not 2(y − ŷ)·∂ŷ/∂w.",
                                  "符号反了：(ŷ − y)² 的梯度是 2(ŷ − y)·∂ŷ/∂w，而不是 2(y − ŷ)·∂ŷ/∂w。"))
    return Feedback(False, tr("The values differ from F.conv2d's. Hint: zero the gradient before backward() "
                              "(gradients accumulate), and use the same weight, X, Y and loss as here.",
                              "数值与 F.conv2d 算出的不同。提示：在 backward() 之前把梯度清零（梯度会累加），"
                              "并使用与这里相同的权重、X、Y 和损失。"))


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
    hint = tr(f"row i·{out_w} + j of M belongs to output Y[i, j]; put K[a, b] in the column of input pixel "
              f"(i + a, j + b), which is (i + a)·{W} + (j + b) when X is flattened row by row.",
              f"M 的第 i·{out_w} + j 行对应输出 Y[i, j]；把 K[a, b] 放在输入像素 (i + a, j + b) 对应的那一列，"
              f"X 按行展平时，它是第 (i + a)·{W} + (j + b) 列。")
    try:
        got = torch.as_tensor(answer.detach() if torch.is_tensor(answer) else answer, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return Feedback(False, tr(f"Expected a matrix (tensor), got {type(answer).__name__}.",
                                  f"这里需要一个矩阵（张量），你给的是 {type(answer).__name__}。"))
    if got.shape != expected.shape:
        if got.shape == expected.T.shape:
            return Feedback(False, tr(f"Your matrix is {tuple(got.shape)}, the transpose of what is asked. It maps "
                                      f"the {H * W} input pixels to the {expected.shape[0]} outputs, so its shape is "
                                      "(outputs, inputs).",
                                      f"你的矩阵形状是 {tuple(got.shape)}，正好是所求矩阵的转置。它把 {H * W} 个输入像素"
                                      f"映射到 {expected.shape[0]} 个输出，所以形状是（输出个数, 输入个数）。"))
        return Feedback(False, tr(f"Your matrix is {tuple(got.shape)}; it needs one row per output cell and one "
                                  f"column per input pixel ({H}·{W}). Hint: {hint}",
                                  f"你的矩阵形状是 {tuple(got.shape)}；它需要每个输出元素对应一行、"
                                  f"每个输入像素对应一列（共 {H}·{W} 列）。提示：{hint}"))
    if torch.allclose(got, expected):
        return Feedback(True, tr("M @ x reproduces corr2d: each row is the kernel laid out where its window sits, "
                                 "so with stride 1 M is doubly block Toeplitz (utils.corr2d_matrix builds it). Its "
                                 "transpose M.T is what a transposed convolution applies.",
                                 "M @ x 重现了 corr2d：每一行都是把卷积核摆在它的窗口所在的位置，所以步幅为 1 时，"
                                 "M 是一个双重分块托普利茨矩阵（utils.corr2d_matrix 会构造它）。"
                                 "它的转置 M.T 正是转置卷积所做的运算。"))
    if torch.allclose(got, corr2d_matrix((H, W), Kd.flip(0, 1))):
        return Feedback(False, tr("That matrix computes a convolution (the kernel flipped); cross-correlation uses K "
                                  "as it is.",
                                  "这个矩阵计算的是卷积（卷积核被翻转了）；互相关运算直接使用原来的 K。"))
    perm_in = torch.arange(H * W).reshape(H, W).T.reshape(-1)  # X flattened column by column
    perm_out = torch.arange(out_h * out_w).reshape(out_h, out_w).T.reshape(-1)
    if any(torch.allclose(got, c) for c in (expected[:, perm_in], expected[perm_out][:, perm_in])):
        return Feedback(False, tr("You flattened X column by column; flatten it row by row, as X.reshape(-1) does.",
                                  "你把 X 按列展平了；应当像 X.reshape(-1) 那样按行展平。"))
    return Feedback(False, tr(f"Some entries are wrong. Hint: {hint}", f"有些元素不对。提示：{hint}"))


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
        return Feedback(False, tr("Give a 1-D kernel, or a single row or column; q_second_derivative also takes "
                                  "2-D kernels.",
                                  "请给出一维卷积核，或者单独的一行或一列；q_second_derivative 也接受二维卷积核。"))
    w = T.reshape(-1)
    if w.numel() < order + 1:
        return Feedback(False, tr(f"{w.numel()} taps are too few for a derivative of order {order}: after removing "
                                  "the response to constants, lines, … nothing is left. Hint: how many samples "
                                  f"define a polynomial of degree {order}?",
                                  f"{w.numel()} 个元素太少，算不了 {order} 阶导数：消除了对常数、直线……的响应之后，"
                                  f"就什么也不剩了。提示：确定一个 {order} 次多项式需要多少个采样点？"))
    m = _moments_1d(w, order)
    below = tr(f"Hint: the weights must cancel every polynomial of degree below {order}.",
               f"提示：权重必须抵消所有次数低于 {order} 的多项式。")
    for r in range(order):
        if abs(m[r]) <= _tol(w, r):
            continue
        if r == 0:
            return Feedback(False, tr("Your kernel responds to a constant signal (the weights do not sum to 0), "
                                      f"whose derivative of order {order} is 0. {below}",
                                      f"你的卷积核对常数信号有响应（权重之和不为 0），而常数的 {order} 阶导数是 0。"
                                      f"{below}"))
        if r == 1:
            return Feedback(False, tr("Your kernel responds to a straight line (Σ a·w_a ≠ 0), whose derivative of "
                                      f"order {order} is 0. {below}",
                                      f"你的卷积核对直线有响应（Σ a·w_a ≠ 0），而直线的 {order} 阶导数是 0。{below}"))
        return Feedback(False, tr(f"Your kernel responds to the polynomial x^{r} (Σ a^{r}·w_a ≠ 0), whose "
                                  f"derivative of order {order} is 0. {below}",
                                  f"你的卷积核对多项式 x^{r} 有响应（Σ a^{r}·w_a ≠ 0），而它的 {order} 阶导数是 0。"
                                  f"{below}"))
    if abs(m[order]) <= _tol(w, order):
        return Feedback(False, tr(f"Your kernel also cancels x^{order}, so it measures no derivative of order "
                                  f"{order} (only higher ones, or nothing).",
                                  f"你的卷积核把 x^{order} 也抵消了，所以它测不出 {order} 阶导数"
                                  "（只能测出更高阶的导数，或者什么也测不出）。"))
    scale = m[order] / math.factorial(order)
    keeps = tr(f"It cancels every polynomial of degree below {order} and keeps the derivative of order {order}",
               f"它抵消了所有次数低于 {order} 的多项式，并保留了 {order} 阶导数")
    if abs(scale - 1) < 1e-9:
        return Feedback(True, tr(f"{keeps}.", f"{keeps}。"))
    return Feedback(True, tr(f"{keeps}: it computes {scale:g} × f⁽{order}⁾, so divide by {scale:g} for the exact "
                             "value.",
                             f"{keeps}：它计算的是 {scale:g} × f⁽{order}⁾，除以 {scale:g} 就得到准确值。"))


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
        return Feedback(False, tr("Your kernel responds to a constant image (its weights do not sum to 0), but the "
                                  "second derivative of a constant is 0.",
                                  "你的卷积核对常数图像有响应（权重之和不为 0），但常数的二阶导数是 0。"))
    if abs(mom(1, 0)) > tol or abs(mom(0, 1)) > tol:
        return Feedback(False, tr("Your kernel responds to a tilted plane (a first derivative). Hint: make it "
                                  "symmetric about its centre.",
                                  "你的卷积核对倾斜的平面有响应（这是一阶导数）。提示：让它关于中心对称。"))
    m20, m11, m02 = mom(2, 0), mom(1, 1), mom(0, 2)
    # once m00 = m10 = m01 = 0, second moments do not depend on where the centre is
    if max(abs(m20), abs(m11), abs(m02)) <= tol:
        return Feedback(False, tr("Your kernel also cancels every parabola, so it sees no curvature.",
                                  "你的卷积核把所有抛物面也抵消了，所以它感受不到曲率。"))
    if abs(m11) <= tol and abs(m20 - m02) <= tol:
        return Feedback(True, tr("It cancels constants and planes and measures the Laplacian ∂²/∂y² + ∂²/∂x².",
                                 "它抵消了常数和平面，测量的是拉普拉斯算子 ∂²/∂y² + ∂²/∂x²。"))
    if abs(m11) <= tol and abs(m20) <= tol:
        return Feedback(True, tr("It cancels constants and planes and measures ∂²/∂x², along rows.",
                                 "它抵消了常数和平面，测量的是沿行方向的 ∂²/∂x²。"))
    if abs(m11) <= tol and abs(m02) <= tol:
        return Feedback(True, tr("It cancels constants and planes and measures ∂²/∂y², down columns.",
                                 "它抵消了常数和平面，测量的是沿列方向的 ∂²/∂y²。"))
    return Feedback(True, tr("It cancels constants and planes and measures a mix of second derivatives, "
                             "including ∂²/∂x∂y.",
                             "它抵消了常数和平面，测量的是几种二阶导数的组合，其中包括 ∂²/∂x∂y。"))


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
        return Feedback(False, tr("Use at least two taps, so the window has a width to integrate over.",
                                  "至少要用两个元素，这样窗口才有宽度可供积分。"))
    if bool((w < 0).any()):
        return Feedback(False, tr("Negative weights: the integral of a positive signal must be positive. "
                                  "Hint: think of adding up the areas of thin strips.",
                                  "有负的权重：正信号的积分必须为正。提示：想象把许多窄条的面积加起来。"))
    total = float(w.sum())
    widths = {1.0}
    for k in w.shape:
        widths = {a * b for a in widths for b in (k, k - 1)}
    widths.discard(0.0)
    if not any(abs(total - width) < 1e-6 * width for width in widths):
        if abs(total - 1) < 1e-6:
            return Feedback(False, tr("Your weights sum to 1: that is a moving average. An integral grows with the "
                                      "width of the window it covers.",
                                      "你的权重之和为 1：这是滑动平均。积分应当随着它覆盖的窗口变宽而增大。"))
        return Feedback(False, tr(f"Your weights sum to {total:g}. Hint: integrating the constant 1 over the window "
                                  "must give the window's width: the number of samples, or the number of steps from "
                                  "the first sample to the last.",
                                  f"你的权重之和为 {total:g}。提示：在窗口上对常数 1 积分，必须得到窗口的宽度，"
                                  "也就是采样点的个数，或者从第一个采样点到最后一个采样点的步数。"))
    if not _centred(w):
        return Feedback(False, tr("The weights are lopsided, so a straight line would be integrated wrongly. "
                                  "Hint: make them symmetric.",
                                  "权重一边重一边轻，所以直线的积分会算错。提示：让权重左右对称。"))
    return Feedback(True, tr(f"Integrating the constant 1 gives {total:g}, the window's width, and a straight line "
                             "comes out exactly because the weights are symmetric: a rectangle, trapezoid or Simpson "
                             "rule. A kernel of ones as long as the signal, slid over the signal zero-padded on the "
                             "left so that the output keeps its length, gives the running integral: a cumulative sum.",
                             f"对常数 1 积分得到 {total:g}，正是窗口的宽度；权重是对称的，所以直线的积分也分毫不差："
                             "这就是矩形法、梯形法或辛普森法。用一个与信号等长、元素全为 1 的卷积核，"
                             "在左侧补零的信号上滑动（让输出保持原长），得到的就是变上限的积分，也就是累积和。"))


def q_min_kernel_size(answer: int | Callable[[int], int], *, d: int | None = None) -> Feedback:
    """Smallest kernel length for a d-th derivative: a function of d (e.g. a lambda), or an int together with d=."""
    ds = range(1, 9) if d is None else [check_int(d, "d", 1)]
    if (fb := unanswered(answer)) is not None:
        return fb
    if callable(answer):
        try:
            got = {k: answer(k) for k in ds}
        except Exception as exc:  # the student's formula failed; show why
            return Feedback(False, tr(f"Your function raised {type(exc).__name__}: {exc}",
                                      f"你的函数抛出了 {type(exc).__name__}：{exc}"))
    elif d is None:
        return Feedback(False, tr("Give a formula as a function, e.g. lambda d: ..., or an int together with d=.",
                                  "请把公式写成函数，例如 lambda d: ...，或者给出一个整数并同时指定 d=。"))
    else:
        got = {d: answer}
    expected = {k: _min_taps(k) for k in ds}
    if got == expected:
        return Feedback(True, tr("A d-th derivative must cancel the d polynomials 1, x, …, x^(d−1) and keep x^d: "
                                 "that is d + 1 conditions, so d + 1 taps (a smaller kernel has only the zero "
                                 "solution). [−1, 1] and [1, −2, 1] are the smallest for d = 1 and 2.",
                                 "求 d 阶导数，必须抵消 1, x, …, x^(d−1) 这 d 个多项式，并保留 x^d："
                                 "一共 d + 1 个条件，所以需要 d + 1 个元素（更短的卷积核只有零解）。"
                                 "[−1, 1] 和 [1, −2, 1] 分别是 d = 1 和 d = 2 时最短的卷积核。"))
    if all(got[k] == 2 * k + 1 for k in ds):
        return Feedback(False, tr("That is the smallest centred (odd, symmetric) kernel. Drop the symmetry: does "
                                  "[−1, 1] differentiate?",
                                  "这是最短的中心对称卷积核（长度为奇数、左右对称）。去掉对称的要求试试：[−1, 1] 能求导吗？"))
    if all(got[k] == k for k in ds):
        return Feedback(False, tr("With that few taps, cancelling 1, x, …, x^(d−1) forces every weight to 0.",
                                  "元素这么少，要抵消 1, x, …, x^(d−1)，就只能让所有权重都为 0。"))
    return Feedback(False, tr("Hint: count conditions. The kernel must cancel 1, x, …, x^(d−1) but not x^d, and each "
                              "condition is one linear equation on the weights.",
                              "提示：数一数条件。卷积核必须抵消 1, x, …, x^(d−1)，但不能抵消 x^d，"
                              "而每个条件都是关于权重的一个线性方程。"))


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
