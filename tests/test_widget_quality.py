"""Every ConvLab widget survives a student hammering its controls.

Each public widget factory in ``utils.widgets`` (found automatically: a function whose
return annotation is ``ConvLabWidget``) is built with its defaults and given 100 rapid
control moves. Required: no exception (an invalid combination may show "No valid output",
never a traceback), every redraw a PNG, exactly one redraw per move that changes a value
(also when it clamps another slider's range), no growth in open pyplot figures nor in live
matplotlib Figure objects, the same number of axes as at the start, and — back at the
starting values — exactly the starting picture and text (no state piles up between redraws).
This is the one no-leaked-figures test: it runs for every widget.
The redraw-speed target (≤ 100 ms) is measured by ``make bench`` (benchmarks/bench_widgets.py).
"""

from __future__ import annotations

import gc
import zlib

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from tools.widget_moves import candidate_values, random_moves, widget_factories
from utils.widgets import ConvLabWidget

FACTORIES = widget_factories()
PNG = b"\x89PNG\r\n\x1a\n"


def live_figures() -> int:
    gc.collect()
    return sum(issubclass(type(o), Figure) for o in gc.get_objects())  # type(): no lazy-attribute warnings


def test_factories_are_found():
    # the chapter-02 widget is the model every other chapter follows; it must be discovered
    assert "sliding_window" in FACTORIES
    assert len(FACTORIES) >= 1


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_factory_builds_a_convlab_widget_with_defaults(name):
    w = FACTORIES[name]()
    assert isinstance(w, ConvLabWidget)
    assert "convlab-widget" in w._dom_classes
    own = [c for c in w._dom_classes if c.startswith("convlab-") and c != "convlab-widget"]
    assert len(own) == 1, f"{name} needs exactly one css class convlab-<name>, has {own}"
    assert w.controls, f"{name} has no controls to move"
    assert w.error is None, f"{name}'s default example shows no valid output: {w.error}"
    assert bytes(w.image.value).startswith(PNG)
    for control in w.controls.values():
        assert len(candidate_values(control)) >= 2


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_survives_100_rapid_moves_without_errors_or_leaks(name):
    plt.close("all")
    w = FACTORIES[name]()
    start_values = w.values()
    start_png, start_text, start_axes = bytes(w.image.value), w.text.value, len(w.figure.axes)
    fignums, figures = plt.get_fignums(), live_figures()

    redraws = []
    draw = w._draw
    w._draw = lambda fig, **values: redraws.append(values) or draw(fig, **values)
    pictures = set()
    for control, value in random_moves(w, 100, seed=zlib.crc32(name.encode())):
        before, n = w.values(), len(redraws)
        w.controls[control].value = value  # redraws synchronously; an exception fails the test
        changed = w.values() != before
        assert len(redraws) - n == changed, f"{control}={value!r} caused {len(redraws) - n} redraws"
        assert not changed or redraws[-1] == w.values(), "the redraw saw values the controls no longer hold"
        assert bytes(w.image.value).startswith(PNG), f"{control}={value!r} drew no PNG"
        assert w.text.value, f"{control}={value!r} left the text empty"
        pictures.add(bytes(w.image.value))
    assert len(pictures) > 1, "100 moves and the picture never changed"
    assert plt.get_fignums() == fignums, "redraws opened pyplot figures"
    assert live_figures() <= figures, "redraws left matplotlib Figure objects alive"

    for control, value in start_values.items():
        w.controls[control].value = value
    assert w.values() == start_values
    assert w.error is None
    assert len(w.figure.axes) == start_axes, "axes pile up between redraws"
    assert w.text.value == start_text
    assert bytes(w.image.value) == start_png, "the same values no longer draw the same picture"
