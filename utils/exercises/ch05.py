"""Chapter 05 exercises (pooling), each with an instant check.

Every checker is called as ``q_<name>(answer, *, <the quantities the question states>)``:

    from utils.exercises import ch05
    ch05.q_default_stride(..., X=torch.arange(16.0).reshape(4, 4), kernel_size=2)
    ch05.q_pool_shape((..., ..., ...), kernel_size=3, stride=2, padding=1, input_shape=(3, 28, 28))
    ch05.q_pool2d(my_pool2d)              # your own pool2d(X, pool_size, mode)
    ch05.q_tolerated_shifts({...}, shifts=(-2, -1, 0, 1, 2), kernel_size=2)

Every expected answer is computed here, from PyTorch or the library, when the
checker runs; nothing is stored as a literal for a student to read off.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import check_fits, check_int, check_tensor
from ..conv import corr2d
from ..i18n import tr
from ..pool import pool2d
from ._core import Feedback, as_ints, check_close, check_equal
from ._core import unanswered as _unanswered

__all__ = [
    "edge_image",
    "q_default_stride",
    "q_pool2d",
    "q_pool_shape",
    "q_tolerated_shifts",
]

_HEIGHT, _WIDTH, _BAND_START, _BAND_WIDTH = 6, 12, 4, 4  # edge_image's picture
_MAX_SHIFT = _WIDTH - _BAND_START - _BAND_WIDTH  # the band stays inside the picture
_EDGE_KERNEL = torch.tensor([[1.0, -1.0]])






def q_default_stride(answer: object, *, X: torch.Tensor, kernel_size: int) -> Feedback:
    """What ``nn.MaxPool2d(kernel_size)`` returns for the one-channel image ``X`` (H, W), worked out by hand."""
    X = check_tensor(X, "X", (2,), "(H, W)").detach()
    k = check_int(kernel_size, "kernel_size", 1)
    check_fits(tuple(X.shape), (k, k), (0, 0), (1, 1), what="kernel_size")
    if (fb := _unanswered(answer)) is not None:
        return fb
    expected = nn.MaxPool2d(k)(X[None, None])[0, 0]
    stride1 = pool2d(X, k, "max", stride=1)
    averaged = nn.AvgPool2d(k)(X[None, None])[0, 0]
    try:
        got = torch.as_tensor(answer, dtype=expected.dtype)
    except (TypeError, ValueError, RuntimeError):
        got = None
    while got is not None and got.ndim > 2 and got.shape[0] == 1:
        got = got[0]  # the (1, 1, m, m) tensor that nn.MaxPool2d itself returns is right too
    if (got is not None and got.shape == stride1.shape and not torch.equal(stride1, expected)
            and torch.allclose(got, stride1)):
        return Feedback(False, tr(f"That is stride 1. The stride of nn.MaxPool2d defaults to the window size, "
                                  f"{k}, so the windows do not overlap.",
                                  f"这是步幅为 1 的结果。nn.MaxPool2d 的步幅默认等于窗口大小 {k}，"
                                  "所以各个窗口互不重叠。"))
    if (got is not None and got.shape == averaged.shape and not torch.equal(averaged, expected)
            and torch.allclose(got, averaged)):
        return Feedback(False, tr("That is the mean of each window; nn.MaxPool2d keeps the largest value.",
                                  "这是每个窗口的平均值；nn.MaxPool2d 保留的是最大值。"))
    return check_close(answer if got is None else got, expected,
                       why=tr(f"The stride defaults to the window size, so nn.MaxPool2d({k}) cuts the image into "
                              f"non-overlapping {k}×{k} blocks and keeps the largest value of each.",
                              f"步幅默认等于窗口大小，所以 nn.MaxPool2d({k}) 把图像切成互不重叠的 {k}×{k} 块，"
                              "保留每一块的最大值。"),
                       hint=tr("What is nn.MaxPool2d(k).stride? Cut the image into blocks of that step.",
                               "nn.MaxPool2d(k).stride 是多少？按这个步幅把图像切成块。"))


def q_pool_shape(answer: object, *, kernel_size: int, stride: int, padding: int,
                 input_shape: tuple[int, int, int]) -> Feedback:
    """Output shape of ``nn.MaxPool2d(kernel_size, stride=stride, padding=padding)`` for an input of
    shape ``input_shape`` = (channels, height, width)."""
    k = check_int(kernel_size, "kernel_size", 1)
    s = check_int(stride, "stride", 1)
    p = check_int(padding, "padding", 0)
    dims = as_ints(input_shape) if isinstance(input_shape, (tuple, list)) else None
    if dims is None:
        raise TypeError(f"input_shape must be a (channels, height, width) tuple of ints, got {input_shape!r}")
    if len(dims) != 3 or min(dims) < 1:
        raise ValueError(f"input_shape must be a (channels, height, width) tuple of positive ints, "
                         f"got {input_shape!r}")
    if p > k // 2:
        raise ValueError(f"padding must be at most half of kernel_size (as in PyTorch), got padding={p} for "
                         f"kernel_size={k}")
    c, h, w = dims
    check_fits((h, w), (k, k), (p, p), (1, 1), what="kernel_size")
    if (fb := _unanswered(answer)) is not None:
        return fb
    with torch.no_grad():
        expected = tuple(nn.MaxPool2d(k, stride=s, padding=p)(torch.zeros(dims)).shape)
    _, m_h, m_w = expected
    shape = as_ints(answer)
    if shape is None:
        return Feedback(False, tr(f"Give the shape as three whole numbers (channels, height, width), for example "
                                  f"a tuple; you gave {answer!r}.",
                                  f"请用三个整数（通道数、高、宽）给出形状，例如写成元组；你给的是 {answer!r}。"))

    def sides(pad: int, step: int, up: bool = False) -> tuple[int, int]:
        return tuple((n + 2 * pad - k + (step - 1 if up else 0)) // step + 1 for n in (h, w))

    if shape == expected[1:]:
        return Feedback(False, tr("Those are the height and width; put the number of channels in front: "
                                  "(channels, height, width).",
                                  "这是高和宽；请在前面加上通道数：(通道数, 高, 宽)。"))
    if shape == (1, *expected):
        return Feedback(False, tr("The input has no batch dimension here, so the output has none either.",
                                  "这里的输入没有批量维度，所以输出也没有。"))
    if len(shape) == 3 and shape[0] != c and shape[1:] == expected[1:]:
        return Feedback(False, tr("Height and width are right; but pooling acts on each channel separately, so "
                                  "how many channels come out?",
                                  "高和宽都对了；但汇聚层对每个通道分别运算，那么输出有多少个通道？"))
    if len(shape) == 3 and p and shape[1:] == sides(0, s) != expected[1:]:
        return Feedback(False, tr("That ignores the padding, which is added on each side before the window "
                                  "slides.",
                                  "这忽略了填充：在窗口滑动之前，每一侧都要先加上填充。"))
    if len(shape) == 3 and shape[1:] == sides(p, s, up=True) != expected[1:]:
        return Feedback(False, tr("That rounds the division up; the formula rounds it down, ⌊(n + 2p − k)/s⌋ + 1, "
                                  "because a window that would stick out of the padded input is not used.",
                                  "这是把除法向上取整了；公式向下取整，⌊(n + 2p − k)/s⌋ + 1，"
                                  "因为超出填充后输入的窗口不会被使用。"))
    if len(shape) == 3 and s > 1 and shape[1:] == sides(p, 1) != expected[1:]:
        return Feedback(False, tr("That is the size for stride 1; divide by the stride before adding 1.",
                                  "这是步幅为 1 时的大小；请先除以步幅，再加 1。"))
    return check_equal(shape, expected,
                       why=tr(f"Pooling keeps the {c} channels, because it acts on each one separately, and the "
                              f"conv formula gives the height ⌊({h} + 2·{p} − {k})/{s}⌋ + 1 = {m_h} and the width "
                              f"⌊({w} + 2·{p} − {k})/{s}⌋ + 1 = {m_w}.",
                              f"汇聚层对每个通道分别运算，所以保留 {c} 个通道；卷积的公式给出高 "
                              f"⌊({h} + 2·{p} − {k})/{s}⌋ + 1 = {m_h}，宽 ⌊({w} + 2·{p} − {k})/{s}⌋ + 1 = {m_w}。"),
                       hint=tr("the conv shape formula holds for pooling: ⌊(n + 2p − k)/s⌋ + 1.",
                               "卷积的形状公式对汇聚层同样成立：⌊(n + 2p − k)/s⌋ + 1。"))


def q_pool2d(answer: Callable[..., torch.Tensor]) -> Feedback:
    """Check your ``answer(X, pool_size, mode)``: X (H, W), pool_size (p_h, p_w), mode 'max'/'avg', stride 1."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    if not callable(answer):
        return Feedback(False, tr(f"Pass your function itself, not {type(answer).__name__}.",
                                  f"请传入你的函数本身，而不是 {type(answer).__name__}。"))
    gen = torch.Generator().manual_seed(5)
    for H, W, p_h, p_w in [(3, 3, 2, 2), (4, 5, 2, 3), (5, 4, 3, 1), (3, 4, 1, 1)]:
        X = torch.randn(H, W, generator=gen)
        for mode in ("max", "avg"):
            expected = pool2d(X, (p_h, p_w), mode)
            try:
                got = answer(X, (p_h, p_w), mode)
            except NotImplementedError:
                return Feedback(False, tr("Not answered yet: fill in the body of your function.",
                                          "还没有作答：补全函数体，再运行这个单元格。"))
            except Exception as exc:  # a student's bug is feedback, not a crash
                return Feedback(False, tr(f"Your function raised {type(exc).__name__}: {exc} "
                                          f"(X {tuple(X.shape)}, pool_size {(p_h, p_w)}, mode {mode!r}).",
                                          f"你的函数抛出了 {type(exc).__name__}：{exc}"
                                          f"（X {tuple(X.shape)}，pool_size {(p_h, p_w)}，mode {mode!r}）。"))
            if not isinstance(got, torch.Tensor):
                return Feedback(False, tr(f"Return a tensor, not {type(got).__name__}.",
                                          f"请返回一个张量，而不是 {type(got).__name__}。"))
            if got.shape != expected.shape:
                return Feedback(False, tr(f"For X {tuple(X.shape)} and pool_size {(p_h, p_w)} the output must "
                                          f"have shape {tuple(expected.shape)}, but yours has shape "
                                          f"{tuple(got.shape)}.",
                                          f"对于 X {tuple(X.shape)} 和 pool_size {(p_h, p_w)}，输出的形状应为 "
                                          f"{tuple(expected.shape)}，而你的输出形状是 {tuple(got.shape)}。"))
            if not torch.allclose(got.to(expected.dtype), expected, atol=1e-5):
                return Feedback(False, tr(f"Wrong values in mode {mode!r} (pool_size {(p_h, p_w)}). Hint: "
                                          "Y[i, j] is the max or the mean of X[i:i+p_h, j:j+p_w].",
                                          f"mode 为 {mode!r}（pool_size {(p_h, p_w)}）时数值不对。提示："
                                          "Y[i, j] 是 X[i:i+p_h, j:j+p_w] 的最大值或平均值。"))
    return Feedback(True, tr("Both modes match utils.pool2d on square and rectangular windows.",
                             "两种模式在正方形和矩形窗口上都与 utils.pool2d 一致。"))


