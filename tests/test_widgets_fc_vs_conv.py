"""The chapter-01 widgets (parameter counts, shift responses), driven headlessly."""

import pytest
import torch
from matplotlib.image import AxesImage
from torch import nn

from utils.fc import shift2d
from utils.widgets.fc_vs_conv import CATS_AND_DOGS, IMAGE_SIZES, default_digit, param_counts, shift_responses


def n_params(module):
    return sum(p.numel() for p in module.parameters())


def bar_widths(ax):
    return sorted(round(p.get_width()) for p in ax.patches)


def test_default_is_the_12_megapixel_photo():
    w = param_counts()
    assert "convlab-param-counts" in w._dom_classes
    assert w.info["inputs"] == 36_000_000
    assert w.info["fc_params"] == n_params(nn.Linear(36_000_000, 100, device="meta"))
    assert w.info["conv_params"] == n_params(nn.Conv2d(3, 16, 3))
    assert w.info["more_than_cats_and_dogs"] and w.info["fc_params"] > CATS_AND_DOGS
    ax = w.figure.axes[0]
    assert ax.get_xscale() == "log"
    assert bar_widths(ax) == sorted([w.info["conv_params"], w.info["fc_params"]])
    assert "36,000,000·100 + 100 = 3,600,000,100 parameters" in w.text.value
    assert "16·3·3·3 + 16 = 448 parameters" in w.text.value


@pytest.mark.parametrize(
    ("name", "value"),
    [("image_size", (28, 28)), ("channels", 1), ("hidden_units", 1000), ("kernel_size", 5), ("out_channels", 64)],
)
def test_each_control_updates_counts(name, value):
    w = param_counts()
    before = w.image.value
    w.controls[name].value = value
    v = w.values()
    h, wd = v["image_size"]
    fc = n_params(nn.Linear(v["channels"] * h * wd, v["hidden_units"], device="meta"))
    conv = n_params(nn.Conv2d(v["channels"], v["out_channels"], v["kernel_size"], device="meta"))
    assert (w.info["fc_params"], w.info["conv_params"]) == (fc, conv)
    assert bar_widths(w.figure.axes[0]) == sorted([fc, conv])
    assert f"{fc:,} parameters" in w.text.value and f"{conv:,} parameters" in w.text.value
    assert w.image.value != before


def test_conv_count_does_not_depend_on_image_size():
    w = param_counts()
    conv = {}
    for _label, size in IMAGE_SIZES:
        w.controls["image_size"].value = size
        conv[size] = w.info["conv_params"]
    assert len(set(conv.values())) == 1
    w.controls["image_size"].value = (28, 28)
    assert not w.info["more_than_cats_and_dogs"]


def test_custom_image_size_is_offered():
    w = param_counts((100, 200))
    assert w.info["inputs"] == 3 * 100 * 200


def test_default_digit_sits_on_a_zero_canvas():
    X = default_digit(canvas=36)
    assert X.shape == (36, 36) and 0 <= float(X.min()) and float(X.max()) <= 1
    assert X[:4].abs().sum() == 0 and X[:, -4:].abs().sum() == 0
    with pytest.raises(ValueError, match="canvas must be at least 28"):
        default_digit(canvas=20)
    with pytest.raises(ValueError, match="index must be in"):
        default_digit(index=10**6)


def test_shift_responses_default_and_equivariance():
    w = shift_responses()
    assert "convlab-shift-responses" in w._dom_classes
    assert len(w.figure.axes) == 6
    assert w.info["conv_error"] == 0.0 and w.info["fc_error"] == 0.0  # no shift yet
    before = w.image.value
    w.controls["shift_x"].value = 3
    w.controls["shift_y"].value = -2
    assert w.info["shift"] == (-2, 3)
    assert w.info["equivariant"] and w.info["conv_error"] < 1e-5
    assert w.info["fc_error"] > 0.1
    assert "equivariant ✓" in w.text.value
    assert w.image.value != before
    # the top-left panel really shows the shifted input
    shown = next(a for a in w.figure.axes[0].get_children() if isinstance(a, AxesImage)).get_array()
    X = default_digit()
    assert torch.allclose(torch.as_tensor(shown.data), shift2d(X, (-2, 3)))


def test_conv_peak_moves_with_the_shift():
    X = torch.zeros(20, 20)
    X[8:12, 9] = 1.0  # a short vertical bar
    w = shift_responses(X, max_shift=4)
    r0, c0 = w.info["conv_peak"]
    w.controls["shift_x"].value = 4
    w.controls["shift_y"].value = 1
    assert w.info["conv_peak"] == (r0 + 1, c0 + 4)
    assert w.info["equivariant"]


def test_content_cut_off_at_the_border_is_reported():
    X = torch.zeros(12, 12)
    X[:, -1] = 1.0  # touches the right border
    w = shift_responses(X)
    w.controls["shift_x"].value = -2  # the response to the border edge stays in frame, the input's border does not
    assert not w.info["equivariant"]
    assert "content was cut off at the border" in w.text.value


def test_shift_responses_errors():
    with pytest.raises(ValueError, match="K must have odd height and width"):
        shift_responses(torch.zeros(10, 10), torch.ones(2, 2))
    with pytest.raises(ValueError, match="at most 4096 pixels"):
        shift_responses(torch.zeros(70, 70))
    with pytest.raises(TypeError, match="X must be a torch.Tensor"):
        shift_responses([[0.0]])
