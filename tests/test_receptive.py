"""Receptive-field calculator vs. a gradient measurement on real networks."""

import pytest
import torch
from torch import nn

from utils.receptive import (
    Layer,
    conv_layer,
    footprints,
    gradient_receptive_field,
    pool_layer,
    receptive_field,
    receptive_fields,
    to_layers,
)


def lenet_features():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.MaxPool2d(2, stride=2),
    )


def vgg_like():
    torch.manual_seed(1)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Sequential(nn.Conv2d(8, 16, 3, padding=2, dilation=2), nn.ReLU()),
        nn.Conv2d(16, 16, (3, 5), stride=(2, 1), padding=(1, 0)), nn.ReLU(),
        nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
    )


def test_textbook_numbers():
    # d2l: a 2×2 conv sees 4 pixels; a second 2×2 conv on top sees all 9 of a 3×3 input
    assert receptive_field([conv_layer(2)]).size == (2, 2)
    assert receptive_field([conv_layer(2), conv_layer(2)]).size == (3, 3)
    # three stacked 3×3 convs = one 7×7 window; dilations 1, 2, 4 give 15
    assert receptive_field([conv_layer(3)] * 3).size == (7, 7)
    assert receptive_field([conv_layer(3, dilation=d) for d in (1, 2, 4)]).size == (15, 15)


def test_lenet_table():
    fields = receptive_fields(lenet_features(), (28, 28))
    assert [f.size[0] for f in fields] == [5, 6, 14, 16]
    assert [f.jump[0] for f in fields] == [1, 2, 2, 4]
    assert [f.start[0] for f in fields] == [-2, -2, -2, -2]
    assert [f.output_size for f in fields] == [(28, 28), (14, 14), (10, 10), (5, 5)]
    assert fields[-1].center == (5.5, 5.5)


@pytest.mark.parametrize("make_net, size", [(lenet_features, (28, 28)), (vgg_like, (33, 30))])
def test_output_size_matches_pytorch(make_net, size):
    net = make_net().eval()
    out = net(torch.zeros(1, net[0].in_channels, *size))
    assert receptive_fields(net, size)[-1].output_size == tuple(out.shape[-2:])


