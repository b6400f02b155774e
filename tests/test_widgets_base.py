"""What every widget shares: the formatter, the grid renderer and ConvLabWidget's wiring."""

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure

from utils._checks import check_index
from utils.widgets import ConvLabWidget
from utils.widgets._base import fmt, slider
from utils.widgets._draw import ANNOTATE_MAX, draw_grid


@pytest.mark.parametrize(("value", "text"), [(19, "19"), (-1.0, "-1"), (0.25, "0.25"), (1 / 3, "0.33"),
                                             (float("-inf"), "−∞"), ((3, 3), "3"), ((3, 5), "(3, 5)")])
def test_fmt_writes_numbers_and_pairs_as_a_student_would(value, text):
    assert fmt(value) == text


def test_check_index():
    assert check_index(3, "position", 4) == 3
    with pytest.raises(ValueError, match=r"position must be in \[0, 3\] for a 2×2 output, got 4"):
        check_index(4, "position", 4, " for a 2×2 output")
    with pytest.raises(ValueError, match="position must be non-negative"):
        check_index(-1, "position", 4)
    with pytest.raises(TypeError, match="position must be an int"):
        check_index(1.0, "position", 4)


def texts(ax):
    return [t.get_text() for t in ax.texts]


def test_draw_grid_writes_values_except_hidden_cells():
    ax = Figure().subplots()
    hidden = np.array([[False, False], [False, True]])
    draw_grid(ax, np.array([[0.0, 1.5], [-2.0, 3.0]]), hidden=hidden)
    assert texts(ax) == ["0", "1.50", "-2"]
    (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(lines.get_segments()) == 3 + 3


def test_draw_grid_borders_and_offsets():
    ax = Figure().subplots()
    P = np.pad(np.ones((2, 2)), 1, constant_values=-np.inf)
    draw_grid(ax, P, border=(1, 1), at=(10, 5))
    assert texts(ax).count("−∞") == 12 and texts(ax).count("1") == 4  # the pad value is shown
    assert ax.texts[0].get_position() == (10, 5)  # cell (0, 0) is centred at ``at``
    (pads,) = [c for c in ax.collections if isinstance(c, PatchCollection)]
    assert len(pads.get_paths()) == 12
    ax = Figure().subplots()
    draw_grid(ax, np.pad(np.ones((2, 2)), 1), border=(1, 1), border_values=False)
    assert texts(ax) == ["1"] * 4  # plain padding cells stay blank


def test_big_grids_carry_colour_alone_unless_asked():
    big = np.arange((ANNOTATE_MAX + 1) ** 2.0).reshape(ANNOTATE_MAX + 1, -1)
    ax = Figure().subplots()
    draw_grid(ax, big)
    assert len(ax.texts) == len(ax.collections) == 0
    ax = Figure().subplots()
    draw_grid(ax, big, labels=False, lines="white")
    assert len(ax.texts) == 0 and len(ax.collections) == 1
    ax = Figure().subplots()
    draw_grid(ax, np.zeros((2, 3)), labels=np.array([["0", "", ""], ["", "", "a"]]))
    assert texts(ax) == ["0", "a"]


def make_widget(draw, ranges=None):
    controls = {"n": slider("n", 2, 1, 5), "k": slider("k", 1, 0, 4)}
    return ConvLabWidget(draw, controls, css_class="convlab-test", figsize=(2, 2), ranges=ranges)


def test_error_is_shown_escaped_not_raised():
    def draw(fig, n, k):
        if k > n:
            raise ValueError(f"k must be <= n, got k={k} > n={n} & so on")
        return f"{n} {k}", {"n": n}

    w = make_widget(draw)
    assert (w.text.value, w.info, w.error, repr(w)) == ("2 1", {"n": 2}, None, "ConvLabWidget(convlab-test)")
    w.controls["k"].value = 4
    assert w.error == "k must be <= n, got k=4 > n=2 & so on" and w.info == {}
    assert w.text.value.endswith("k must be &lt;= n, got k=4 &gt; n=2 &amp; so on")


def test_ranges_clamp_before_the_one_redraw():
    seen = []

    def draw(fig, n, k):
        seen.append((n, k))
        return "", {}

    play = widgets.Play(max=9)
    w = make_widget(draw, ranges={"k": (lambda values: values["n"], [play])})
    assert (w.controls["k"].max, play.max) == (1, 1) and seen == [(2, 1)]  # applied from the start
    w.controls["n"].value = 5
    w.controls["k"].value = 4
    w.controls["n"].value = 3  # clamps k from 4 to 2: still one redraw
    assert seen == [(2, 1), (5, 1), (5, 4), (3, 2)] and play.max == 2
