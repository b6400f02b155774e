"""The chapter-02 sliding-window widget, driven headlessly."""

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.patches import Rectangle

from utils import corr2d, sliding_window, window_arithmetic
from utils.widgets._draw import CELL_COLOR, WINDOW_COLOR


def outlined(ax, color):
    """(row, col, h, w) of every outline of the given colour on ax."""
    out = []
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and not patch.get_fill():
            if tuple(patch.get_edgecolor()[:3]) == pytest.approx(plt.matplotlib.colors.to_rgb(color)):
                x, y = patch.get_xy()
                out.append((round(y + 0.5), round(x + 0.5), round(patch.get_height()), round(patch.get_width())))
    return out


def test_default_is_the_lesson_example():
    w = sliding_window()
    assert "convlab-sliding-window" in w._dom_classes
    assert w.controls["position"].max == 3
    assert w.text.value == "<code>Y[0, 0] = 0×0 + 1×1 + 3×2 + 4×3 = 19</code>"
    assert w.image.value[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(("pos", "cell", "value"), [(0, (0, 0), 19), (1, (0, 1), 25), (2, (1, 0), 37), (3, (1, 1), 43)])
def test_moving_the_slider_moves_window_and_cell(pos, cell, value):
    w = sliding_window()
    before = w.image.value
    w.controls["position"].value = pos
    assert w.info["cell"] == cell and w.info["value"] == value
    ax_x, _ax_k, ax_y = w.figure.axes
    assert outlined(ax_x, WINDOW_COLOR) == [(cell[0], cell[1], 2, 2)]
    assert outlined(ax_y, CELL_COLOR) == [(cell[0], cell[1], 1, 1)]
    assert f"= {value}</code>" in w.text.value
    if pos:
        assert w.image.value != before
    # cells not reached yet are blank: the output shows exactly pos + 1 numbers
    assert len(ax_y.texts) == pos + 1


def test_padding_and_stride_on_edge_image():
    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    K = torch.tensor([[1.0, -1.0]])
    w = sliding_window(X, K, padding=1, stride=2)
    Y = corr2d(X, K, padding=1, stride=2)
    assert w.controls["position"].max == Y.numel() - 1
    for pos in range(Y.numel()):
        w.controls["position"].value = pos
        i, j = divmod(pos, Y.shape[1])
        assert w.info["value"] == Y[i, j].item()
        assert w.info["window"][:2] == (2 * i, 2 * j)  # top-left in padded coordinates
    assert w.figure.axes[0].get_title() == "input X (6, 8), padding (1, 1)"


def test_dilated_window_outlines_each_tap():
    w = sliding_window(torch.arange(25.0).reshape(5, 5), torch.ones(2, 2), dilation=2)
    assert w.info["taps"] == [(0, 0), (0, 2), (2, 0), (2, 2)]
    assert len(outlined(w.figure.axes[0], WINDOW_COLOR)) == 4
    assert w.info["value"] == 0 + 2 + 10 + 12


def test_arithmetic_shows_negative_factors_in_parentheses():
    text, value = window_arithmetic(torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, -1.0]]), 0, 0)
    assert text == "1×1 + 0×(-1) = 1" and value == 1


def test_long_sums_are_shortened_but_value_is_full():
    X = torch.ones(5, 5)
    text, value = window_arithmetic(X, torch.ones(5, 5), 0, 0)
    assert text.endswith("… = 25") and value == 25


def test_bad_input_raises_before_building():
    with pytest.raises(ValueError, match="larger than the padded input"):
        sliding_window(torch.ones(2, 2), torch.ones(3, 3))
    with pytest.raises(TypeError, match="X must be a torch.Tensor"):
        sliding_window([[1, 2]], torch.ones(1, 1))
