"""Chapter 06 exercises (LeNet), each with an instant check.

    from utils.exercises import ch06
    ch06.q_layer_shape(answer, layer=3)           # output shape (C, H, W) of lenet()[layer]
    ch06.q_conv_params(answer, c_i=6, c_o=16, k=5)
    ch06.q_receptive_field(answer, layer=5)       # side of the receptive field after lenet()[layer]
    ch06.q_updates(answer, n_train=4000, batch_size=256, num_epochs=10)

Expected answers come from PyTorch, ``utils.train`` or ``utils.receptive`` when the checker runs.
"""

from __future__ import annotations

import math

from torch import nn

from .._checks import check_int
from ..receptive import receptive_fields
from ..train import layer_shapes, lenet
from ._core import Feedback, check_equal
from ._core import unanswered as _unanswered

__all__ = ["q_conv_params", "q_layer_shape", "q_receptive_field", "q_updates"]


def _layer(layer: object, last: int) -> int:
    layer = check_int(layer, "layer", 0)
    if layer > last:
        raise ValueError(f"layer must be in [0, {last}] (LeNet has {last + 1} layers), got {layer}")
    return layer


def q_layer_shape(answer: object, *, layer: int) -> Feedback:
    """Output shape of ``lenet()[layer]`` for one 1×28×28 digit, without the batch axis."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    shapes = layer_shapes(lenet())
    layer = _layer(layer, len(shapes) - 1)
    expected = shapes[layer][1][1:]
    if hasattr(answer, "__iter__") and not isinstance(answer, str):
        answer = tuple(answer)
    return check_equal(
        answer, expected,
        why="Convolution: ⌊n + 2p − k⌋ + 1 per side, one map per output channel; pooling 2×2 with "
            "stride 2 halves height and width; activations keep the shape.",
        hint="walk the table from 1×28×28: the first conv pads 2 so 28 stays 28, the second "
             "does not pad (n − k + 1), and each pooling halves. Give (C, H, W), or (n,) after Flatten.")


def q_conv_params(answer: object, *, c_i: int, c_o: int, k: int) -> Feedback:
    """Learnable parameters of ``nn.Conv2d(c_i, c_o, k)`` (weights and biases)."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    conv = nn.Conv2d(check_int(c_i, "c_i", 1), check_int(c_o, "c_o", 1), check_int(k, "k", 1))
    expected = sum(p.numel() for p in conv.parameters())
    return check_equal(
        answer, expected,
        why="c_o kernels of shape c_i × k × k plus one bias per output channel: c_o·c_i·k² + c_o.",
        hint="every output channel has one k×k kernel per input channel, and one bias.")


def q_receptive_field(answer: object, *, layer: int) -> Feedback:
    """Side length of the receptive field of one unit after ``lenet()[layer]`` (a conv/pool part)."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    net = lenet()
    layer = _layer(layer, 5)  # from Flatten on, every unit sees the whole image
    expected = receptive_fields(net[: layer + 1])[-1].size[0]
    return check_equal(
        answer, expected,
        why="r grows by (k − 1)·j at each layer, where j is the product of the strides before it: "
            "1 → 5 → 6 → 14 → 16 for LeNet.",
        hint="start from r = 1, j = 1; a k×k layer adds (k − 1)·j to r, and a stride s multiplies j by s.")


def q_updates(answer: object, *, n_train: int, batch_size: int, num_epochs: int) -> Feedback:
    """How many optimiser steps a run takes: ⌈n_train / batch_size⌉ per epoch."""
    if (fb := _unanswered(answer)) is not None:
        return fb
    n, b, e = check_int(n_train, "n_train", 1), check_int(batch_size, "batch_size", 1), check_int(num_epochs, "num_epochs", 1)
    expected = math.ceil(n / b) * e
    return check_equal(
        answer, expected,
        why="One update per minibatch; the last, smaller batch counts too.",
        hint="batches per epoch = ⌈n_train / batch_size⌉ (the DataLoader keeps the last partial batch).")
