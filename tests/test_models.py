"""utils.models: LeNet as d2l writes it, its layer shapes, and the two recipes."""

from __future__ import annotations

import pytest
from torch import nn

from utils.models import BOOK_RECIPE, MODERN_RECIPE, layer_shapes, lenet

LENET_SHAPES = [
    ("Conv2d", (1, 6, 28, 28)), ("Sigmoid", (1, 6, 28, 28)), ("AvgPool2d", (1, 6, 14, 14)),
    ("Conv2d", (1, 16, 10, 10)), ("Sigmoid", (1, 16, 10, 10)), ("AvgPool2d", (1, 16, 5, 5)),
    ("Flatten", (1, 400)), ("Linear", (1, 120)), ("Sigmoid", (1, 120)),
    ("Linear", (1, 84)), ("Sigmoid", (1, 84)), ("Linear", (1, 10)),
]


def test_lenet_matches_the_book_walk_through():
    assert layer_shapes(lenet()) == LENET_SHAPES
    # the same network written out as in d2l
    book = nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))
    assert repr(book) == repr(lenet())
    assert sum(p.numel() for p in lenet().parameters()) == 61706


def test_modern_lenet_layers():
    net = lenet("relu", "max", batch_norm=True)
    names = [name for name, _ in layer_shapes(net)]
    assert names.count("ReLU") == 4 and names.count("MaxPool2d") == 2
    assert names.count("BatchNorm2d") == 2 and names.count("BatchNorm1d") == 2
    assert layer_shapes(net)[-1] == ("Linear", (1, 10))
    assert repr(MODERN_RECIPE.model()) == repr(net)


def test_recipes_are_the_book_and_the_modern_one():
    assert (BOOK_RECIPE.activation, BOOK_RECIPE.pool, BOOK_RECIPE.optimizer) == ("sigmoid", "avg", "sgd")
    assert (BOOK_RECIPE.lr, BOOK_RECIPE.batch_size, BOOK_RECIPE.num_epochs) == (0.9, 256, 10)
    kw = MODERN_RECIPE.train_kwargs()
    assert kw["optimizer"] == "adam" and kw["num_epochs"] == MODERN_RECIPE.num_epochs


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"activation": "tanh"}, "activation must be 'sigmoid' or 'relu', got 'tanh'"),
    ({"pool": "min"}, "pool must be 'avg' or 'max', got 'min'"),
])
def test_lenet_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lenet(**kwargs)


def test_layer_shapes_errors():
    with pytest.raises(TypeError, match="nn.Sequential"):
        layer_shapes(nn.Linear(2, 2))
    with pytest.raises(TypeError, match="input_shape must be a non-empty tuple of positive ints"):
        layer_shapes(lenet(), (1, 28, 28.0))
    with pytest.raises(ValueError, match="input_shape must be a non-empty tuple of positive ints"):
        layer_shapes(lenet(), (1, 0, 28, 28))
