"""What every ConvLab widget shares: a figure rendered to PNG, a line of
arithmetic, and controls whose changes trigger one redraw.

Drawing is kept apart from wiring: a widget is a pure ``draw(fig, **values)``
function plus the controls that feed it. Figures are ``matplotlib.figure.Figure``
objects, never pyplot figures, so redrawing leaks nothing into pyplot's
registry and works with any notebook backend (JupyterLab, Colab, Binder).

Front-end frames: the controls a widget names in ``frontend=`` are driven by the
browser alone. The picture and arithmetic of each of their values (a *frame*) is
rendered in the kernel ahead of time; the frames sit in an ipywidgets ``Tab`` whose
tab bar and border are hidden by CSS, and ``jslink`` ties each control to its
``Tab``'s ``selected_index``. Moving such a control then needs no kernel at all: it
answers within a browser frame, in a saved notebook and in the offline book too.
(``Tab`` rather than ``Stack``: ``Stack`` does not exist in ipywidgets 7.7.1, which
Colab ships.)
"""

from __future__ import annotations

import asyncio
import html
import io
import itertools
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure
from traitlets import validate

from ..i18n import tr

DrawResult = tuple[str, dict[str, Any]]
DrawFn = Callable[..., DrawResult]
RangeFn = Callable[[dict[str, Any]], "int | None"]
Key = tuple[int, ...]  # a frame's index along each front-end control, outer first

# The tab bar and the panel's border and padding of a frames Tab, hidden: in the page the
# frames look exactly like the one picture of a kernel-driven widget. Class names are the
# same in ipywidgets 7 and 8.
FRAMES_CSS = """<style>
.convlab-frames > .widget-tab-bar { display: none !important; }
.convlab-frames { margin: 0 !important; overflow: visible !important; }
.convlab-frames > .widget-tab-contents {
  border: 0 !important; padding: 0 !important; margin: 0 !important;
  background: transparent !important; overflow: visible !important; }
</style>"""

# "off": every widget redraws on every move, with no front-end frames (e.g. to execute notebooks
# whose saved widget state should stay small)
FRAMES_ENV = "CONVLAB_FRAMES"
QUIET_S = 0.5  # the other frames wait until no widget's controls have moved for this long: moves come first


@dataclass(frozen=True)
class FrameBudget:
    """The most frames, and PNG bytes in all, a widget renders ahead for its front-end controls.

    The bytes are estimated as the visible frame's PNG size × the number of frames
    (frames of one widget differ little in size).
    """

    frames: int = 64
    bytes: int = 1_500_000

    def allows(self, n_frames: int, png_bytes: int) -> bool:
        return n_frames <= self.frames and n_frames * png_bytes <= self.bytes


def frames_on() -> bool:
    """Whether widgets render front-end frames: ``CONVLAB_FRAMES`` is "on" (the default) or "off"."""
    value = os.environ.get(FRAMES_ENV, "on")
    if value not in ("on", "off"):
        raise ValueError(f"{FRAMES_ENV} must be 'on' or 'off', got {value!r}")
    return value == "on"


