"""Every ConvLab widget survives a student hammering its controls.

Each public widget factory in ``utils.widgets`` (found automatically: a function whose
return annotation is ``ConvLabWidget``) is built with its defaults and given 100 rapid
control moves, the way the browser sends them (ipywidgets' ``set_state``, on a running
event loop, as in a kernel). Required: no exception (an invalid combination may show "No
valid output", never a traceback), every picture a PNG, the visible frame drawn at once for
the values the controls hold (also when a move clamps another slider's range), no frame drawn
twice for the same settings, every frame current once the loop has had time, no growth in
open pyplot figures nor in live matplotlib Figure objects, the same number of axes as at
the start, and — back at the starting values — exactly the starting picture and text (no
state piles up between redraws). A widget's front-end frames must be exactly what its pure
``draw`` gives for each value, and moves made from Python must leave every frame current.
This is the one no-leaked-figures test: it runs for every widget.
The redraw-speed target (≤ 100 ms) is measured by ``make bench`` (benchmarks/bench_widgets.py).
"""

from __future__ import annotations

import asyncio
import gc
import zlib

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from tools.widget_moves import (
    browser_move,
    candidate_values,
    random_moves,
    recording_draws,
    settle,
    widget_factories,
)
from utils.widgets import ConvLabWidget, figure_png
from utils.widgets._base import QUIET_S, draw_or_explain

FACTORIES = widget_factories()
PNG = b"\x89PNG\r\n\x1a\n"
CONTRACT_CLASSES = {"convlab-widget", "convlab-frontend"}  # shared by every widget; the book reads them


def live_figures() -> int:
    gc.collect()
    return sum(issubclass(type(o), Figure) for o in gc.get_objects())  # type(): no lazy-attribute warnings


def drawn(w: ConvLabWidget, key: tuple[int, ...]) -> tuple[bytes, str]:
    """What the widget's pure ``draw`` gives for frame ``key`` in a fresh figure: (PNG, HTML)."""
    fig = Figure(figsize=w.figure.get_size_inches())
    text, _info, _error = draw_or_explain(w._draw, fig, w.values_at(key))
    return figure_png(fig, w._dpi), text


def test_factories_are_found():
    # the chapter-02 widget is the model every other chapter follows; it must be discovered
    assert "sliding_window" in FACTORIES
    assert len(FACTORIES) >= 1


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_factory_builds_a_convlab_widget_with_its_frames(name):
    w = FACTORIES[name]()
    assert isinstance(w, ConvLabWidget)
    assert "convlab-widget" in w._dom_classes
    own = [c for c in w._dom_classes if c.startswith("convlab-") and c not in CONTRACT_CLASSES]
    assert len(own) == 1, f"{name} needs exactly one css class convlab-<name>, has {own}"
    assert repr(w) == f"ConvLabWidget({own[0]})"
    assert w.controls, f"{name} has no controls to move"
    assert w.error is None, f"{name}'s default example shows no valid output: {w.error}"
    assert bytes(w.image.value).startswith(PNG)
    for control in w.controls.values():
        assert len(candidate_values(control)) >= 2
    # its front-end frames, every one drawn, are exactly what its pure draw gives
    assert w.pending == 0, "a widget built from Python must have every frame drawn"
    assert ("convlab-frontend" in w._dom_classes) == bool(w.frontend)
    for key, frame in w.frames.items():
        assert (bytes(frame.image.value), frame.text.value) == drawn(w, key), f"frame {key}"
    for name_, control in w.controls.items():
        assert ("convlab-frontend-control" in control._dom_classes) == (name_ in w.frontend)
    assert [link.source[0] for link in w.links][:1] == [w.controls[n] for n in w.frontend][:1]


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_survives_100_rapid_moves_without_errors_or_leaks(name):
    asyncio.run(_hammer(name))


async def _hammer(name: str) -> None:
    plt.close("all")
    w = FACTORIES[name]()
    start_values = w.values()
    start_png, start_text, start_axes = bytes(w.image.value), w.text.value, len(w.figure.axes)
    fignums, figures = plt.get_fignums(), live_figures()

    seen: list[tuple[int, tuple]] = []  # (settings generation, values) of every frame drawn
    pictures = set()
    with recording_draws(w) as redraws:
        for k, (control, value) in enumerate(random_moves(w, 100, seed=zlib.crc32(name.encode()))):
            before, n = w.values(), len(redraws)
            browser_move(w.controls[control], value)  # draws the visible frame now; an exception fails
            changed = w.values() != before
            assert len(redraws) - n <= changed, f"{control}={value!r} caused {len(redraws) - n} redraws"
            frame = w.frames[w._visible_key()]
            assert frame.generation == w._generation, f"{control}={value!r}: the visible frame is stale"
            assert w.info is frame.info and w.text is frame.text
            assert bytes(w.image.value).startswith(PNG), f"{control}={value!r} drew no PNG"
            assert w.text.value, f"{control}={value!r} left the text empty"
            pictures.add(bytes(w.image.value))
            if k % 50 == 49:  # now and then a pause: the background job draws a frame or two
                await asyncio.sleep(QUIET_S + 0.05)
            seen += [(w._generation, tuple(map(repr, v.values()))) for v in redraws[len(seen):]]
        for control, value in start_values.items():
            browser_move(w.controls[control], value)
        await settle(w)
        seen += [(w._generation, tuple(map(repr, v.values()))) for v in redraws[len(seen):]]
    assert len(pictures) > 1, "100 moves and the picture never changed"
    repeated = {s for s in seen if seen.count(s) > 1}
    assert not repeated, f"frames drawn twice for the same settings: {sorted(repeated)[:3]}"
    assert w.pending == 0
    assert plt.get_fignums() == fignums, "redraws opened pyplot figures"
    assert live_figures() <= figures, "redraws left matplotlib Figure objects alive"

    assert w.values() == start_values
    assert w.error is None
    assert len(w.figure.axes) == start_axes, "axes pile up between redraws"
    assert w.text.value == start_text
    assert bytes(w.image.value) == start_png, "the same values no longer draw the same picture"


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_moves_from_python_leave_every_frame_current(name):
    w = FACTORIES[name]()
    kernel = [n for n, c in w.controls.items() if n not in w.frontend and not c.disabled]
    front = [n for n in w.frontend if not w.controls[n].disabled]
    for control in kernel[:1] + front[:1]:  # one move of each kind is enough: the frames are all checked
        values = [v for v in candidate_values(w.controls[control]) if v != w.controls[control].value]
        with recording_draws(w) as calls:
            w.controls[control].value = values[len(values) // 2]
        assert w.pending == 0, f"{control} left frames stale"
        if control in w.frontend:
            assert calls == [], f"moving {control} drew a frame that was drawn already"
        else:
            assert calls[0] == w.values() and len(calls) == len(w.frames), f"{control}: one draw per frame"
        frame = w.frames[w._visible_key()]
        assert w.info is frame.info and w.text is frame.text and w.error == frame.error
        key = w._visible_key()
        for level in range(len(w.frontend)):  # the saved state shows the frame too
            assert w._tabs[key[:level]].selected_index == key[level]
