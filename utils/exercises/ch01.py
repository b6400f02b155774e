"""Chapter 01 exercises (from fully-connected layers to convolution), each with an instant check.

Every checker takes the student's answer first and the question's numbers as keyword arguments,
so the notebook cell shows them next to the prompt:

    from utils.exercises import ch01
    ch01.q_fc_params(..., image=(3, 256, 256), hidden_units=1000)
    ch01.q_conv_params(..., in_channels=3, out_channels=64, kernel_size=5)
    ch01.q_reindex((..., ..., ..., ...), image_size=(6, 6), w_index=(2, 3, 4, 1))
    ch01.q_locality_params(..., delta=2)
    ch01.q_delta_zero(...)                 # a letter from DELTA_ZERO_CHOICES

Every expected answer is computed here, from the library, when the checker runs.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from .. import conv2d_params, corr2d, fc_param_count, v_from_w
from .._checks import as_pair, check_int
from ..i18n import tr
from ._core import Feedback, as_choice, as_int, check_equal, unanswered

__all__ = [
    "DELTA_ZERO_CHOICES",
    "q_conv_params",
    "q_delta_zero",
    "q_fc_params",
    "q_locality_params",
    "q_reindex",
]

DELTA_ZERO_CHOICES = {
    "a": "each hidden value depends on its own pixel only: a 1×1 convolution, the same weight everywhere",
    "b": "the layer becomes a fully-connected layer again",
    "c": "the output is all zeros",
    "d": "each hidden value averages the whole image",
}




def _not_a_count(answer: object, hint: str) -> Feedback:
    return Feedback(False, tr(f"Expected a whole number, got {answer!r}. Hint: {hint}",
                              f"这里需要一个整数，你给的是 {answer!r}。提示：{hint}"))


def _image_shape(image: object) -> tuple[int, int, int]:
    if not (isinstance(image, Sequence) and len(image) == 3):
        raise ValueError(f"image must be a (c, h, w) triple, got {image!r}")
    return tuple(check_int(size, "image", 1) for size in image)  # type: ignore[return-value]


def q_fc_params(answer: object, *, image: tuple[int, int, int], hidden_units: int) -> Feedback:
    """An image of shape ``image`` = (c, h, w), flattened, goes into a fully-connected layer of
    ``hidden_units`` units: how many parameters, biases included?"""
    c, h, w = _image_shape(image)
    units = check_int(hidden_units, "hidden_units", 1)
    if (fb := unanswered(answer)) is not None:
        return fb
    expected = fc_param_count((c, h, w), units)
    hint = tr("every one of the c·h·w inputs connects to every hidden unit, and each unit has one bias.",
              "c·h·w 个输入中的每一个都连到每个隐藏单元，而且每个单元还有一个偏置。")
    got = as_int(answer)
    if got is None:
        return _not_a_count(answer, hint)
    if got == fc_param_count((c, h, w), units, bias=False):
        return Feedback(False, tr("That is the weights only. Hint: each hidden unit also has a bias.",
                                  "这只是权重的个数。提示：每个隐藏单元还有一个偏置。"))
    if c > 1 and got == fc_param_count((h, w), units):
        return Feedback(False, tr(f"That counts one channel only. Hint: the image has {c} numbers per pixel.",
                                  f"这只算了一个通道。提示：这张图像的每个像素有 {c} 个数。"))
    return check_equal(got, expected, hint=hint,
                       why=tr(f"{c}·{h}·{w} = {c * h * w:,} inputs × {units:,} units + {units:,} biases = "
                              f"{expected:,} parameters, about {expected * 4 / 1e6:,.0f} MB of float32 for one layer.",
                              f"{c}·{h}·{w} = {c * h * w:,} 个输入 × {units:,} 个单元 + {units:,} 个偏置 = "
                              f"{expected:,} 个参数；单是这一层，用 float32 存储就约占 {expected * 4 / 1e6:,.0f} MB。"))


def q_conv_params(answer: object, *, in_channels: int, out_channels: int,
                  kernel_size: int | tuple[int, int]) -> Feedback:
    """How many parameters does ``nn.Conv2d(in_channels, out_channels, kernel_size)`` have, biases included?"""
    c_i = check_int(in_channels, "in_channels", 1)
    c_o = check_int(out_channels, "out_channels", 1)
    k_h, k_w = as_pair(kernel_size, "kernel_size", minimum=1)
    if (fb := unanswered(answer)) is not None:
        return fb
    expected = conv2d_params(c_i, c_o, (k_h, k_w))
    hint = tr("the kernel tensor has shape (c_o, c_i, k_h, k_w), plus one bias per output channel.",
              "卷积核张量的形状是 (c_o, c_i, k_h, k_w)，另外每个输出通道还有一个偏置。")
    got = as_int(answer)
    if got is None:
        return _not_a_count(answer, hint)
    if got == conv2d_params(c_i, c_o, (k_h, k_w), bias=False):
        return Feedback(False, tr("That is the kernel only. Hint: add one bias per output channel.",
                                  "这只是卷积核的参数。提示：每个输出通道还要加上一个偏置。"))
    if c_i > 1 and got == conv2d_params(1, c_o, (k_h, k_w)):
        return Feedback(False, tr("That gives each output channel a single kernel. Hint: each output channel has "
                                  "a k_h×k_w kernel for every input channel.",
                                  "这样每个输出通道只有一个卷积核。提示：每个输出通道对每个输入通道"
                                  "都有一个 k_h×k_w 的卷积核。"))
    return check_equal(got, expected, hint=hint,
                       why=tr(f"{c_o}·{c_i}·{k_h}·{k_w} + {c_o} = {expected:,}, whatever the size of the image.",
                              f"{c_o}·{c_i}·{k_h}·{k_w} + {c_o} = {expected:,}，与图像大小无关。"))


def q_reindex(answer: object, *, image_size: int | tuple[int, int],
              w_index: tuple[int, int, int, int]) -> Feedback:
    """On an image of ``image_size``, the weight [W]_{w_index} appears in V as [V]_{i,j,a,b}: give (i, j, a, b).

    Recall ``[V]_{i,j,a,b} = [W]_{i,j,i+a,j+b}``.
    """
    h, w = as_pair(image_size, "image_size", minimum=1)
    if not (isinstance(w_index, Sequence) and len(w_index) == 4):
        raise ValueError(f"w_index must be four indices (i, j, k, l), got {w_index!r}")
    i, j, k, m = (check_int(x, "w_index", 0) for x in w_index)
    if max(i, k) >= h or max(j, m) >= w:
        raise ValueError(f"w_index {tuple(w_index)} does not fit an image of size {(h, w)}")
    if (fb := unanswered(answer)) is not None:
        return fb
    hint = tr("(i, j) stay the same; the offset is how far the input pixel (k, l) is from (i, j): a = k − i, b = l − j.",
              "(i, j) 保持不变；偏移量是输入像素 (k, l) 相对于 (i, j) 的位置差：a = k − i，b = l − j。")
    items = answer.tolist() if hasattr(answer, "tolist") else answer  # a tensor or a NumPy array
    got = tuple(as_int(x) for x in items) if isinstance(items, Sequence) and not isinstance(items, str) else ()
    if len(got) != 4 or None in got:
        return Feedback(False, tr(f"Expected four whole numbers (i, j, a, b), got {answer!r}. Hint: {hint}",
                                  f"这里需要四个整数 (i, j, a, b)，你给的是 {answer!r}。提示：{hint}"))
    # re-index a W that has a single marked entry, and read off where the mark lands in V
    W = torch.zeros(h, w, h, w)
    W[i, j, k, m] = 1.0
    hit = torch.nonzero(v_from_w(W))[0].tolist()
    expected = (hit[0], hit[1], hit[2] - (h - 1), hit[3] - (w - 1))
    a, b = expected[2], expected[3]
    if got == (i, j, -a, -b) and (a, b) != (0, 0):
        return Feedback(False, tr(f"The signs are flipped. Hint: {hint}", f"正负号反了。提示：{hint}"))
    if got == (i, j, k, m) and (k, m) != (a, b):
        return Feedback(False, tr(f"That is the index into W, where (k, l) is the input pixel itself. Hint: {hint}",
                                  f"这是 W 的下标，其中 (k, l) 是输入像素本身的位置。提示：{hint}"))
    if got == tuple(hit) and tuple(hit) != expected:
        return Feedback(False, tr("That is where the notebook's tensor stores the entry (offset a at index a + h − 1). "
                                  "The question asks for the offsets a and b themselves.",
                                  "这是本章代码里的张量存放这个元素的位置（偏移量 a 存在下标 a + h − 1 处）。"
                                  "题目问的是偏移量 a 和 b 本身。"))
    return check_equal(got, expected, hint=hint,
                       why=tr(f"a = {k} − {i} = {a} and b = {m} − {j} = {b}: the input pixel ({k}, {m}) sits at "
                              f"offset ({a}, {b}) from the hidden unit ({i}, {j}).",
                              f"a = {k} − {i} = {a}，b = {m} − {j} = {b}：输入像素 ({k}, {m}) "
                              f"相对于隐藏单元 ({i}, {j}) 的偏移量是 ({a}, {b})。"))


def q_locality_params(answer: object, *, delta: int) -> Feedback:
    """With translation invariance and locality ``delta`` (Δ), how many numbers does V (the kernel) hold?"""
    delta = check_int(delta, "delta", 0)
    if (fb := unanswered(answer)) is not None:
        return fb
    k = 2 * delta + 1
    expected = conv2d_params(1, 1, k, bias=False)
    hint = tr("a and b each run from −Δ to Δ, both ends included.",
              "a 和 b 各自从 −Δ 取到 Δ，两端都包括在内。")
    got = as_int(answer)
    if got is None:
        return _not_a_count(answer, hint)
    if delta > 0 and got == (2 * delta) ** 2:
        return Feedback(False, tr(f"Close. Hint: {hint} Offset 0 counts too.",
                                  f"很接近了。提示：{hint}偏移量 0 也要算上。"))
    if delta > 0 and got == k:
        return Feedback(False, tr("That is the number of offsets along one axis. Hint: a and b vary independently, "
                                  "so count the pairs (a, b).",
                                  "这只是一个方向上的偏移量个数。提示：a 和 b 各自独立取值，"
                                  "要数的是 (a, b) 这样的数对。"))
    return check_equal(got, expected, hint=hint,
                       why=tr(f"(2Δ + 1)² = {k}² = {expected}: a {k}×{k} kernel, for any image size.",
                              f"(2Δ + 1)² = {k}² = {expected}：一个 {k}×{k} 的卷积核，与图像大小无关。"))


def q_delta_zero(answer: object) -> Feedback:
    """d2l's exercise: what does the layer compute when Δ = 0? A letter from DELTA_ZERO_CHOICES."""
    if (fb := unanswered(answer)) is not None:
        return fb
    hint = tr("with Δ = 0 the only offset left is (a, b) = (0, 0), so V holds one number.",
              "Δ = 0 时只剩下偏移量 (a, b) = (0, 0)，所以 V 里只有一个数。")
    choice = as_choice(answer, DELTA_ZERO_CHOICES)
    if choice is None:
        return Feedback(False, tr(f"Answer with one letter from DELTA_ZERO_CHOICES: {', '.join(DELTA_ZERO_CHOICES)}. "
                                  f"Hint: {hint}",
                                  f"请用 DELTA_ZERO_CHOICES 中的一个字母作答：{'、'.join(DELTA_ZERO_CHOICES)}。"
                                  f"提示：{hint}"))
    # a 1×1 kernel relates each output pixel to its own input pixel only
    X = torch.zeros(5, 5)
    X[2, 2] = 1.0
    support = int((corr2d(X, torch.ones(1, 1)) != 0).sum())
    expected = "a" if support == 1 else "d"
    return check_equal(choice, expected, hint=hint,
                       why=tr("[H]_{i,j} = v·[X]_{i,j} + u: a 1×1 convolution. With several channels it is a "
                              "fully-connected layer applied to each pixel's channel vector separately, the 1×1 "
                              "convolutional layer of chapter 04.",
                              "[H]_{i,j} = v·[X]_{i,j} + u：这是 1×1 卷积。有多个通道时，它就是分别作用在"
                              "每个像素的通道向量上的全连接层，也就是第 04 章的 1×1 卷积层。"))
