"""The chapter-03 padding/stride/dilation widget, driven headlessly."""


import matplotlib.colors as mcolors
import pytest
import torch
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from torch import nn

from tools.widget_moves import kernel_side, recording_draws
from utils.widgets._draw import CELL_COLOR, WINDOW_COLOR
from utils.widgets.padding import conv2d_call, draw_padding, padding_stride, shape_formula


def outlined(ax, color):
    """(row, col, h, w) of every outline of the given colour on ax."""
    out = []
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and not patch.get_fill():
            if tuple(patch.get_edgecolor()[:3]) == pytest.approx(mcolors.to_rgb(color)):
                x, y = patch.get_xy()
                out.append((round(y + 0.5), round(x + 0.5), round(patch.get_height()), round(patch.get_width())))
    return out


def torch_shape(n, k, p=0, s=1, d=1):
    return tuple(nn.Conv2d(1, 1, k, padding=p, stride=s, dilation=d)(torch.zeros(1, 1, *n)).shape[-2:])


def grid_shape(ax):
    (image,) = [a for a in ax.get_children() if isinstance(a, AxesImage)]
    return image.get_array().shape


def test_default_is_same_padding_on_8x8():
    w = padding_stride()
    assert "convlab-padding-stride" in w._dom_classes
    assert w.info["output_shape"] == (8, 8) == torch_shape((8, 8), 3, 1)
    assert w.controls["position"].max == 63
    ax_x, ax_y = w.figure.axes
    assert grid_shape(ax_x) == (10, 10) and grid_shape(ax_y) == (8, 8)
    assert "h_out = ⌊(8 + 2·1 − 1·(3 − 1) − 1) / 1⌋ + 1 = ⌊7 / 1⌋ + 1 = 8" in w.text.value
    assert "<code>nn.Conv2d(1, 1, kernel_size=3, padding=1)</code>" in w.text.value
    assert w.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    # the zero border is written out: 10·10 − 8·8 = 36 zeros
    assert sum(t.get_text() == "0" for t in ax_x.texts) == 36


# d2l's comp_conv2d examples and a 4×4 input, k=2, padding=2 → 7×7
BOOK_EXAMPLES = [
    (8, 3, 1, 1, (8, 8)),
    (8, (5, 3), (2, 1), 1, (8, 8)),
    (8, 3, 1, 2, (4, 4)),
    (8, (3, 5), (0, 1), (3, 4), (2, 2)),
    (4, 2, 2, 1, (7, 7)),
]


@pytest.mark.parametrize(("n", "k", "p", "s", "expected"), BOOK_EXAMPLES)
def test_book_examples_against_nn_conv2d(n, k, p, s, expected):
    with kernel_side():  # what is drawn is the same with frames; those are checked for every widget
        w = padding_stride(n, k, padding=p, stride=s)
    assert w.info["output_shape"] == expected == torch_shape((n, n), k, p, s)
    assert w.controls["position"].max == expected[0] * expected[1] - 1
    conv = eval(w.info["conv2d_call"], {"nn": nn})  # the displayed call really builds that layer
    assert tuple(conv(torch.zeros(1, 1, n, n)).shape[-2:]) == expected


def test_non_square_settings_get_per_axis_sliders():
    w = padding_stride(8, (3, 5), padding=(0, 1), stride=(3, 4))
    assert {"kernel_size_h", "kernel_size_w", "stride_h", "stride_w"} <= set(w.controls)
    assert w.info["conv2d_call"] == "nn.Conv2d(1, 1, kernel_size=(3, 5), padding=(0, 1), stride=(3, 4))"
    # stride 3 over 8 rows: windows at rows 0-2 and 3-5; rows 6, 7 are never used (the floor)
    assert w.info["unused_cells"] == 2 * 8 + 6 * 0
    assert "16 input cell(s) are never under any window" in w.text.value
    w.controls["stride_h"].value = 2
    assert w.info["output_shape"] == torch_shape((8, 8), (3, 5), (0, 1), (2, 4)) == (3, 2)


def test_square_widget_rejects_non_square_start():
    with pytest.raises(ValueError, match="per_axis=False needs square settings"):
        padding_stride(8, (3, 5), per_axis=False)