def figure_png(fig: Figure, dpi: int = 80) -> bytes:
    """Render ``fig`` to PNG bytes (the Agg canvas; no display needed)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def no_valid_output(message: str) -> str:
    """The line shown instead of the arithmetic when the settings have no valid output."""
    return (f"<b style='color:#b00'>{tr('No valid output:', '没有有效输出：')}</b> "
            f"{html.escape(message, quote=False)}")


def draw_or_explain(draw: DrawFn, fig: Figure, values: dict[str, Any]) -> tuple[str, dict[str, Any], str | None]:
    """``draw`` into the cleared ``fig``: (html, info, None), or, when the values have no valid
    output (a ``ValueError``), the message in the figure and in the html: (html, {}, message)."""
    fig.clear()
    try:
        text, info = draw(fig, **values)
        return text, info, None
    except ValueError as exc:
        fig.clear()
        fig.text(0.5, 0.5, "no valid output", ha="center", va="center", fontsize=14)
        return no_valid_output(str(exc)), {}, str(exc)


class Frame:
    """The picture (``image``) and arithmetic (``text``) for one value of the front-end controls.

    ``info``/``error`` are what its draw reported; ``generation`` numbers the setting of the
    kernel-side controls it was drawn for (an older one: it is drawn again soon).
    """

    def __init__(self, layouts: dict[str, Any]) -> None:
        self.image = widgets.Image(format="png", layout=layouts["image"])
        self.text = widgets.HTML(layout=layouts["text"], style=layouts["text_style"])
        self._layouts = layouts
        self._box: widgets.VBox | None = None
        self.info: dict[str, Any] = {}
        self.error: str | None = None
        self.generation = -1

    @property
    def box(self) -> widgets.VBox:
        """Picture over text, a page of a frames Tab (made when first needed: a kernel-side widget
        shows its one frame's picture and text directly, and saves no more models than that)."""
        if self._box is None:
            self._box = widgets.VBox([self.image, self.text], layout=self._layouts["box"]())
        return self._box

    def close(self) -> None:
        for w in (self._box, self.image, self.text):
            if w is not None:
                w.close()


class FrameTab(widgets.Tab):
    """The Tab that holds frames. A page can still send a tab's selected page from before it
    learned that the tab has fewer pages (a move of another control shrank it): that selects the
    last page, where ipywidgets would raise a TraitError from a message no student can fix."""

    @validate("selected_index")
    def _validated_index(self, proposal: Any) -> int | None:
        if proposal.value is None or not self.children:
            return None
        return min(max(proposal.value, 0), len(self.children) - 1)


class ConvLabWidget(widgets.VBox):
    """Controls on top, the drawing, then the arithmetic as HTML.

    ``draw(fig, **values)`` receives the current value of every control and
    returns ``(html, info)``: the text shown under the figure and a small dict
    describing what was drawn (for tests and curious students). A ``ValueError``
    from ``draw`` is shown as a message instead of a traceback.

    ``ranges`` is the one way a slider's range follows other controls: it maps
    the slider's name to ``(count, linked)``, where ``count(values)`` gives how
    many positions the slider should offer for the current values (None when
    the settings are invalid) and ``linked`` are widgets (a Play button) whose
    ``max`` follows it. When a control changes, every range is updated
    (clamping values) *before* the frames are rendered: one move of any control,
    one render of each frame it changes.

    ``frontend`` names the controls the browser may drive alone (outer first; an
    IntSlider starting at 0, or a selection widget). The frames of all their
    values are rendered when the widget is built and whenever a kernel-side control
    changes: the visible one first, the others after it (when the browser moved the
    control: one per turn of the kernel's event loop, once the controls have been still
    for ``QUIET_S``, so that moves are never held up by more than one frame; when Python
    code did: before the code's cell ends, so a saved notebook holds every frame).
    ``budget`` (default ``FrameBudget()``; no frames at all when ``CONVLAB_FRAMES=off``)
    decides at each of those rebuilds: when all front-end controls' frames do not fit, the outer ones become
    kernel-side, then all of them (the widget then redraws on every move, as a widget
    without ``frontend`` does).

    Attributes useful in tests: ``controls`` (name → widget), ``figure`` (the
    visible frame, drawn), ``image`` and ``text`` (the visible frame's PNG and
    HTML widgets), ``info`` (what its draw reported), ``error``, ``frontend``
    (the controls the browser drives now), ``frames`` (key → ``Frame``),
    ``links`` (the jslinks) and ``pending`` (frames still to re-render).
    """

    # when the browser last moved a kernel-side control of any ConvLab widget: one student, one
    # kernel, so every widget's background frames wait while any widget is being played with
    last_move = 0.0

    def __init__(
        self,
        draw: DrawFn,
        controls: Mapping[str, widgets.ValueWidget],
        *,
        css_class: str,
        figsize: tuple[float, float],
        extra: list[widgets.Widget] | None = None,
        ranges: Mapping[str, tuple[RangeFn, list[widgets.Widget]]] | None = None,
        dpi: int = 80,
        frontend: Sequence[str] = (),
        budget: FrameBudget | None = None,
    ) -> None:
        self.controls = dict(controls)
        self._ranges = dict(ranges or {})
        self._frontend_wanted = _check_frontend(tuple(frontend), self.controls)
        self.budget = budget or (FrameBudget() if frames_on() else FrameBudget(frames=0))
        self._updating = False
        # ipykernel 7 may handle widget messages on a subshell thread as well as the main one: one
        # change at a time (reentrant: a range update notifies from inside a change)
        self._lock = threading.RLock()
        self._figure = Figure(figsize=figsize)
        self._figure_shows: tuple[int, Key] | None = None
        self._draw = draw
        self._dpi = dpi
        self._css_class = css_class
        # One Layout (and one text style) shared by every frame: a frame costs three models, not six.
        self._layouts = {
            # natural width (a flex column would stretch it blurry), shrink to fit
            "image": widgets.Layout(max_width="100%", align_self="flex-start"),
            "text": widgets.Layout(),
            "text_style": widgets.HTML.class_traits()["style"].klass(),
            "box": _shared(widgets.Layout),  # made when a frames Tab first needs them
            "tab": _shared(widgets.Layout),
        }
        # the frames of each inner Tab, by the outer indices (() for a single Tab, or the one picture of a
        # kernel-side widget): a Tab keeps its first pages when its length changes, and the page shows
        # the same frame for the same value, so the page redraws no more than it must
        self._pools: dict[Key, list[Frame]] = {(): [Frame(self._layouts)]}
        self._css = _shared(lambda: widgets.HTML(FRAMES_CSS, layout=widgets.Layout(display="none")))
        self._head: list[widgets.Widget] = [widgets.HBox(extra)] if extra else []
        self._head += list(self.controls.values())
        self.frontend: tuple[str, ...] = ()
        self._counts: tuple[int, ...] = ()
        self.frames: dict[Key, Frame] = {(): self._frame_for(())}
        self._tabs: dict[Key, FrameTab] = {}
        self._links: dict[Key, widgets.Link] = {}
        self._spare_tabs: list[FrameTab] = []
        self._generation = 0
        self._job: asyncio.Handle | None = None
        self._at_cell_end = False
        self.info: dict[str, Any] = {}
        self.error: str | None = None
        super().__init__(children=[*self._head, self.frames[()].image, self.frames[()].text])
        self.add_class("convlab-widget")
        self.add_class(css_class)
        self._update_ranges()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.redraw()

    # ------------------------------------------------------------------ what tests read
    @property
    def image(self) -> widgets.Image:
        return self.frames[self._visible_key()].image

    @property
    def text(self) -> widgets.HTML:
        return self.frames[self._visible_key()].text

    @property
    def figure(self) -> Figure:
        """The visible frame, drawn (again, only when another frame was drawn since)."""
        with self._lock:
            wanted = (self._generation, self._visible_key())
            if self._figure_shows != wanted:
                self._draw_into_figure(self.values())
                self._figure_shows = wanted
            return self._figure

    @property
    def pending(self) -> int:
        """Frames that still show an older setting of the kernel-side controls."""
        return sum(f.generation != self._generation for f in self.frames.values())

    def values(self) -> dict[str, Any]:
        return {name: control.value for name, control in self.controls.items()}

    def __repr__(self) -> str:  # stable text/plain in saved notebooks
        return f"ConvLabWidget({self._css_class})"

    # ------------------------------------------------------------------ rendering
    def redraw(self) -> None:
        """Render every frame for the current values now (the visible one first)."""
        with self._lock:
            self._rebuild(background=False)

    def _draw_into_figure(self, values: dict[str, Any]) -> tuple[str, dict[str, Any], str | None]:
        return draw_or_explain(self._draw, self._figure, values)

    def values_at(self, key: Key) -> dict[str, Any]:
        """The values frame ``key`` shows: the front-end controls at those indices, the others as they are."""
        values = self.values()
        for name, index in zip(self.frontend, key, strict=True):
            values[name] = _value_at(self.controls[name], index)
        return values

    def _frame_for(self, key: Key) -> Frame:
        """The frame that shows ``key``: page ``key[-1]`` of the Tab ``key[:-1]`` (made when new)."""
        pool = self._pools.setdefault(key[:-1], [])
        while len(pool) <= (key[-1] if key else 0):
            pool.append(Frame(self._layouts))
        return pool[key[-1] if key else 0]

    def _render(self, key: Key) -> Frame:
        """Draw the frame ``key`` for the current kernel-side values and send it."""
        text, info, error = self._draw_into_figure(self.values_at(key))
        return self._store(key, figure_png(self._figure, self._dpi), text, info, error)

    def _store(self, key: Key, png: bytes, text: str, info: dict[str, Any], error: str | None) -> Frame:
        """Send what the figure now shows (drawn for ``key``, this generation) as frame ``key``."""
        frame = self._frame_for(key)
        frame.image.value, frame.text.value = png, text
        frame.info, frame.error, frame.generation = info, error, self._generation
        self._figure_shows = (self._generation, key)
        return frame

    def _show(self, frame: Frame) -> None:
        self.info, self.error = frame.info, frame.error

    # ------------------------------------------------------------------ control changes
    def _on_change(self, change: dict) -> None:
        with self._lock:
            self._change(change)

    def _change(self, change: dict) -> None:
        if self._updating:  # a range update clamped a value: the render below covers it
            return
        if change["old"] == change["new"]:  # a browser value out of range, clamped back: nothing moved
            return
        # ipywidgets holds a property lock while it applies a message from the browser
        from_browser = bool(change["owner"]._property_lock)
        self._updating = True
        try:
            self._update_ranges()
        finally:
            self._updating = False
        counts = tuple(_count(self.controls[name]) for name in self.frontend)
        name = next(n for n, c in self.controls.items() if c is change["owner"])
        if name in self.frontend and counts == self._counts:
            self._move_frontend(from_browser)
            return
        if from_browser:
            ConvLabWidget.last_move = time.monotonic()
        self._rebuild(background=from_browser)

    def _move_frontend(self, from_browser: bool) -> None:
        """The browser shows the frame already; the kernel only catches up."""
        key = self._visible_key()
        frame = self.frames[key]
        if frame.generation != self._generation:  # not re-rendered yet: do it now
            frame = self._render(key)
        if not from_browser:  # Python moved it: the saved state's tabs must show it too
            self._select_tabs(key)
        self._show(frame)

    def _rebuild(self, background: bool) -> None:
        """Kernel-side values changed (or the widget is new): decide the mode, render the
        visible frame and send it, then the others."""
        self._generation += 1
        self._cancel_job()
        values = self.values()
        text, info, error = self._draw_into_figure(values)
        png = figure_png(self._figure, self._dpi)
        names: tuple[str, ...] = ()
        if error is None:
            for start in range(len(self._frontend_wanted)):
                candidate = self._frontend_wanted[start:]
                if self.budget.allows(math.prod(_count(self.controls[n]) for n in candidate), len(png)):
                    names = candidate
                    break
        # the picture before the layout: the page usually shows this very frame already
        frame = self._store(tuple(_index(self.controls[n]) for n in names), png, text, info, error)
        self._arrange(names)
        self._show(frame)
        if self.pending:
            self._render_rest(background)

    def _render_rest(self, background: bool) -> None:
        if background:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
            if loop is not None:
                self._schedule(loop, self._generation)
                return
        shell = _running_cell_shell()
        if shell is not None:  # inside a notebook cell: once the cell's code is done, before it ends
            if not self._at_cell_end:
                self._at_cell_end = True
                shell.events.register("post_execute", self._finish_at_cell_end)
            return
        for key in self._stale_keys():
            self._render(key)

    def _finish_at_cell_end(self) -> None:
        shell = _running_cell_shell(any_time=True)
        if shell is not None:
            shell.events.unregister("post_execute", self._finish_at_cell_end)
        with self._lock:
            self._at_cell_end = False
            for key in self._stale_keys():
                self._render(key)

    def _stale_keys(self) -> list[Key]:
        """Frames to re-render, nearest to the visible one first (the next ones a student reaches)."""
        here = self._visible_key()
        stale = [k for k, f in self.frames.items() if f.generation != self._generation]
        return sorted(stale, key=lambda k: sum(abs(a - b) for a, b in zip(k, here, strict=True)))

    def _schedule(self, loop: asyncio.AbstractEventLoop, generation: int) -> None:
        """Render the stale frames one per turn of the kernel's event loop, once the controls
        have been still for ``QUIET_S``, so that a newer message (another move) is handled
        between them; a newer rebuild stops this one."""

        def step() -> None:
            with self._lock:
                self._job = None
                if generation != self._generation:
                    return
                quiet = time.monotonic() - ConvLabWidget.last_move
                if quiet < QUIET_S:  # another widget is being played with: later
                    self._job = loop.call_later(QUIET_S - quiet, step)
                    return
                stale = self._stale_keys()
                if stale:
                    self._render(stale[0])
                if len(stale) > 1:
                    self._job = loop.call_soon(step)

        self._job = loop.call_later(QUIET_S, step)

    def _cancel_job(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None

    # ------------------------------------------------------------------ structure
    def _arrange(self, names: tuple[str, ...]) -> None:
        """Lay out the frames for the front-end controls ``names`` (none: one picture, as a
        widget without front-end controls has). Frames and tabs are reused, never closed while the
        widget lives: a page may still send a message to a tab it showed a moment ago."""
        counts = tuple(_count(self.controls[n]) for n in names)
        if (names, counts) == (self.frontend, self._counts):
            return
        if names != self.frontend:
            self._spare_tabs += self._tabs.values()
            for link in self._links.values():
                link.unlink()
            self._tabs, self._links = {}, {}
        keys = list(itertools.product(*(range(c) for c in counts)))
        self.frames = {key: self._frame_for(key) for key in keys}
        self.frontend, self._counts = names, counts
        for name, control in self.controls.items():
            if name in names:
                control.add_class("convlab-frontend-control")
            else:
                control.remove_class("convlab-frontend-control")
        used: set[Key] = set()
        if names:
            top = self._tab((), used)
            self.add_class("convlab-frontend")
            self.children = [*self._head, self._css(), top]
        else:
            self.remove_class("convlab-frontend")
            self.children = [*self._head, self.frames[()].image, self.frames[()].text]
        for prefix in [p for p in self._tabs if p not in used]:  # inner tabs of outer values gone
            self._links.pop(prefix).unlink()
            self._spare_tabs.append(self._tabs.pop(prefix))

    def _tab(self, prefix: Key, used: set[Key]) -> FrameTab:
        """The Tab of the frames whose first indices are ``prefix``, linked to its control."""
        used.add(prefix)
        level = len(prefix)
        name = self.frontend[level]
        if level + 1 == len(self.frontend):
            children = [self.frames[(*prefix, i)].box for i in range(self._counts[level])]
        else:
            children = [self._tab((*prefix, i), used) for i in range(self._counts[level])]
        index = min(_index(self.controls[name]), len(children) - 1)
        tab = self._tabs.get(prefix)
        if tab is None and not self._spare_tabs:
            tab = FrameTab(children=children, selected_index=index, layout=self._layouts["tab"]())
            tab.add_class("convlab-frames")
        else:
            tab = tab or self._spare_tabs.pop()
            with tab.hold_sync():  # one message: the new pages and the page to show
                tab.children = children
                tab.selected_index = index
        if prefix not in self._links:
            trait = "value" if isinstance(self.controls[name], widgets.IntSlider) else "index"
            self._links[prefix] = widgets.jslink((self.controls[name], trait), (tab, "selected_index"))
        self._tabs[prefix] = tab
        return tab

    @property
    def links(self) -> list[widgets.Link]:
        """The jslinks from the front-end controls to the frames' tabs, outer first."""
        return [self._links[p] for p in sorted(self._links, key=lambda p: (len(p), p))]

    def _select_tabs(self, key: Key) -> None:
        for level in range(len(key)):
            self._tabs[key[:level]].selected_index = key[level]

    def _visible_key(self) -> Key:
        return tuple(_index(self.controls[name]) for name in self.frontend)

    def _update_ranges(self) -> None:
        values = self.values()
        for name, (count, linked) in self._ranges.items():
            n = count(values)
            if n is not None:
                for widget in (*linked, self.controls[name]):
                    widget.max = max(n - 1, 0)

    def close(self) -> None:
        """Close the widget and every frame, tab and link it made."""
        if not hasattr(self, "_pools"):  # __init__ failed early (ipywidgets calls close() from __del__)
            return super().close()
        with self._lock:
            self._close()

    def _close(self) -> None:
        self._cancel_job()
        for link in self._links.values():
            link.unlink()
        for tab in [*self._tabs.values(), *self._spare_tabs]:
            tab.close()
        for frame in (f for pool in self._pools.values() for f in pool):
            frame.close()
        for css in self._css.made:
            css.close()
        super().close()


# ---------------------------------------------------------------------- helpers
def _shared(make: Callable[[], Any]) -> Any:
    """``make()`` on the first call; the same object on every later one (``.made``: [] or [it])."""
    made: list[Any] = []

    def get() -> Any:
        if not made:
            made.append(make())
        return made[0]

    get.made = made
    return get


def _check_frontend(names: tuple[str, ...], controls: dict[str, widgets.ValueWidget]) -> tuple[str, ...]:
    for name in names:
        if name not in controls:
            raise ValueError(f"frontend names a control the widget does not have: {name!r}; "
                             f"controls are {sorted(controls)}")
        control = controls[name]
        if isinstance(control, widgets.IntSlider):
            if control.min != 0 or control.step != 1:
                raise ValueError(f"frontend control {name!r} must count 0, 1, 2, … (min 0, step 1) to "
                                 f"select a frame, got min {control.min}, step {control.step}")
        elif not isinstance(control, widgets.widget_selection._Selection):
            raise ValueError(f"frontend control {name!r} must be an IntSlider or a selection widget, "
                             f"got {type(control).__name__}")
    if len(set(names)) != len(names):
        raise ValueError(f"frontend names a control twice: {names}")
    return names


def _count(control: widgets.ValueWidget) -> int:
    if isinstance(control, widgets.IntSlider):
        return control.max - control.min + 1
    return len(control._options_values)


def _index(control: widgets.ValueWidget) -> int:
    if isinstance(control, widgets.IntSlider):
        return control.value - control.min
    return control.index


def _value_at(control: widgets.ValueWidget, index: int) -> Any:
    if isinstance(control, widgets.IntSlider):
        return control.min + index
    return control._options_values[index]


def _running_cell_shell(any_time: bool = False) -> Any:
    """The IPython shell while it runs a cell's code (None elsewhere: a script, a widget callback)."""
    if "IPython" not in sys.modules:
        return None
    shell = sys.modules["IPython"].get_ipython()
    if shell is None:
        return None
    return shell if any_time or getattr(shell.displayhook, "exec_result", None) is not None else None


def fmt(value: float | tuple[int, int]) -> str:
    """A number or an (h, w) pair as a student would write it: 19, -1, 0.25, −∞ (max
    pooling's padding); a pair (3, 3) as 3, the way ``nn.Conv2d`` accepts it, and (3, 5) as (3, 5)."""
    if isinstance(value, tuple):
        return fmt(value[0]) if value[0] == value[1] else f"({fmt(value[0])}, {fmt(value[1])})"
    value = float(value)
    if value in (float("inf"), float("-inf")):
        return "∞" if value > 0 else "−∞"
    if value.is_integer():
        return str(int(value))
    return f"{value:.2f}"



def slider(description: str, value: int, lo: int, hi: int, **kw: Any) -> widgets.IntSlider:
    return widgets.IntSlider(
        value=value, min=lo, max=hi, description=description,
        continuous_update=True, style={"description_width": "initial"}, **kw,
    )
