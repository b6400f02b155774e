"""utils.widgets.features: activations, the trained receptive field (autograd as the oracle), both widgets."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from tools.widget_moves import recording_draws
from utils.models import layer_shapes, lenet
from utils.widgets.features import (
    draw_feature_maps,
    draw_trained_receptive_field,
    feature_maps,
    layer_activations,
    spatial_layers,
    trained_receptive_field,
)


@pytest.fixture(scope="module")
def book_net():
    torch.manual_seed(0)
    return lenet()  # sigmoid + average pooling: every pixel in the field has a non-zero gradient


@pytest.fixture(scope="module")
def modern_net():
    torch.manual_seed(0)
    return lenet("relu", "max", batch_norm=True)


@pytest.fixture(scope="module")
def images():
    torch.manual_seed(1)
    return torch.rand(4, 1, 28, 28)


def gradient_box(net, x, layer, c, i, j):
    """Oracle: the rows and columns of input pixels with a non-zero ∂unit/∂x."""
    X = x[None].clone().requires_grad_(True)
    net[: layer + 1](X)[0, c, i, j].backward()
    nz = np.argwhere(X.grad[0, 0].abs().numpy() > 0)
    return (nz[:, 0].min(), nz[:, 0].max()), (nz[:, 1].min(), nz[:, 1].max())


def test_layer_activations_follow_the_shape_table(modern_net, images):
    acts = layer_activations(modern_net, images[0])
    assert [(n, (1, *A.shape)) for n, A in acts] == layer_shapes(modern_net)
    with torch.no_grad():
        modern_net.eval()
        assert torch.allclose(acts[-1][1], modern_net(images[:1])[0])


@pytest.mark.parametrize(("layer", "i", "j"), [(0, 0, 0), (0, 27, 13), (2, 7, 0), (3, 0, 9), (5, 0, 0),
                                               (5, 2, 2), (5, 4, 4), (4, 9, 3)])
def test_drawn_field_equals_the_gradient_support(book_net, images, layer, i, j):
    # sigmoid + average pooling: every pixel the field covers has a non-zero gradient
    _, info = draw_trained_receptive_field(Figure(), book_net, images[0], layer, 0, i, j)
    (r0, r1), (c0, c1) = gradient_box(book_net, images[0], layer, 0, i, j)
    assert info["clipped"] == ((r0, r1 + 1), (c0, c1 + 1)) == info["gradient_box"]


def test_spatial_layers_and_errors(book_net, modern_net):
    assert spatial_layers(book_net) == [0, 1, 2, 3, 4, 5]
    assert spatial_layers(modern_net) == list(range(8))
    fig = Figure()
    with pytest.raises(ValueError, match="layer 7 \\(Linear\\) has no spatial positions"):
        draw_trained_receptive_field(fig, book_net, torch.zeros(1, 28, 28), 7, 0, 0, 0)
    with pytest.raises(ValueError, match="layer must be in \\[0, 11\\]"):
        draw_trained_receptive_field(fig, book_net, torch.zeros(1, 28, 28), 12, 0, 0, 0)
    with pytest.raises(TypeError, match="layer must be an int"):
        draw_feature_maps(fig, book_net, torch.zeros(1, 28, 28), "conv")
    with pytest.raises(TypeError, match="nn.Sequential"):
        spatial_layers(nn.Conv2d(1, 1, 3))
    with pytest.raises(ValueError, match="shape \\(C, H, W\\)"):
        layer_activations(book_net, torch.zeros(28, 28))


def test_draw_feature_maps_tiles_every_channel(modern_net, images):
    fig = Figure()
    text, info = draw_feature_maps(fig, modern_net, images[0], 4)
    assert info["shape"] == (16, 10, 10) and info["channels"] == 16
    assert info["tiles"] == (2 * 11 - 1, 8 * 11 - 1)  # 2 rows of 8 tiles, 1-pixel gaps
    assert "16×10×10" in text
    assert len(fig.axes[1].texts) == 16  # one label per channel
    acts = layer_activations(modern_net, images[0])
    assert info["channel_max"] == pytest.approx(acts[4][1].amax(dim=(1, 2)).tolist(), abs=1e-4)
    fig.clear()
    text, info = draw_feature_maps(fig, modern_net, images[0], len(modern_net) - 1)
    assert info["prediction"] == int(np.argmax(info["logits"]))
    assert len(fig.axes[1].patches) == 10 and f"<b>{info['prediction']}</b>" in text
    with pytest.raises(ValueError, match="scale must be"):
        draw_feature_maps(fig, modern_net, images[0], 0, scale="log")


def test_feature_map_widget(modern_net, images):
    w = feature_maps(modern_net, images, torch.tensor([3, 1, 4, 1]))
    assert "convlab-feature-maps" in w._dom_classes and repr(w) == "ConvLabWidget(convlab-feature-maps)"
    assert w.info["shape"] == (6, 28, 28) and w.error is None
    first = w.image.value
    w.controls["layer"].value = 3
    assert w.info["name"] == "MaxPool2d" and w.info["shape"] == (6, 14, 14)
    assert w.image.value != first and "6×14×14" in w.text.value
    before = w.image.value
    w.controls["scale"].value = "layer"
    assert w.image.value != before
    w.controls["layer"].value = 8
    assert w.info["name"] == "Flatten" and w.info["units"] == 400 and "400" in w.text.value
    w.controls["digit"].value = 2
    assert "label 4" in w.figure.axes[0].get_title()
    labels = [label for label, _ in w.controls["layer"].options]
    assert labels[0] == "0: Conv2d → 6×28×28" and labels[-1].endswith("Linear → 10")
    with pytest.raises(ValueError, match="index must be in"):
        feature_maps(modern_net, images, index=9)
    with pytest.raises(ValueError, match=r"images must have shape \(N, C, H, W\)"):
        feature_maps(modern_net, images[0])
    with pytest.raises(ValueError, match="at least one digit"):
        feature_maps(modern_net, images[:0])


def test_draw_trained_receptive_field(book_net, images):
    fig = Figure()
    text, info = draw_trained_receptive_field(fig, book_net, images[0], 5, 2, 0, 0)
    assert info["size"] == (16, 16) and info["region"] == ((-2, 14), (-2, 14))
    assert info["clipped"] == info["gradient_box"] == ((0, 14), (0, 14))
    assert [size for _label, size, _jump in info["chain"]] == [5, 6, 14, 16]
    assert [jump for _label, _size, jump in info["chain"]] == [1, 2, 2, 4]
    assert "rows -2…13" in text and "partly zero padding" in text and ": 16</code>" in text
    assert len(fig.axes[0].patches) == 2 and len(fig.axes[1].patches) == 1
    with pytest.raises(ValueError, match="channel must be in \\[0, 15\\]"):
        draw_trained_receptive_field(fig, book_net, images[0], 5, 16, 0, 0)
    with pytest.raises(ValueError, match="must lie in the 5×5 output"):
        draw_trained_receptive_field(fig, book_net, images[0], 5, 0, 5, 0)
    with pytest.raises(ValueError, match="no spatial positions"):
        draw_trained_receptive_field(fig, book_net, images[0], 6, 0, 0, 0)


def test_trained_receptive_field_widget(modern_net, images):
    w = trained_receptive_field(modern_net, images)
    assert "convlab-trained-receptive-field" in w._dom_classes
    assert w.controls["layer"].value == 7 and w.info["size"] == (16, 16)
    assert w.frontend == ("i", "j") and len(w.frames) == 5 * 5  # every unit of the 5×5 map
    assert [idx for _label, idx in w.controls["layer"].options] == list(range(8))
    w.controls["layer"].value = 0  # a 28×28 layer: sliders widen
    assert (w.controls["i"].max, w.controls["channel"].max) == (27, 5)
    assert w.frontend == ("j",) and len(w.frames) == 28  # 28×28 units are over the budget: columns only
    w.controls["i"].value, w.controls["j"].value = 27, 27
    assert w.info["clipped"] == ((25, 28), (25, 28)) and w.error is None
    with recording_draws(w) as redraws:
        w.controls["layer"].value = 4  # back to 10×10: the unit is clamped inside, never invalid
    assert w.controls["i"].value == 9 and w.error is None and w.info["size"] == (14, 14)
    # the visible frame first, already clamped, then each column's frame once
    assert (redraws[0]["i"], redraws[0]["j"]) == (9, 9) and sorted(r["j"] for r in redraws) == list(range(10))
    before = w.image.value
    w.controls["digit"].value = 1
    assert w.image.value != before
    with pytest.raises(ValueError, match="spatial layers"):
        trained_receptive_field(modern_net, images, layer=9)
