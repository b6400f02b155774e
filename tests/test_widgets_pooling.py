"""The chapter-05 pooling widget, driven headlessly."""

import matplotlib.pyplot as plt
import pytest
import torch
import torch.nn.functional as F
from matplotlib.colors import to_rgb
from matplotlib.patches import Rectangle

from tools.widget_moves import kernel_side, recording_draws
from utils import pool2d
from utils.widgets._draw import CELL_COLOR, WINDOW_COLOR
from utils.widgets.pooling import draw_pooling, pooling_window


def outlined(ax, color):
    """(row, col, h, w) of every outline of the given colour on ax."""
    out = []
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and not patch.get_fill():
            if tuple(patch.get_edgecolor()[:3]) == pytest.approx(to_rgb(color)):
                x, y = patch.get_xy()
                out.append((round(y + 0.5), round(x + 0.5), round(patch.get_height()), round(patch.get_width())))
    return out


def visit_all(w):
    """Step the position slider over every output cell; return the values seen, as a tensor."""
    h, wd = w.info["output_shape"]
    vals = []
    for pos in range(h * wd):
        w.controls["position"].value = pos
        vals.append(w.info["value"])
    return torch.tensor(vals).reshape(h, wd)


def test_default_is_the_lesson_example():
    w = pooling_window()
    assert "convlab-pooling" in w._dom_classes
    assert w.info["arithmetic"] == "max(0, 1, 3, 4) = 4" and w.info["winners"] == [(1, 1)]
    assert "winner: <code>X[1, 1]</code>" in w.text.value
    assert "nn.MaxPool2d(kernel_size=2, stride=1, padding=0)" in w.text.value
    assert torch.equal(visit_all(w), torch.tensor([[4.0, 5], [7, 8]]))


def test_avg_toggle():
    w = pooling_window()
    before = w.image.value
    w.controls["mode"].value = "avg"
    assert w.image.value != before
    assert w.info["arithmetic"] == "(0 + 1 + 3 + 4) / 4 = 2" and w.info["winners"] == []
    assert "nn.AvgPool2d" in w.text.value
    assert torch.equal(visit_all(w), torch.tensor([[2.0, 3], [5, 6]]))
    assert outlined(w.figure.axes[0], CELL_COLOR) == []  # no winner in avg mode


def test_winner_is_outlined():
    w = pooling_window()
    w.controls["position"].value = 2  # window rows 1-2, cols 0-1: max is X[2, 1] = 7
    ax_x, ax_y = w.figure.axes
    assert outlined(ax_x, WINDOW_COLOR) == [(1, 0, 2, 2)]
    assert outlined(ax_x, CELL_COLOR) == [(2, 1, 1, 1)]
    assert outlined(ax_y, CELL_COLOR) == [(1, 0, 1, 1)]
    assert len(ax_y.texts) == 3  # output cells not reached yet stay blank


def test_d2l_padding_and_stride_example():
    w = pooling_window(torch.arange(16.0).reshape(4, 4), pool_size=3, padding=1, stride=2)
    assert torch.equal(visit_all(w), torch.tensor([[5.0, 7], [13, 15]]))
    assert "nn.MaxPool2d(kernel_size=3, stride=2, padding=1)" in w.text.value
    texts = [t.get_text() for t in w.figure.axes[0].texts]
    assert texts.count("−∞") == 6 * 6 - 16  # padding shown as −∞: it can never win a max
    w.controls["stride"].value = 3
    assert "the default" in w.text.value  # stride == window: what nn.MaxPool2d(3) does
    assert w.info["output_shape"] == (2, 2)


