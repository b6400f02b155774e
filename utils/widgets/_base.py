"""What every ConvLab widget shares: a figure rendered to PNG, a line of
arithmetic, and controls whose changes trigger one redraw.

Drawing is kept apart from wiring: a widget is a pure ``draw(fig, **values)``
function plus the controls that feed it. Figures are ``matplotlib.figure.Figure``
objects, never pyplot figures, so redrawing leaks nothing into pyplot's
registry and works with any notebook backend (JupyterLab, Colab, Binder).
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

DrawResult = tuple[str, dict[str, Any]]
DrawFn = Callable[..., DrawResult]
RangeFn = Callable[[dict[str, Any]], "int | None"]


def figure_png(fig: Figure, dpi: int = 80) -> bytes:
    """Render ``fig`` to PNG bytes (the Agg canvas; no display needed)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


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
    (clamping values) *before* the one redraw that the change causes: one move
    of any control, one redraw.

    Attributes useful in tests: ``controls`` (name → widget), ``figure``,
    ``image`` (its ``value`` is the PNG shown), ``text`` (``value`` is the
    HTML), ``info`` (what the last draw reported) and ``error``.
    """

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
    ) -> None:
        self.controls = dict(controls)
        self._ranges = dict(ranges or {})
        self._updating = False
        self.figure = Figure(figsize=figsize)
        self.image = widgets.Image(  # natural width (a flex column would stretch it blurry), shrink to fit
            format="png", layout=widgets.Layout(max_width="100%", align_self="flex-start"))
        self.text = widgets.HTML()
        self.info: dict[str, Any] = {}
        self.error: str | None = None
        self._draw = draw
        self._dpi = dpi
        rows = [widgets.HBox(extra or [])] if extra else []
        super().__init__(children=[*rows, *self.controls.values(), self.image, self.text])
        self.add_class("convlab-widget")
        self.add_class(css_class)
        self._update_ranges()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.redraw()

    def values(self) -> dict[str, Any]:
        return {name: control.value for name, control in self.controls.items()}

    def redraw(self) -> None:
        self.figure.clear()
        try:
            text, self.info = self._draw(self.figure, **self.values())
            self.error = None
        except ValueError as exc:
            self.figure.clear()
            self.figure.text(0.5, 0.5, "no valid output", ha="center", va="center", fontsize=14)
            self.info, self.error = {}, str(exc)
            text = f"<b style='color:#b00'>No valid output:</b> {html.escape(str(exc), quote=False)}"
        self.image.value = figure_png(self.figure, self._dpi)
        self.text.value = text

    def _on_change(self, _change: dict) -> None:
        if self._updating:  # a range update clamped a value: the redraw below covers it
            return
        self._updating = True
        try:
            self._update_ranges()
        finally:
            self._updating = False
        self.redraw()

    def _update_ranges(self) -> None:
        values = self.values()
        for name, (count, linked) in self._ranges.items():
            n = count(values)
            if n is not None:
                for widget in (*linked, self.controls[name]):
                    widget.max = max(n - 1, 0)

    def __repr__(self) -> str:  # stable text/plain in saved notebooks
        classes = [c for c in self._dom_classes if c != "convlab-widget"]
        return f"ConvLabWidget({', '.join(classes)})"


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
