"""What every widget shares: the formatter, the grid renderer and ConvLabWidget's wiring,
front-end frames included (driven headlessly: the browser's messages through ``set_state``)."""

import asyncio

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure

from tools.widget_moves import browser_move, recording_draws, settle
from utils._checks import check_index
from utils.widgets import ConvLabWidget, figure_png
from utils.widgets._base import FrameBudget, fmt, slider
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


# ---------------------------------------------------------------- front-end frames
def toy_draw(fig, n, k, mode="a"):
    """A cheap picture of its arguments; k > n has no valid output."""
    if k > n:
        raise ValueError(f"k must be <= n, got k={k} > n={n}")
    fig.subplots().bar([0, 1], [n, k + 1], color="C1" if mode == "a" else "C2")
    return f"n={n} k={k} {mode}", {"n": n, "k": k, "mode": mode}


def toy_widget(frontend=("k",), budget=None, n=2, k=1, mode=False):
    controls = {"n": slider("n", n, 1, 9), "k": slider("k", k, 0, 9)}
    if mode:
        controls["mode"] = widgets.ToggleButtons(options=["a", "b", "c"], value="a")
    return ConvLabWidget(toy_draw, controls, css_class="convlab-toy", figsize=(1, 1), frontend=frontend,
                         budget=budget, ranges={"k": (lambda v: v["n"] + 1, [])})


def drawn(w, key):
    """What ``draw`` gives for frame ``key``: (PNG, HTML)."""
    fig = Figure(figsize=w.figure.get_size_inches())
    text, _ = toy_draw(fig, **w.values_at(key))
    return figure_png(fig, w._dpi), text


def assert_frames_are_drawn(w):
    assert w.pending == 0
    for key, frame in w.frames.items():
        assert (bytes(frame.image.value), frame.text.value) == drawn(w, key), key


def test_frames_are_what_draw_gives_for_each_value():
    w = toy_widget()
    assert w.frontend == ("k",) and sorted(w.frames) == [(0,), (1,), (2,)]
    assert_frames_are_drawn(w)
    assert (w.image, w.text) == (w.frames[(1,)].image, w.frames[(1,)].text)  # the visible frame
    assert w.info == {"n": 2, "k": 1, "mode": "a"} and w.text.value == "n=2 k=1 a"
    assert repr(w) == "ConvLabWidget(convlab-toy)"
    assert {"convlab-widget", "convlab-toy", "convlab-frontend"} == set(w._dom_classes)
    assert "convlab-frontend-control" in w.controls["k"]._dom_classes
    assert "convlab-frontend-control" not in w.controls["n"]._dom_classes


def test_the_frames_tab_is_linked_to_its_control_and_shows_no_chrome():
    w = toy_widget()
    (tab,) = [c for c in w.children if isinstance(c, widgets.Tab)]
    (link,) = w.links
    assert (link.source, link.target) == ((w.controls["k"], "value"), (tab, "selected_index"))
    assert "convlab-frames" in tab._dom_classes and tab.selected_index == 1
    assert [child for child in tab.children] == [w.frames[(i,)].box for i in range(3)]
    (css,) = [c for c in w.children if isinstance(c, widgets.HTML)]
    assert ".convlab-frames > .widget-tab-bar { display: none" in css.value and css.layout.display == "none"


def test_two_front_end_controls_nest_tabs_each_linked_to_its_control():
    w = toy_widget(frontend=("mode", "k"), mode=True)
    assert w.frontend == ("mode", "k") and len(w.frames) == 3 * 3
    outer = w.children[-1]
    outer_link, *inner_links = w.links
    assert (outer_link.source, outer_link.target) == ((w.controls["mode"], "index"), (outer, "selected_index"))
    assert [link.target for link in inner_links] == [(tab, "selected_index") for tab in outer.children]
    assert all(link.source == (w.controls["k"], "value") for link in inner_links)
    assert outer.children[2].children[1] is w.frames[(2, 1)].box
    assert_frames_are_drawn(w)
    w.controls["mode"].value = "c"  # from Python: no frame is drawn again, the tabs follow
    assert (outer.selected_index, w.info["mode"], w.text.value) == (2, "c", "n=2 k=1 c")