@pytest.mark.parametrize(("k", "p", "s"), [(2, 0, 1), (2, 1, 2), (3, 1, 1), (3, 0, 2), (4, 2, 3)])
def test_winners_match_pytorch_indices(k, p, s):
    X = torch.randn(5, 6, generator=torch.Generator().manual_seed(k * 10 + p + s))
    with kernel_side():  # the numbers are the same with frames; those are checked for every widget
        w = pooling_window(X)
    w.controls["pool_size"].value = k
    w.controls["padding"].value = p
    w.controls["stride"].value = s
    Y, idx = F.max_pool2d(X[None, None], k, s, p, return_indices=True)
    assert w.info["output_shape"] == tuple(Y.shape[-2:])
    assert w.controls["position"].max == Y.numel() - 1
    for pos in range(Y.numel()):
        w.controls["position"].value = pos
        i, j = divmod(pos, Y.shape[-1])
        assert w.info["value"] == Y[0, 0, i, j].item()
        assert w.info["winners"] == [divmod(idx[0, 0, i, j].item(), X.shape[1])]
    w.controls["mode"].value = "avg"
    assert w.info["value"] == pytest.approx(F.avg_pool2d(X[None, None], k, s, p)[0, 0, i, j].item())


def test_ties_outline_every_winner():
    w = pooling_window(torch.ones(3, 3))
    assert w.info["winners"] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert len(outlined(w.figure.axes[0], CELL_COLOR)) == 4


def test_position_slider_follows_the_output_size():
    w = pooling_window(torch.arange(16.0).reshape(4, 4))
    assert w.controls["position"].max == 8
    w.controls["position"].value = 8
    w.controls["stride"].value = 2  # 3×3 → 2×2 outputs: the position is clamped to the last cell
    assert w.controls["position"].max == 3 and w.controls["position"].value == 3
    assert w.info["cell"] == (1, 1) and w.info["value"] == 15


def test_one_render_per_frame_even_when_the_position_is_clamped():
    w = pooling_window(torch.arange(16.0).reshape(4, 4))
    assert w.frontend == ("mode", "position") and len(w.frames) == 2 * 9
    w.controls["position"].value = 8
    with recording_draws(w) as calls:
        w.controls["stride"].value = 2  # clamps the position from 8 to 3
    assert calls[0] == {**w.values(), "position": 3}  # the visible frame first, already clamped
    assert sorted((c["mode"], c["position"]) for c in calls) == [(m, p) for m in ("avg", "max") for p in range(4)]
    with recording_draws(w) as calls:
        w.controls["position"].value = 0  # front-end: drawn already, the widget still follows
        w.controls["mode"].value = "avg"
    assert calls == [] and w.info["cell"] == (0, 0) and w.info["arithmetic"] == "(0 + 1 + 4 + 5) / 4 = 2.50"


def test_invalid_padding_shows_a_message_not_a_traceback():
    w = pooling_window()
    w.controls["padding"].value = 2  # more than half of a 2×2 window: PyTorch refuses it too
    assert w.error is not None and "padding must be at most half" in w.error
    assert w.info == {} and "No valid output" in w.text.value
    w.controls["padding"].value = 1
    assert w.error is None and w.info["output_shape"] == (4, 4)


def test_avg_padding_counts_the_zeros():
    X = torch.arange(16.0).reshape(4, 4)
    w = pooling_window(X, pool_size=3, padding=1, stride=2, mode="avg")
    expected = F.avg_pool2d(X[None, None], 3, 2, 1)[0, 0]  # count_include_pad=True
    assert torch.allclose(visit_all(w), expected)
    assert torch.allclose(expected, pool2d(X, 3, "avg", padding=1, stride=2))


def test_bad_input():
    with pytest.raises(ValueError, match=r"X must have shape \(H, W\)"):
        pooling_window(torch.ones(2, 3, 3))
    with pytest.raises(ValueError, match="mode must be 'max' or 'avg'"):
        pooling_window(mode="min")
    with pytest.raises(ValueError, match="larger than the padded input"):
        pooling_window(torch.ones(2, 2), pool_size=3)
    fig = plt.figure()
    try:
        with pytest.raises(ValueError, match=r"position must be in \[0, 3\]"):
            draw_pooling(fig, torch.ones(3, 3), 2, "max", 4)
    finally:
        plt.close(fig)


def test_max_pooling_padding_is_written_as_minus_infinity():
    w = pooling_window(pool_size=2, padding=1, stride=2)
    assert w.info["arithmetic"] == "max(−∞, −∞, −∞, 0) = 0"
