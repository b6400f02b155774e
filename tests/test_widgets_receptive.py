"""The receptive-field widget, driven headlessly."""


import pytest
from matplotlib.figure import Figure
from torch import nn

from tools.widget_moves import recording_draws
from utils.receptive import conv_layer, receptive_fields
from utils.widgets.receptive import PRESETS, draw_receptive_field, receptive_field_widget


def test_default_widget_traces_the_centre_unit():
    w = receptive_field_widget()
    assert "convlab-receptive-field" in w._dom_classes
    assert repr(w) == "ConvLabWidget(convlab-receptive-field)"
    assert w.error is None
    first = next(iter(PRESETS))
    assert w.controls["network"].value == first
    assert w.info["unit"] == (8, 8) and w.info["size"] == (7, 7)
    assert w.info["region"] == ((5, 12), (5, 12))
    assert w.info["footprint_counts"] == [49, 25, 9, 1]
    assert "rows <b>5…11</b>" in w.text.value and "r = 5 + (3 − 1)·1·1 = 7" in w.text.value
    assert w.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_moving_the_unit_moves_the_region_and_redraws():
    w = receptive_field_widget()
    before = w.image.value
    w.controls["row"].value = 0
    w.controls["col"].value = 15
    assert w.info["unit"] == (0, 15)
    assert w.info["region"] == ((0, 4), (12, 16))
    assert w.info["region_unclipped"] == ((-3, 4), (12, 19))
    assert "clipped at the border" in w.text.value
    assert w.image.value != before
    # the input map carries the dashed receptive-field box, the last map the red unit
    ax = w.figure.axes[0]
    patches = {p.get_label(): p for p in ax.patches if p.get_label() in ("receptive field", "unit")}
    top, left = w.info["margin"]
    assert (top, left) == (3, 3)  # the field reaches 3 cells into the padding
    box = patches["receptive field"]
    assert (box.get_x(), box.get_y(), box.get_width(), box.get_height()) == (left + 12 - 0.5, top - 3 - 0.5, 7, 7)
    assert box.get_linestyle() == "--"
    unit = patches["unit"]
    assert (unit.get_x(), unit.get_y()) == (w.info["panel_offsets"][-1] + 15 - 0.5, top - 0.5)
    w.controls["row"].value, w.controls["col"].value = 8, 8
    assert w.figure.axes[0] is not ax and len(w.figure.axes) == 1
    box = [p for p in w.figure.axes[0].patches if p.get_label() == "receptive field"][0]
    assert box.get_linestyle() == "-"  # fully inside the image now


def test_switching_presets_resizes_the_sliders_with_one_redraw():
    w = receptive_field_widget()
    assert w.frontend == ("col",) and len(w.frames) == 16  # 16×16 units: over the budget, columns only
    w.controls["row"].value = 15
    with recording_draws(w) as redraws:
        w.controls["network"].value = "LeNet: conv 5×5 p2, pool 2, conv 5×5, pool 2"
    assert w.controls["row"].max == 4 and w.controls["row"].value == 4
    assert w.frontend == ("row", "col") and len(w.frames) == 25  # 5×5 units: every one a frame
    # the clamp happens before the frames are drawn: the visible one first, then each frame once
    assert redraws[0]["row"] == 4 and sorted((r["row"], r["col"]) for r in redraws) == sorted(w.frames)
    assert w.error is None
    assert w.info["size"] == (16, 16) and w.info["jump"] == (4, 4)
    titles = [t.get_text() for t in w.figure.axes[0].texts]
    assert len(titles) == 5 and titles[0] == "input 28×28" and titles[-1] == "pool 2 s2\n→ 5×5"
    assert w.info["layers"] == ["conv 5 p2", "pool 2 s2", "conv 5", "pool 2 s2"]
    w.controls["network"].value = "3×3 convs, dilation 1, 2, 4"
    w.controls["row"].value, w.controls["col"].value = 10, 10
    assert w.info["size"] == (15, 15)
    # the dilated layers leave holes: fewer cells than a full block on the middle maps
    counts = w.info["footprint_counts"]
    assert counts[-2] == 9 and counts[0] == 15 * 15


def test_a_tab_page_sent_before_the_network_shrank_it_selects_the_last_page():
    # The page links each slider to its tabs itself; a link made for one network can still send
    # a tab's page after the student picked a smaller one (seen in the browser suite under load).
    w = receptive_field_widget()
    w.controls["network"].value = "conv 3×3, max-pool 2, conv 3×3"  # 8×8 units
    inner = w.links[1].target[0]  # the tab of the first row
    assert len(inner.children) == 8
    w.controls["network"].value = "LeNet: conv 5×5 p2, pool 2, conv 5×5, pool 2"  # 5×5 units
    assert len(inner.children) == 5 and inner in w._tabs.values()
    inner.set_state({"selected_index": 7})  # the page's message, as ipywidgets applies it
    assert inner.selected_index == 4
    inner.set_state({"selected_index": 2})
    assert inner.selected_index == 2


def test_custom_network_has_no_preset_dropdown():
    net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 4, 3))
    w = receptive_field_widget(net, input_size=12)
    assert set(w.controls) == {"row", "col"}
    fields = receptive_fields(net, (12, 12))
    assert w.info["size"] == fields[-1].size == (8, 8)
    assert w.controls["row"].max == fields[-1].output_size[0] - 1


def test_draw_is_pure_and_rejects_bad_units():
    fig = Figure()
    html, info = draw_receptive_field(fig, [conv_layer(3)], 6, 1, 2)
    assert info["region"] == ((1, 4), (2, 5)) and len(fig.axes) == 1 and len(fig.axes[0].texts) == 2
    with pytest.raises(ValueError, match="outside the last layer"):
        draw_receptive_field(Figure(), [conv_layer(3)], 6, 4, 0)


def test_each_column_move_redraws_the_traced_unit():
    # redraw speed is measured in benchmarks/bench_widgets.py (make bench), not asserted here
    w = receptive_field_widget()
    w.controls["network"].value = "LeNet: conv 5×5 p2, pool 2, conv 5×5, pool 2"
    images = set()
    for v in (0, 1, 2):
        w.controls["col"].value = v
        assert w.error is None
        images.add(w.image.value)
    assert len(images) == 3
