"""Chapter 03 exercises (padding 填充, stride 步幅 and dilation 膨胀), each with an instant check.

    from utils.exercises import ch03
    ch03.q_output_shape(answer, input_size=(32, 28), kernel_size=5, padding=2, stride=3)
    ch03.q_same_padding(answer, input_size=28, kernel_size=7)
    ch03.q_receptive_field(answer, layers=[nn.Conv2d(1, 1, 5) for _ in range(4)])
    ch03.q_mirror_padding(mirror_pad)        # d2l's exercise: write mirror (reflection) padding

The question's numbers are the keyword arguments; every expected answer is computed from
them by the library when the checker runs.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from .._checks import IntOrPair, as_pair, check_int
from ..i18n import tr
from ..shapes import conv_output_shape
from ._core import Feedback, as_int, q_receptive_field
from ._core import unanswered as _unanswered

__all__ = [
    "q_mirror_padding",
    "q_output_shape",
    "q_receptive_field",
    "q_same_padding",
]




def _as_sequence(answer: object) -> list[object] | None:
    if isinstance(answer, torch.Tensor):
        return answer.flatten().tolist() if answer.ndim == 1 else None
    if isinstance(answer, (tuple, list)):  # torch.Size is a tuple
        return list(answer)
    return None


def _formula(n: int, k: int, p: int, s: int, d: int, out: int) -> str:
    """The output-size formula of one axis with the numbers filled in (stride 1 needs no floor)."""
    if s == 1:
        return f"{n} + 2·{p} − {k} + 1 = {out}" if d == 1 else f"{n} + 2·{p} − {d}·({k} − 1) = {out}"
    if d == 1:
        return f"⌊({n} + 2·{p} − {k}) / {s}⌋ + 1 = {out}"
    return f"⌊({n} + 2·{p} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = {out}"


def q_output_shape(answer: object, *, input_size: IntOrPair, kernel_size: IntOrPair, padding: IntOrPair = 0,
                   stride: IntOrPair = 1, dilation: IntOrPair = 1) -> Feedback:
    """Output (h, w) of ``nn.Conv2d(1, 1, kernel_size, padding=..., stride=..., dilation=...)``
    on an ``input_size`` input (an int for a square one, or an (h, w) pair).

    The answer is an (h, w) pair (tuple, list, ``torch.Size`` or tensor; whole-number floats count),
    or one int when the output is square.
    """
    if (fb := _unanswered(answer)) is not None:
        return fb
    n = as_pair(input_size, "input_size", minimum=1)
    k = as_pair(kernel_size, "kernel_size", minimum=1)
    p = as_pair(padding, "padding", minimum=0)
    s = as_pair(stride, "stride", minimum=1)
    d = as_pair(dilation, "dilation", minimum=1)
    expected = conv_output_shape(n, k, padding=p, stride=s, dilation=d)  # raises if the kernel does not fit
    hint = tr("⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1 on each axis, where p is the padding on ONE side.",
              "每个轴上都是 ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1，其中 p 是单侧的填充（不是两侧之和）。")

    items = _as_sequence(answer)
    if items is None:
        side = as_int(answer)
        if side is None:
            return Feedback(False, tr(f"Expected the shape as an (h, w) pair, such as (4, 4); got {answer!r}.",
                                      f"形状应写成 (h, w) 这样的一对数，例如 (4, 4)；你给的是 {answer!r}。"))
        if expected[0] != expected[1]:
            return Feedback(False, tr(f"This output is not square, so one number cannot describe it: "
                                      f"give the pair (h, w). You answered {answer!r}.",
                                      f"这个输出不是正方形，一个数描述不了它：请给出 (h, w) 两个数。"
                                      f"你的答案是 {answer!r}。"))
        items = [side, side]
    if len(items) == 4 and all(as_int(x) is not None for x in items):
        return Feedback(False, tr("That looks like the full (N, C, H, W) shape of the layer's output; "
                                  "give only the last two numbers, (h, w).",
                                  "这看起来是该层输出的完整形状 (N, C, H, W)；只需给出最后两个数 (h, w)。"))
    if len(items) != 2:
        return Feedback(False, tr(f"Expected two numbers (h, w), got {len(items)}: {answer!r}.",
                                  f"应为两个数 (h, w)，你给了 {len(items)} 个：{answer!r}。"))
    got_h, got_w = (as_int(x) for x in items)
    if got_h is None or got_w is None:
        return Feedback(False, tr(f"A feature map has a whole number of rows and columns, but you answered "
                                  f"{answer!r}. Hint: a window that does not fit is not computed, so the "
                                  "division by the stride rounds down.",
                                  f"特征映射的行数和列数都是整数，而你的答案是 {answer!r}。"
                                  "提示：放不下的窗口不会计算，所以除以步幅后要向下取整。"))
    got = (got_h, got_w)
    if got == expected:
        why = [_formula(n[a], k[a], p[a], s[a], d[a], expected[a]) for a in range(2)]
        if why[0] != why[1]:
            return Feedback(True, tr(f"With the numbers filled in: {why[0]} rows and {why[1]} columns.",
                                     f"代入数字：{why[0]} 行，{why[1]} 列。"))
        if s[0] > 1 and 2 * p[0] == d[0] * (k[0] - 1) and n[0] % s[0] == 0:
            return Feedback(True, tr(f"With the numbers filled in: {why[0]} on both axes. Size-keeping padding "
                                     f"and stride {s[0]} give n / s = {n[0]} / {s[0]} whenever s divides n.",
                                     f"代入数字：两个轴都是 {why[0]}。保持尺寸的填充加上步幅 {s[0]}，"
                                     f"只要 s 整除 n，输出就是 n / s = {n[0]} / {s[0]}。"))
        if d[0] > 1:
            return Feedback(True, tr(f"With the numbers filled in: {why[0]} on both axes. The dilated kernel "
                                     f"spans {d[0]}·({k[0]} − 1) + 1 = {d[0] * (k[0] - 1) + 1} cells with only "
                                     f"{k[0] * k[0]} weights.",
                                     f"代入数字：两个轴都是 {why[0]}。膨胀后的卷积核横跨 "
                                     f"{d[0]}·({k[0]} − 1) + 1 = {d[0] * (k[0] - 1) + 1} 格，"
                                     f"却只有 {k[0] * k[0]} 个权重。"))
        return Feedback(True, tr(f"With the numbers filled in: {why[0]} on both axes.",
                                 f"代入数字：两个轴都是 {why[0]}。"))

    def per_axis(rule: Callable[[int], int | None]) -> tuple[int | None, ...]:
        return tuple(rule(a) for a in range(2))

    def num(a: int, pad: int, dil: int) -> int:  # the numerator of the floor
        return n[a] + pad - dil * (k[a] - 1) - 1

    no_pad = per_axis(lambda a: num(a, 0, d[a]) // s[a] + 1 if num(a, 0, d[a]) >= 0 else None)
    pad_once = per_axis(lambda a: num(a, p[a], d[a]) // s[a] + 1 if num(a, p[a], d[a]) >= 0 else None)
    no_dil = per_axis(lambda a: num(a, 2 * p[a], 1) // s[a] + 1)
    no_stride = per_axis(lambda a: num(a, 2 * p[a], d[a]) + 1)
    rounded_up = per_axis(lambda a: -(-num(a, 2 * p[a], d[a]) // s[a]) + 1)
    no_plus_one = per_axis(lambda a: num(a, 2 * p[a], d[a]) // s[a])

    if expected[0] != expected[1] and got == expected[::-1]:
        return Feedback(False, tr("Height and width are swapped: a shape lists rows first, (h, w).",
                                  "高和宽写反了：形状先写行数，即 (h, w)。"))
    if p != (0, 0) and got == no_pad:
        return Feedback(False, tr("That ignores the padding. Hint: padding=p adds p rows on top AND p at the "
                                  "bottom (and p columns on each side) before the window slides.",
                                  "这个答案忽略了填充。提示：在窗口滑动之前，padding=p 会在上方和下方各加 p 行"
                                  "（左右两侧也各加 p 列）。"))
    if d != (1, 1) and got == no_dil:
        return Feedback(False, tr("That treats the kernel as if its taps were next to each other. Hint: a "
                                  "kernel with dilation d spans d·(k − 1) + 1 cells; use that span in place of k.",
                                  "这个答案把卷积核的元素当成了彼此紧挨着。提示：膨胀为 d 的卷积核横跨 "
                                  "d·(k − 1) + 1 格；用这个跨度代替 k。"))
    if s != (1, 1) and got == no_stride:
        return Feedback(False, tr("That is the output at stride 1. Hint: with stride s the window jumps s "
                                  "cells, so only about every s-th position is kept; divide by s and round down.",
                                  "这是步幅为 1 时的输出。提示：步幅为 s 时窗口每次跳 s 格，所以每 s 个位置"
                                  "大约只保留一个；要除以 s 并向下取整。"))
    if p != (0, 0) and got == pad_once:
        return Feedback(False, tr("You added the padding once. Hint: nn.Conv2d's padding=p is per side, so the "
                                  "padded size is n + 2p.",
                                  "你只加了一次填充。提示：nn.Conv2d 的 padding=p 指每一侧的填充，"
                                  "所以填充后的尺寸是 n + 2p。"))
    if s != (1, 1) and got == rounded_up:
        return Feedback(False, tr("You rounded up. Hint: a window that does not fit is not computed, so the "
                                  "division by the stride rounds down.",
                                  "你向上取整了。提示：放不下的窗口不会计算，所以除以步幅后要向下取整。"))
    if got == no_plus_one:
        return Feedback(False, tr("Off by one. Hint: count the first window too; the formula ends in + 1.",
                                  "差了 1。提示：第一个窗口也要算上；公式末尾有 + 1。"))
    return Feedback(False, tr(f"You answered {got}. Hint: {hint}", f"你的答案是 {got}。提示：{hint}"))


def q_same_padding(answer: object, *, input_size: int, kernel_size: int) -> Feedback:
    """The ``padding=`` that makes ``nn.Conv2d(1, 1, kernel_size, padding=...)`` keep an
    ``input_size``×``input_size`` input the same size (stride 1, odd ``kernel_size``).

    The answer is an int (a whole-number float or a pair of equal ints also counts), or ``"same"``.
    """
    if (fb := _unanswered(answer)) is not None:
        return fb
    n = check_int(input_size, "input_size", 1)
    k = check_int(kernel_size, "kernel_size", 1)
    if k % 2 == 0:
        raise ValueError(f"kernel_size must be odd (an even kernel cannot be padded evenly), got {k}")
    right = (k - 1) // 2
    hint = tr("the padded size n + 2p must leave n windows of width k: n + 2p − k + 1 = n.",
              "填充后的尺寸 n + 2p 必须恰好容纳 n 个宽为 k 的窗口：n + 2p − k + 1 = n。")
    if isinstance(answer, str):
        if answer.strip().lower() == "same":
            return Feedback(True, tr(f"padding='same' keeps {n}×{n} at stride 1: for a {k}×{k} kernel it pads "
                                     f"(k − 1) / 2 = {right} on every side, the number padding={right} gives.",
                                     f"步幅为 1 时，padding='same' 保持 {n}×{n} 不变：对 {k}×{k} 的卷积核，"
                                     f"它在每一侧填充 (k − 1) / 2 = {right}，与 padding={right} 相同。"))
        return Feedback(False, tr(f"Expected a number of rows, such as 1, got the text {answer!r}.",
                                  f"这里需要一个行数，例如 1，你给的是文本 {answer!r}。"))
    items = _as_sequence(answer)
    if items is not None and len(items) == 2:
        pair = (as_int(items[0]), as_int(items[1]))
    else:
        one = as_int(answer) if items is None else None
        pair = (one, one)
    if pair[0] is None or pair[1] is None:
        return Feedback(False, tr(f"Expected a whole number of rows (an int), got {answer!r}.",
                                  f"这里需要一个整数的行数（int），你给的是 {answer!r}。"))
    if min(pair) < 0:
        return Feedback(False, tr(f"Padding adds rows, so it cannot be negative; you answered {answer!r}.",
                                  f"填充是添加行，所以不能为负；你的答案是 {answer!r}。"))
    if pair == (right, right):
        return Feedback(True, tr(f"padding={right} adds {right} rows on top, {right} at the bottom and {right} "
                                 f"columns on each side: the total 2·{right} = {k - 1} = k − 1 keeps {n}×{n}.",
                                 f"padding={right} 在上方加 {right} 行、下方加 {right} 行，左右两侧各加 {right} 列："
                                 f"总数 2·{right} = {k - 1} = k − 1，正好保持 {n}×{n}。"))
    if pair == (k - 1, k - 1):
        return Feedback(False, tr(f"{k - 1} is d2l's TOTAL padding p_h = k − 1, counted over both sides. "
                                  "Hint: nn.Conv2d's padding= is the padding of ONE side.",
                                  f"{k - 1} 是 d2l 的总填充 p_h = k − 1，是两侧加起来的。"
                                  "提示：nn.Conv2d 的 padding= 是单侧的填充。"))
    try:
        out = conv_output_shape(n, k, padding=pair)
    except ValueError:
        return Feedback(False, tr(f"With padding={answer!r} a {k}×{k} kernel does not even fit. Hint: {hint}",
                                  f"padding={answer!r} 时，{k}×{k} 的卷积核根本放不下。提示：{hint}"))
    return Feedback(False, tr(f"With padding={answer!r} the output is {out[0]}×{out[1]}, not {n}×{n}. Hint: {hint}",
                              f"padding={answer!r} 时，输出是 {out[0]}×{out[1]}，而不是 {n}×{n}。提示：{hint}"))


def q_mirror_padding(pad_fn: object) -> Feedback:
    """d2l's exercise: write ``mirror_pad(X, p)`` for X: (H, W) that reflects the border (no edge repeat).

    Mirror padding of ``[1, 2, 3]`` by 1 is ``[2, 1, 2, 3, 2]``. Checked against
    ``F.pad(..., mode="reflect")`` on a few random inputs; the function may return a tensor,
    a nested list or an array.
    """
    if (fb := _unanswered(pad_fn)) is not None:
        return fb
    hint = tr("row −r of the padded image is row r of X (r = 1…p); then do the same for columns.",
              "填充后图像的第 −r 行就是 X 的第 r 行（r = 1…p）；列也照此处理。")
    if not callable(pad_fn):
        return Feedback(False, tr(f"Pass your function itself, e.g. q_mirror_padding(mirror_pad). Hint: {hint}",
                                  f"请传入函数本身，例如 q_mirror_padding(mirror_pad)。提示：{hint}"))
    gen = torch.Generator().manual_seed(3)
    for shape, p in (((3, 3), 1), ((4, 6), 2), ((5, 4), 3)):
        X = torch.randn(*shape, generator=gen)
        expected = F.pad(X[None, None], (p, p, p, p), mode="reflect")[0, 0]
        try:
            result = pad_fn(X.clone(), p)
        except NotImplementedError:
            return Feedback(False, tr("Not answered yet: fill in the body of your function.",
                                      "还没有作答：请补全函数体。"))
        except Exception as exc:  # the student's code: report, never crash the notebook
            return Feedback(False, tr(f"Your function raised {type(exc).__name__}: {exc}. Hint: {hint}",
                                      f"你的函数抛出了 {type(exc).__name__}: {exc}。提示：{hint}"))
        try:
            got = torch.as_tensor(result, dtype=expected.dtype)
        except (TypeError, ValueError, RuntimeError):
            return Feedback(False, tr(f"Your function returned a {type(result).__name__}; return the padded "
                                      "image as a tensor.",
                                      f"你的函数返回的是 {type(result).__name__}；请把填充后的图像作为张量返回。"))
        if tuple(got.shape) != tuple(expected.shape):
            return Feedback(False, tr(f"For X of shape {shape} and p={p} the padded image has shape "
                                      f"{tuple(expected.shape)}, but yours has {tuple(got.shape)}. Hint: {hint}",
                                      f"X 的形状为 {shape}、p={p} 时，填充后的图像形状应为 {tuple(expected.shape)}，"
                                      f"你的是 {tuple(got.shape)}。提示：{hint}"))
        if not torch.allclose(got, expected):
            edge = F.pad(X[None, None], (p, p, p, p), mode="replicate")[0, 0]
            if torch.allclose(got, edge):
                return Feedback(False, tr("That repeats the edge value (replicate padding). Hint: mirror padding "
                                          "skips the edge itself: [1, 2, 3] → [2, 1, 2, 3, 2].",
                                          "这样会重复边缘值（replicate 填充）。提示：镜像填充跳过边缘值本身："
                                          "[1, 2, 3] → [2, 1, 2, 3, 2]。"))
            return Feedback(False, tr(f"Your function gives wrong values for X of shape {shape} with p={p}. "
                                      f"Hint: {hint}",
                                      f"X 的形状为 {shape}、p={p} 时，你的函数给出的数值不对。提示：{hint}"))
    return Feedback(True, tr("Matches F.pad(mode='reflect'), which nn.Conv2d(..., padding_mode='reflect') uses.",
                             "与 F.pad(mode='reflect') 一致，nn.Conv2d(..., padding_mode='reflect') 用的正是这种填充。"))