@pytest.mark.parametrize(
    ("name", "value"),
    [("stride", 2), ("stride", 3), ("padding", 0), ("padding", 4), ("kernel_size", 5), ("dilation", 2),
     ("input_size", 5), ("input_size", 12)],
)
def test_every_slider_matches_nn_conv2d(name, value):
    with kernel_side():
        w = padding_stride()
    before = w.image.value
    w.controls[name].value = value
    v = {n: w.controls[n].value for n in ("input_size", "kernel_size", "padding", "stride", "dilation")}
    expected = torch_shape((v["input_size"],) * 2, v["kernel_size"], v["padding"], v["stride"], v["dilation"])
    assert w.error is None
    assert w.info["output_shape"] == expected
    assert w.controls["position"].max == expected[0] * expected[1] - 1
    assert grid_shape(w.figure.axes[1]) == expected
    assert grid_shape(w.figure.axes[0]) == (v["input_size"] + 2 * v["padding"],) * 2
    assert f"= {expected[0]}</code>" in w.text.value
    assert w.image.value != before


def test_position_steps_the_window_by_the_stride():
    w = padding_stride(8, 3, padding=1, stride=2)
    for pos in range(16):
        w.controls["position"].value = pos
        i, j = divmod(pos, 4)
        assert w.info["cell"] == (i, j)
        assert outlined(w.figure.axes[0], WINDOW_COLOR) == [(2 * i, 2 * j, 3, 3)]
        assert outlined(w.figure.axes[1], CELL_COLOR) == [(i, j, 1, 1)]
    assert "output[3, 3] ← padded input rows 6…8, cols 6…8" in w.text.value


def test_dilated_window_outlines_each_tap():
    w = padding_stride(7, 3, padding=0, dilation=2)
    assert w.info["output_shape"] == torch_shape((7, 7), 3, 0, 1, 2) == (3, 3)
    w.controls["position"].value = 4
    taps = {(r, c) for r in (1, 3, 5) for c in (1, 3, 5)}
    assert set(w.info["taps"]) == taps
    assert {(r, c) for r, c, _h, _w in outlined(w.figure.axes[0], WINDOW_COLOR)} == taps
    assert "spans d·(k − 1) + 1 = 5×5 cells" in w.text.value


def test_shrinking_the_output_clamps_the_position_before_the_frames_are_drawn():
    w = padding_stride()
    assert w.frontend == ("position",) and len(w.frames) == 64  # the default 8×8 output fits the budget
    w.controls["position"].value = 63
    with recording_draws(w) as calls:
        w.controls["stride"].value = 2
    assert w.controls["position"].value == w.controls["position"].max == 15
    assert w.info["cell"] == (3, 3)
    # the visible frame first, already clamped; then each of the 16 frames once
    assert calls[0]["position"] == 15 and sorted(c["position"] for c in calls) == list(range(16))
    with recording_draws(w) as calls:
        w.controls["position"].value = 3  # a front-end move: its frame is drawn already
    assert calls == [] and w.info["cell"] == (0, 3)


def test_the_frame_budget_follows_the_settings():
    w = padding_stride()
    w.controls["input_size"].value = 12  # a 12×12 output: 144 frames are over the budget
    assert w.frontend == () and w.controls["position"].max == 143
    assert "convlab-frontend" not in w._dom_classes
    with recording_draws(w) as calls:
        w.controls["position"].value = 100  # kernel-side now: one redraw per move
    assert len(calls) == 1 and w.info["cell"] == (8, 4)
    w.controls["stride"].value = 2  # 6×6: front-end again, every frame drawn
    assert w.frontend == ("position",) and len(w.frames) == 36 and w.pending == 0


def test_invalid_combination_shows_a_message_not_a_traceback():
    with kernel_side():
        w = padding_stride()
    w.controls["padding"].value = 0
    w.controls["input_size"].value = 2
    assert w.error is not None and "kernel height 3 is larger than the padded input height" in w.error
    assert w.text.value.startswith("<b style='color:#b00'>No valid output:</b>")
    assert w.info == {}
    w.controls["padding"].value = 1  # valid again: the picture comes back
    assert w.error is None and w.info["output_shape"] == (2, 2)
    assert w.controls["position"].max == 3


def test_invalid_start_raises_clearly():
    with pytest.raises(ValueError, match="larger than the padded input"):
        padding_stride(2, 5, padding=0)


def test_draw_padding_position_out_of_range():
    from matplotlib.figure import Figure

    with pytest.raises(ValueError, match=r"position must be in \[0, 3\]"):
        draw_padding(Figure(), 4, 3, 0, 1, 1, position=4)


def test_helpers_text():
    assert conv2d_call(3) == "nn.Conv2d(1, 1, kernel_size=3)"
    assert conv2d_call((3, 5), padding=(0, 1), stride=2, dilation=1) == \
        "nn.Conv2d(1, 1, kernel_size=(3, 5), padding=(0, 1), stride=2)"
    assert shape_formula(8, 3, 1, 2, 1) == "h_out = ⌊(8 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1 = ⌊7 / 2⌋ + 1 = 4"
