"""Chapter 06 exercises (LeNet), each with an instant check.

    from utils.exercises import ch06
    ch06.q_layer_shape(answer, layer=3, input_size=32)   # output (C, H, W) of lenet()[layer]
    ch06.q_conv_params(answer, c_i=16, c_o=32, k=3)      # parameters of nn.Conv2d(c_i, c_o, k)
    ch06.q_updates(answer, n_train=60000, batch_size=256, num_epochs=10)
    ch06.q_receptive_field(answer, layers=[*lenet()[:6], nn.Conv2d(16, 120, 5)])

Every quantity a question states is an argument of its checker, and the expected answer is
computed from PyTorch or ``utils`` when the checker runs.
"""

from __future__ import annotations

import math
import numbers

import torch
from torch import nn

from .._checks import as_pair, check_int
from ..i18n import tr
from ..models import layer_shapes, lenet
from ._core import Feedback, check_equal, q_receptive_field, unanswered

__all__ = ["q_conv_params", "q_layer_shape", "q_receptive_field", "q_updates"]


def _as_shape(answer: object) -> object:
    """A shape answer as a tuple of ints when it is one (tuple, list, torch.Size, tensor, array);
    a lone int stays an int. Anything else is returned unchanged, to be reported as given."""
    if isinstance(answer, torch.Tensor) or type(answer).__module__ == "numpy":
        answer = answer.tolist()
    if isinstance(answer, (tuple, list)) and all(
            isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in answer):
        return tuple(int(n) for n in answer)
    return answer


def q_layer_shape(answer: object, *, layer: int, input_size: int | tuple[int, int]) -> Feedback:
    """Output shape of ``lenet()[layer]`` for one 1×H×W image, without the batch axis.

    ``input_size`` is H = W (an int) or an (H, W) pair. The answer is (C, H, W) for a
    convolution, activation or pooling layer, and (n,) or n from ``Flatten`` on.
    """
    if (fb := unanswered(answer)) is not None:
        return fb
    net = lenet()
    layer = check_int(layer, "layer", 0)
    if layer >= len(net):
        raise ValueError(f"layer must be in [0, {len(net) - 1}] (lenet() has {len(net)} layers), got {layer}")
    h, w = as_pair(input_size, "input_size", minimum=1)
    try:
        shapes = layer_shapes(net[: layer + 1], (1, 1, h, w))
    except RuntimeError as err:
        raise ValueError(f"lenet() cannot take a {h}×{w} input as far as layer {layer}; PyTorch says: "
                         f"{str(err).splitlines()[0]}") from err
    expected = shapes[-1][1][1:]
    answer = _as_shape(answer)
    if len(expected) == 1 and isinstance(answer, numbers.Integral) and not isinstance(answer, bool):
        answer = (int(answer),)
    if isinstance(answer, tuple) and answer[1:] == expected and answer[:1] == (1,):
        return Feedback(False, tr(f"You answered {answer!r}: the numbers are right, but the question asks "
                                  "for the shape of one image without the batch axis. Drop the leading 1.",
                                  f"你的答案是 {answer!r}：这些数都对，但题目问的是一张图像的形状，不含批量维度。"
                                  "去掉开头的 1。"))
    return check_equal(
        answer, expected,
        why=tr("Convolution and pooling: ⌊(n + 2p − k)/s⌋ + 1 per axis, with one map per output channel "
               "of a convolution; activations keep the shape; Flatten multiplies C·H·W.",
               "卷积层和汇聚层：每个轴上都是 ⌊(n + 2p − k)/s⌋ + 1，卷积层的每个输出通道各有一个映射；"
               "激活函数不改变形状；Flatten 把 C·H·W 乘起来。"),
        hint=tr("walk the layers from 1×H×W: the first convolution pads 2, so its 5×5 kernel keeps the size; "
                "the second does not pad (n − 5 + 1); each 2×2 pooling with stride 2 halves the size, "
                "rounding down. Give (C, H, W), or (n,) from Flatten on.",
                "从 1×H×W 开始逐层推算：第一个卷积层填充 2，所以它的 5×5 卷积核保持大小不变；"
                "第二个卷积层不填充（n − 5 + 1）；每个步幅为 2 的 2×2 汇聚层把大小减半，向下取整。"
                "请给出 (C, H, W)；从 Flatten 开始则给出 (n,)。"))


