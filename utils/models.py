"""LeNet and the two recipes chapter 06 trains it with.

The model is d2l's LeNet-5; a :class:`Recipe` fixes everything else a run
depends on besides the data (layers' activation and pooling, optimiser,
learning rate, batch size, epochs, init, schedule, augmentation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from ._checks import check_choice, check_shape

__all__ = ["BOOK_RECIPE", "MODERN_RECIPE", "Recipe", "layer_shapes", "lenet"]

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU}
POOLS = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}


def lenet(activation: str = "sigmoid", pool: str = "avg", *, batch_norm: bool = False) -> nn.Sequential:
    """LeNet-5 as in d2l: input X: (batch, 1, 28, 28) → logits (batch, 10).

    conv 5×5 (6 channels, padding 2) → act → pool 2×2 → conv 5×5 (16) → act →
    pool 2×2 → flatten → 120 → act → 84 → act → 10. The book uses
    ``activation="sigmoid", pool="avg"``; the modern variant ``"relu", "max"``
    and, with ``batch_norm=True``, a batch-norm layer before every activation
    (d2l's "LeNet with batch normalization").
    """
    check_choice(activation, "activation", tuple(ACTIVATIONS))
    check_choice(pool, "pool", tuple(POOLS))
    act, pooling = ACTIVATIONS[activation], POOLS[pool]

    def norm(kind: type[nn.Module], n: int) -> list[nn.Module]:
        return [kind(n)] if batch_norm else []

    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), *norm(nn.BatchNorm2d, 6), act(),
        pooling(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), *norm(nn.BatchNorm2d, 16), act(),
        pooling(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), *norm(nn.BatchNorm1d, 120), act(),
        nn.Linear(120, 84), *norm(nn.BatchNorm1d, 84), act(),
        nn.Linear(84, 10),
    )


def layer_shapes(net: nn.Sequential, input_shape: tuple[int, ...] = (1, 1, 28, 28)) -> list[tuple[str, tuple[int, ...]]]:
    """Each layer's name and output shape for an input of ``input_shape``.

    The d2l walk-through: (1, 1, 28, 28) → Conv2d (1, 6, 28, 28) → … → (1, 10).
    """
    if not isinstance(net, nn.Sequential):
        raise TypeError(f"net must be an nn.Sequential, got {type(net).__name__}")
    input_shape = check_shape(input_shape, "input_shape")
    param = next(net.parameters(), None)
    X = torch.zeros(input_shape, device=param.device if param is not None else "cpu")
    rows, was_training = [], net.training
    net.eval()  # batch norm cannot use batch statistics of a single example
    try:
        with torch.no_grad():
            for layer in net:
                X = layer(X)
                rows.append((type(layer).__name__, tuple(X.shape)))
    finally:
        net.train(was_training)
    return rows


@dataclass(frozen=True)
class Recipe:
    """Everything that decides a training run besides the data."""

    name: str
    activation: str
    pool: str
    optimizer: str
    lr: float
    batch_size: int
    num_epochs: int
    init: str = "xavier"
    batch_norm: bool = False
    schedule: str | None = None
    max_shift: int = 0

    def model(self) -> nn.Sequential:
        return lenet(self.activation, self.pool, batch_norm=self.batch_norm)

    def train_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :func:`utils.train` this recipe fixes."""
        return {"num_epochs": self.num_epochs, "lr": self.lr, "optimizer": self.optimizer,
                "init": self.init, "schedule": self.schedule, "max_shift": self.max_shift}


# d2l 7.6: sigmoid + average pooling, plain SGD with a large step, 10 epochs, batch 256.
BOOK_RECIPE = Recipe("book", "sigmoid", "avg", "sgd", 0.9, 256, 10, "xavier")
# The same layers with ReLU, max pooling and batch norm, Kaiming init, Adam with a
# one-cycle learning rate, small batches, and training digits shifted by up to 2 pixels.
MODERN_RECIPE = Recipe("modern", "relu", "max", "adam", 3e-3, 64, 12, "kaiming",
                       batch_norm=True, schedule="onecycle", max_shift=2)