@pytest.mark.parametrize("make_net, size", [(lenet_features, (28, 28)), (vgg_like, (33, 30))])
def test_calculator_agrees_with_gradient(make_net, size):
    net = make_net()
    last = receptive_fields(net, size)[-1]
    h, w = last.output_size
    for unit in [(0, 0), (h - 1, w - 1), (h // 2, w // 3), (0, w - 1)]:
        assert gradient_receptive_field(net, size, unit) == last.region(*unit, size), unit


def test_gradient_measurement_needs_the_probe():
    """With the real weights, max pooling routes the gradient to one winner per window,
    so a naive measurement finds fewer pixels than the receptive field: the reason the
    measurement uses positive weights and average pooling."""
    net = nn.Sequential(nn.Conv2d(1, 1, 3, bias=False), nn.MaxPool2d(2))
    with torch.no_grad():
        net[0].weight.fill_(1.0)
    X = torch.rand(1, 1, 8, 8, generator=torch.Generator().manual_seed(0), requires_grad=True)
    net(X)[0, 0, 1, 1].backward()
    naive = int((X.grad != 0).sum())
    (r0, r1), (c0, c1) = gradient_receptive_field(net, (8, 8), (1, 1))
    assert (r1 - r0, c1 - c0) == receptive_field(net).size == (4, 4)
    assert naive == 9 < 16


def test_footprints_dilated_holes_and_bounding_box():
    layers = [conv_layer(3, padding=1), conv_layer(3, padding=2, dilation=2)]
    masks = footprints(layers, (12, 12), (6, 6))
    assert [tuple(m.shape) for m in masks] == [(12, 12), (12, 12), (12, 12)]
    assert int(masks[2].sum()) == 1 and bool(masks[2][6, 6])
    assert int(masks[1].sum()) == 9  # the dilated taps: a 3×3 grid with holes
    assert not bool(masks[1][5, 5]) and bool(masks[1][4, 4])
    rows = torch.nonzero(masks[0].any(1)).flatten()
    cols = torch.nonzero(masks[0].any(0)).flatten()
    region = receptive_fields(layers, (12, 12))[-1].region(6, 6, (12, 12))
    assert ((int(rows[0]), int(rows[-1]) + 1), (int(cols[0]), int(cols[-1]) + 1)) == region
    assert int(masks[0].sum()) == 49  # 3×3 then 3×3 d2 fill a 7×7 block again


def test_footprints_match_gradient_support():
    net = lenet_features()
    mask = footprints(net, (28, 28), (2, 3))[0]
    probe_region = gradient_receptive_field(net, (28, 28), (2, 3))
    (r0, r1), (c0, c1) = probe_region
    assert bool(mask[r0:r1, c0:c1].all()) and int(mask.sum()) == (r1 - r0) * (c1 - c0)


def test_specs_in_every_form_agree():
    as_dicts = [{"kind": "conv", "kernel_size": 3, "padding": 1}, {"type": "pool", "kernel_size": 2}]
    as_tuples = [("conv", 3, 1, 1), ("pool", 2)]
    as_layers = [conv_layer(3, padding=1), pool_layer(2)]
    as_module = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
    results = {tuple((f.size, f.jump, f.start) for f in receptive_fields(x))
               for x in (as_dicts, as_tuples, as_layers, as_module)}
    assert len(results) == 1
    assert to_layers(nn.Conv2d(1, 1, 3)) == [conv_layer(3)]
    blocks = nn.ModuleList([nn.Conv2d(1, 1, 3), nn.ReLU(), nn.MaxPool2d(2)])
    assert to_layers(blocks) == [conv_layer(3), pool_layer(2)]
    assert pool_layer(3).stride == (3, 3) and isinstance(as_layers[0], Layer)


def test_padding_same_and_valid_strings():
    same = receptive_fields(nn.Conv2d(1, 1, 5, padding="same"), (9, 9))[0]
    assert same.start == (-2, -2) and same.output_size == (9, 9)
    assert receptive_fields(nn.Conv2d(1, 1, 5, padding="valid"))[0].start == (0, 0)
    with pytest.raises(ValueError, match="even kernel span"):
        receptive_fields(nn.Conv2d(1, 1, 4, padding="same"))


def test_region_clipping_and_labels():
    rf = receptive_fields([conv_layer(3, padding=1)] * 2, (5, 5))[-1]
    assert rf.region(0, 0) == ((-2, 3), (-2, 3))
    assert rf.region(0, 0, (5, 5)) == ((0, 3), (0, 3))
    assert conv_layer(3, stride=2, padding=1, dilation=2).label == "conv 3 s2 p1 d2"
    assert conv_layer((3, 5)).label == "conv 3×5"


def test_errors():
    with pytest.raises(ValueError, match="Linear"):
        receptive_fields(nn.Sequential(nn.Conv2d(1, 1, 3), nn.Flatten(), nn.Linear(4, 2)))
    with pytest.raises(ValueError, match="no convolution or pooling"):
        receptive_fields(nn.Sequential(nn.ReLU()))
    with pytest.raises(TypeError, match="layers must be"):
        receptive_fields("conv3")
    with pytest.raises(TypeError, match="layers must be"):
        receptive_fields([3, 3])
    with pytest.raises(ValueError, match="kind 'conv' or 'pool'"):
        receptive_fields([{"kind": "dense", "kernel_size": 3}])
    with pytest.raises(ValueError, match="needs a kernel_size"):
        receptive_fields([{"kind": "conv"}])
    with pytest.raises(ValueError, match="tuple spec"):
        receptive_fields([("conv",)])
    with pytest.raises(ValueError, match="kernel_size must be positive"):
        conv_layer(0)
    with pytest.raises(ValueError, match="does not fit"):
        receptive_fields([conv_layer(5)], (3, 3))
    rf = receptive_fields([conv_layer(3)], (5, 5))[0]
    with pytest.raises(ValueError, match="outside this layer's output"):
        rf.region(3, 0)
    with pytest.raises(ValueError, match="i must be non-negative"):
        rf.region(-1, 0)
    with pytest.raises(TypeError, match="j must be an int"):
        rf.region(0, 1.0)
    with pytest.raises(ValueError, match="unit must be inside"):
        footprints([conv_layer(3)], (5, 5), (3, 3))
    with pytest.raises(TypeError, match="net must be an nn.Module"):
        gradient_receptive_field([conv_layer(3)], (5, 5))
    with pytest.raises(ValueError, match="unit must be inside"):
        gradient_receptive_field(nn.Conv2d(1, 1, 3), (5, 5), (9, 9))
    with pytest.raises(ValueError, match=r"\(N, C', H', W'\)"):
        gradient_receptive_field(nn.Sequential(nn.Conv2d(1, 1, 3), nn.Flatten()), (5, 5))