def test_a_kernel_side_move_renders_the_visible_frame_first_and_every_frame_once():
    w = toy_widget()
    with recording_draws(w) as calls:
        w.controls["n"].value = 4
    assert calls[0] == {"n": 4, "k": 1, "mode": "a"} or calls[0] == {"n": 4, "k": 1}
    assert sorted(c["k"] for c in calls) == [0, 1, 2, 3, 4] and len(w.frames) == 5
    assert_frames_are_drawn(w)
    with recording_draws(w) as calls:
        w.controls["k"].value = 4  # front-end: the frame is there already
        w.controls["k"].value = 0
    assert calls == [] and w.info["k"] == 0 and w.text.value == "n=4 k=0 a"
    assert w.children[-1].selected_index == 0  # a move from Python selects the tab too (saved state)


def test_range_clamp_before_the_frames_are_rendered():
    w = toy_widget(k=2)
    with recording_draws(w) as calls:
        w.controls["n"].value = 1  # k: 0..1, clamped from 2 to 1
    assert w.controls["k"].value == 1 and calls[0]["k"] == 1 and len(calls) == 2
    assert_frames_are_drawn(w)


def test_budget_decides_at_every_rebuild_both_ways():
    budget = FrameBudget(frames=4, bytes=10**6)
    w = toy_widget(budget=budget)
    assert w.frontend == ("k",) and len(w.frames) == 3
    w.controls["n"].value = 5  # 6 frames: over the budget, kernel-side as without frontend=
    assert w.frontend == () and list(w.frames) == [()] and w.links == []
    assert w.children[-2:] == (w.image, w.text) and not any(isinstance(c, widgets.Tab) for c in w.children)
    assert "convlab-frontend" not in w._dom_classes
    assert "convlab-frontend-control" not in w.controls["k"]._dom_classes
    with recording_draws(w) as calls:
        w.controls["k"].value = 3  # one redraw per move, as any kernel-side widget
    assert len(calls) == 1 and w.text.value == "n=5 k=3 a"
    w.controls["n"].value = 3  # 4 frames: front-end again
    assert w.frontend == ("k",) and len(w.frames) == 4 and "convlab-frontend" in w._dom_classes
    assert w.links[0].source == (w.controls["k"], "value")
    assert_frames_are_drawn(w)


def test_budget_counts_bytes_too_and_drops_outer_controls_first():
    w = toy_widget(frontend=("mode", "k"), mode=True, budget=FrameBudget(frames=4))
    assert w.frontend == ("k",)  # 9 frames do not fit; the inner control's 3 do
    assert "convlab-frontend-control" not in w.controls["mode"]._dom_classes
    with recording_draws(w) as calls:
        w.controls["mode"].value = "b"  # kernel-side now: its frames are rendered again
    assert [c["mode"] for c in calls] == ["b"] * 3
    small = bytes(w.image.value)
    w = toy_widget(budget=FrameBudget(bytes=3 * len(small) - 1))
    assert w.frontend == ()


def test_no_valid_output_is_one_kernel_side_message():
    controls = {"n": slider("n", 2, 1, 9), "k": slider("k", 1, 0, 9)}  # no range: k may exceed n
    w = ConvLabWidget(toy_draw, controls, css_class="convlab-toy", figsize=(1, 1), frontend=("k",))
    assert w.frontend == ("k",) and w.frames[(9,)].error == "k must be <= n, got k=9 > n=2"
    assert "No valid output:</b> k must be &lt;= n" in w.frames[(9,)].text.value
    w.controls["k"].value = 9  # a frame that shows the message
    assert w.error == "k must be <= n, got k=9 > n=2" and w.info == {}
    w.controls["n"].value = 3  # the visible frame has no valid output: no frames, one message
    assert w.error == "k must be <= n, got k=9 > n=3" and w.frontend == () and w.info == {}
    w.controls["n"].value = 9
    assert w.error is None and w.frontend == ("k",) and w.info["k"] == 9


def test_a_browser_move_renders_the_visible_frame_and_the_rest_in_the_background():
    async def scenario():
        w = toy_widget()
        with recording_draws(w) as calls:
            browser_move(w.controls["n"], 5)
            assert len(calls) == 1 and calls[0]["n"] == 5 and w.text.value == "n=5 k=1 a"
            assert w.pending == 5  # not drawn yet; handled after this message
            browser_move(w.controls["n"], 6)  # the next move comes first and supersedes the job
            await settle(w)
        assert [c["n"] for c in calls] == [5] + [6] * 7  # n=5's other frames were never drawn
        assert calls[1]["k"] == 1 and sorted(c["k"] for c in calls[1:]) == list(range(7))
        assert [c["k"] for c in calls[2:4]] in ([0, 2], [2, 0])  # nearest to the visible frame first
        assert_frames_are_drawn(w)
        assert w.children[-1].selected_index == 1  # the page moves the tab itself (jslink)

    asyncio.run(scenario())