def edge_image(shift: int = 0) -> torch.Tensor:
    """A 6 × 12 image of ones with a black band 4 columns wide starting at column ``4 + shift``:
    chapter 02's vertical-edge picture, on a wider canvas, moved sideways. ``shift`` is in [-4, 4]."""
    s = check_int(shift, "shift", -_MAX_SHIFT)
    if s > _MAX_SHIFT:
        raise ValueError(f"shift must be <= {_MAX_SHIFT}, got {shift!r}")
    X = torch.ones(_HEIGHT, _WIDTH)
    X[:, _BAND_START + s:_BAND_START + _BAND_WIDTH + s] = 0
    return X


def _pooled_edges(shift: int, k: int) -> torch.Tensor:
    Y = corr2d(edge_image(shift), _EDGE_KERNEL)
    return F.max_pool2d(Y[None, None], k)[0, 0]


def q_tolerated_shifts(answer: object, *, shifts: tuple[int, ...], kernel_size: int) -> Feedback:
    """Which of ``shifts`` leave ``nn.MaxPool2d(kernel_size)(corr2d(edge_image(shift), [[1, -1]]))``
    equal to the result for shift 0? Answer a set, e.g. {0, 1}."""
    choices = as_ints(shifts)
    if choices is None:
        raise TypeError(f"shifts must be a tuple of ints, got {shifts!r}")
    if not choices or max(abs(s) for s in choices) > _MAX_SHIFT:
        raise ValueError(f"shifts must hold at least one shift, each between {-_MAX_SHIFT} and {_MAX_SHIFT} so "
                         f"that the band stays inside the picture, got {shifts!r}")
    k = check_int(kernel_size, "kernel_size", 2)
    if k > _HEIGHT:
        raise ValueError(f"kernel_size must be at most {_HEIGHT}, the height of the edge map, got {kernel_size!r}")
    if (fb := _unanswered(answer)) is not None:
        return fb
    got = as_ints(answer)
    if got is None:
        return Feedback(False, tr("Answer with a set of shifts, such as {0, 2}, even if only one shift survives.",
                                  "请用平移量的集合作答，例如 {0, 2}；即使只有一个平移量符合，也要写成集合。"))
    if not set(got) <= set(choices):
        return Feedback(False, tr(f"Choose only among the shifts {sorted(set(choices))}.",
                                  f"只能从这些平移量中选：{sorted(set(choices))}。"))
    base = _pooled_edges(0, k)
    expected = {s for s in choices if torch.equal(_pooled_edges(s, k), base)}
    c0 = int(torch.nonzero(corr2d(edge_image(0), _EDGE_KERNEL)[0] > 0)[0])
    first = c0 // k * k
    if set(got) == expected:
        return Feedback(True, tr(f"At shift 0 the +1 response sits in column {c0}, in the window of columns {first} "
                                 f"to {first + k - 1}; the shifts that keep it in that window keep the pooled map. "
                                 "The −1 response never wins a max, because the zeros beside it are larger, so only "
                                 "the +1 matters.",
                                 f"平移为 0 时，+1 响应位于第 {c0} 列，落在第 {first} 到第 {first + k - 1} 列的窗口里；"
                                 "让它留在这个窗口里的平移，都不改变汇聚结果。−1 响应永远赢不了最大值，"
                                 "因为它旁边的 0 更大，所以只有 +1 起作用。"))
    return Feedback(False, tr(f"Hint: at shift 0 the +1 response sits in column {c0}, and nn.MaxPool2d({k}) pools "
                              f"the columns in blocks of {k} starting at column 0. Which shifts keep the +1 in its "
                              "block? And what does max(0, −1) give for the −1 response?",
                              f"提示：平移为 0 时，+1 响应位于第 {c0} 列，而 nn.MaxPool2d({k}) 从第 0 列开始，"
                              f"每 {k} 列一块地做汇聚。哪些平移能让 +1 留在它的块里？对 −1 响应，"
                              "max(0, −1) 又等于多少？"))
