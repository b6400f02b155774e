"""Find every ConvLab widget factory and move its controls — shared by
tests/test_widget_quality.py and benchmarks/bench_widgets.py (one copy, no drift).

A *factory* is a public function exported by ``utils.widgets`` whose return annotation is
``ConvLabWidget`` (``sliding_window``, ``padding_stride``, ...). Every factory must work
with no arguments: the lesson's default example.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets


def widget_factories() -> dict[str, Callable[..., Any]]:
    """name → factory for every public ConvLab widget factory in ``utils.widgets``."""
    import utils.widgets as W

    found = {}
    for name in W.__all__:
        obj = getattr(W, name)
        if not inspect.isfunction(obj):
            continue
        ret = inspect.signature(obj).return_annotation
        if ret is W.ConvLabWidget or ret == "ConvLabWidget":
            found[name] = obj
    return found


def candidate_values(control: widgets.ValueWidget) -> list[Any]:
    """Every value a student can give ``control`` (a sample of at most 64 for long ranges)."""
    if isinstance(control, (widgets.IntRangeSlider, widgets.FloatRangeSlider)):
        lo, hi = control.min, control.max
        mid = lo + (hi - lo) / 2
        if isinstance(control, widgets.IntRangeSlider):
            mid = int(mid)
        return [(lo, hi), (lo, mid), (mid, hi)]
    if isinstance(control, (widgets.IntSlider, widgets.BoundedIntText, widgets.IntText)) and hasattr(control, "max"):
        step = control.step or 1
        values = list(range(control.min, control.max + 1, step))
    elif isinstance(control, (widgets.FloatSlider, widgets.FloatLogSlider, widgets.BoundedFloatText)):
        n = int(round((control.max - control.min) / control.step)) if control.step else 10
        values = [control.min + i * control.step for i in range(n + 1)]
    elif isinstance(control, widgets.widget_selection._Selection):
        values = [control.options[i] if not isinstance(control.options[i], tuple) else control.options[i][1]
                  for i in range(len(control.options))]
    elif isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        values = [False, True]
    else:
        raise TypeError(f"control {control!r} is of a kind this tool does not know how to move")
    if len(values) > 64:
        idx = sorted({round(i * (len(values) - 1) / 63) for i in range(64)})
        values = [values[i] for i in idx]
    return values


def random_moves(w: Any, n: int, seed: int = 0) -> Iterator[tuple[str, Any]]:
    """``n`` (control name, new value) moves, round-robin over the controls, each to a value
    different from the current one where the control allows it."""
    rng = random.Random(seed)
    names = [name for name, c in w.controls.items() if not getattr(c, "disabled", False)]
    if not names:
        return
    choices = {name: candidate_values(w.controls[name]) for name in names}
    for k in range(n):
        name = names[k % len(names)]
        current = w.controls[name].value
        options = [v for v in choices[name] if v != current] or choices[name]
        yield name, rng.choice(options)


def step_moves(w: Any, n: int) -> Iterator[tuple[str, Any]]:
    """``n`` one-step moves, like a student dragging: each control walks to its next value
    (back to the first after the last), round-robin over the controls."""
    names = [name for name, c in w.controls.items() if not getattr(c, "disabled", False)]
    choices = {name: candidate_values(w.controls[name]) for name in names}
    for k in range(n if names else 0):
        name = names[k % len(names)]
        values, current = choices[name], w.controls[name].value
        i = values.index(current) if current in values else -1
        yield name, values[(i + 1) % len(values)]


def browser_move(control: widgets.ValueWidget, value: Any) -> None:
    """Give ``control`` the value the way a message from the browser does: through ipywidgets'
    ``set_state``, which holds the property lock while observers run (a selection widget's
    message carries the index)."""
    if isinstance(control, widgets.widget_selection._Selection):
        control.set_state({"index": list(control._options_values).index(value)})
    else:
        control.set_state({"value": value})


@contextmanager
def recording_draws(w: Any) -> Iterator[list[dict[str, Any]]]:
    """The values of every ``draw`` call the widget makes inside the block, in order."""
    calls: list[dict[str, Any]] = []
    draw = w._draw
    w._draw = lambda fig, **values: calls.append(values) or draw(fig, **values)
    try:
        yield calls
    finally:
        w._draw = draw


async def settle(w: Any, timeout: float = 120.0) -> None:
    """Let the widget's background job render every stale frame (call inside the running loop)."""
    deadline = time.monotonic() + timeout
    while w.pending:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{w!r} still has {w.pending} frames to render after {timeout} s")
        await asyncio.sleep(0.02)


@contextmanager
def kernel_side() -> Iterator[None]:
    """Widgets built inside draw on every move, with no front-end frames (``CONVLAB_FRAMES=off``):
    for tests of what a widget draws, which is the same in both modes, without rendering every
    frame of every setting."""
    from utils.widgets._base import FRAMES_ENV

    before = os.environ.get(FRAMES_ENV)
    os.environ[FRAMES_ENV] = "off"
    try:
        yield
    finally:
        if before is None:
            del os.environ[FRAMES_ENV]
        else:
            os.environ[FRAMES_ENV] = before