def q_conv_params(answer: object, *, c_i: int, c_o: int, k: int) -> Feedback:
    """Learnable parameters of ``nn.Conv2d(c_i, c_o, k)``: weights and biases."""
    if (fb := unanswered(answer)) is not None:
        return fb
    c_i, c_o, k = check_int(c_i, "c_i", 1), check_int(c_o, "c_o", 1), check_int(k, "k", 1)
    expected = sum(p.numel() for p in nn.Conv2d(c_i, c_o, k).parameters())
    if answer == c_o * c_i * k * k:
        return Feedback(False, tr(f"You answered {answer!r}: that counts the weights. Every output channel "
                                  "also has one bias.",
                                  f"你的答案是 {answer!r}：这只数了权重。每个输出通道还有一个偏置。"))
    if c_i > 1 and answer == c_o * k * k + c_o:
        return Feedback(False, tr(f"You answered {answer!r}: that is one k×k kernel per output channel. Each "
                                  "output channel has one k×k kernel for every input channel.",
                                  f"你的答案是 {answer!r}：这相当于每个输出通道只有一个 k×k 卷积核。"
                                  "其实每个输出通道对每个输入通道都有一个 k×k 卷积核。"))
    return check_equal(
        answer, expected,
        why=tr(f"c_o kernels of shape c_i × k × k plus one bias per output channel: "
               f"{c_o}·{c_i}·{k}² + {c_o} = {expected}.",
               f"c_o 个形状为 c_i × k × k 的卷积核，加上每个输出通道一个偏置："
               f"{c_o}·{c_i}·{k}² + {c_o} = {expected}。"),
        hint=tr("every output channel has one k×k kernel per input channel, and one bias.",
                "每个输出通道对每个输入通道都有一个 k×k 卷积核，另外还有一个偏置。"))


def q_updates(answer: object, *, n_train: int, batch_size: int, num_epochs: int) -> Feedback:
    """How many optimiser steps a run takes: ⌈n_train / batch_size⌉ per epoch, times the epochs."""
    if (fb := unanswered(answer)) is not None:
        return fb
    n = check_int(n_train, "n_train", 1)
    b = check_int(batch_size, "batch_size", 1)
    e = check_int(num_epochs, "num_epochs", 1)
    per_epoch = math.ceil(n / b)
    expected = per_epoch * e
    if n % b and answer == n // b * e:
        return Feedback(False, tr(f"You answered {answer!r}: that leaves out the last, smaller batch of "
                                  "every epoch. The DataLoader keeps it, and it is one more update.",
                                  f"你的答案是 {answer!r}：这漏掉了每个迭代周期最后那个较小的批量。"
                                  "DataLoader 会保留它，它也算一次更新。"))
    if e > 1 and answer == per_epoch:
        return Feedback(False, tr(f"You answered {answer!r}: that is one epoch. Multiply by the number "
                                  "of epochs.",
                                  f"你的答案是 {answer!r}：这只是一个迭代周期的更新次数。还要乘以迭代周期数。"))
    return check_equal(
        answer, expected,
        why=tr(f"One update per minibatch: ⌈{n} / {b}⌉ = {per_epoch} per epoch, the last smaller batch "
               f"included, times {e} epochs.",
               f"每个小批量更新一次：每个迭代周期 ⌈{n} / {b}⌉ = {per_epoch} 次（包括最后那个较小的批量），"
               f"再乘以 {e} 个迭代周期。"),
        hint=tr("batches per epoch = ⌈n_train / batch_size⌉, since the last, smaller batch counts too; "
                "then multiply by the number of epochs.",
                "每个迭代周期的批量数 = ⌈n_train / batch_size⌉，因为最后那个较小的批量也算在内；"
                "再乘以迭代周期数。"))