def test_moving_to_a_frame_not_rendered_yet_renders_it_at_once():
    async def scenario():
        w = toy_widget()
        browser_move(w.controls["n"], 8)
        with recording_draws(w) as calls:
            browser_move(w.controls["k"], 7)
        assert calls == [{"n": 8, "k": 7, "mode": "a"}] or calls == [{"n": 8, "k": 7}]
        assert w.info == {"n": 8, "k": 7, "mode": "a"} and w.text.value == "n=8 k=7 a"
        assert w.frames[(7,)].generation == w._generation
        with recording_draws(w) as calls:
            browser_move(w.controls["k"], 3)
            browser_move(w.controls["k"], 7)  # rendered already: nothing to do
        assert [c["k"] for c in calls] == [3]
        await settle(w)
        assert_frames_are_drawn(w)

    asyncio.run(scenario())


def test_in_a_notebook_cell_the_other_frames_are_rendered_when_the_cell_ends():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.user_ns["w"] = w = toy_widget()
        result = shell.run_cell("w.controls['n'].value = 4\ninside = (w.text.value, w.pending)\n"
                                "w.controls['n'].value = 5")
        result.raise_error()
        assert shell.user_ns["inside"] == ("n=4 k=1 a", 4)  # the visible frame at once
        assert w.pending == 0 and len(w.frames) == 6  # the rest before the cell finished
        assert_frames_are_drawn(w)
    finally:
        InteractiveShell.clear_instance()


def test_front_end_controls_must_index_frames():
    controls = {"n": slider("n", 0, -3, 3), "t": widgets.Text("x")}
    with pytest.raises(ValueError, match=r"frontend control 'n' must count 0, 1, 2, … \(min 0, step 1\)"):
        ConvLabWidget(toy_draw, controls, css_class="convlab-toy", figsize=(1, 1), frontend=("n",))
    with pytest.raises(ValueError, match="frontend control 't' must be an IntSlider or a selection widget"):
        ConvLabWidget(toy_draw, controls, css_class="convlab-toy", figsize=(1, 1), frontend=("t",))
    with pytest.raises(ValueError, match="frontend names a control the widget does not have: 'x'"):
        ConvLabWidget(toy_draw, controls, css_class="convlab-toy", figsize=(1, 1), frontend=("x",))


def test_close_closes_every_frame_tab_and_link():
    w = toy_widget(frontend=("mode", "k"), mode=True)
    owned = [w, *w.links, *(f.image for f in w.frames.values()), w.children[-1], *w.children[-1].children]
    assert all(x.comm is not None for x in owned if hasattr(x, "comm"))
    w.close()
    assert all(getattr(x, "comm", None) is None for x in owned)


def test_ipywidgets_7_api_only():
    # Stack, and traits that ipywidgets 7.7.1 (Colab) lacks, would break the widgets there
    import inspect

    import utils.widgets._base as base

    source = inspect.getsource(base)
    assert "widgets.Stack" not in source and ".titles" not in source


def test_frames_can_be_switched_off_for_executing_notebooks(monkeypatch):
    monkeypatch.setenv("CONVLAB_FRAMES", "off")
    w = toy_widget()
    assert w.frontend == () and list(w.frames) == [()] and w.text.value == "n=2 k=1 a"
    monkeypatch.setenv("CONVLAB_FRAMES", "sometimes")
    with pytest.raises(ValueError, match="CONVLAB_FRAMES must be 'on' or 'off', got 'sometimes'"):
        toy_widget()


def test_background_frames_wait_while_any_widget_is_played_with(monkeypatch):
    import utils.widgets._base as base

    monkeypatch.setattr(base, "QUIET_S", 1.0)  # a wide margin over the pauses below, on any machine

    async def scenario():
        a, b = toy_widget(), toy_widget()
        browser_move(a.controls["n"], 5)
        left = a.pending
        for n in (3, 4, 5, 6, 7):  # a student plays with another widget, a move every 0.2 s
            await asyncio.sleep(0.2)
            browser_move(b.controls["n"], n)
            assert a.pending == left, "frames drawn while the student was moving a control"
        await settle(a)
        await settle(b)
        assert_frames_are_drawn(a)
        assert_frames_are_drawn(b)

    asyncio.run(scenario())
