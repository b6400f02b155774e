"""Chapter 02: the sliding window of 2-D cross-correlation (互相关)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from .._checks import IntOrPair, Pair, as_pair, check_index, check_tensor, common_dtype
from ..conv import corr2d
from ._base import ConvLabWidget, DrawResult, fmt, slider
from ._draw import CELL_COLOR, WINDOW_COLOR, draw_grid, fit_grid, outline, outline_cells

MAX_TERMS = 12


@dataclass(frozen=True)
class Window:
    """What the picture shows for one output cell; ``taps`` index the padded input ``P``."""

    P: torch.Tensor  # (H + 2p_h, W + 2p_w)
    K: torch.Tensor  # (k_h, k_w)
    Y: torch.Tensor  # (H', W')
    x_shape: Pair
    padding: Pair
    dilation: Pair
    cell: Pair
    taps: list[Pair]  # the padded-input cell under each kernel entry, row by row
    value: float
    arithmetic: str

    def info(self) -> dict[str, Any]:
        rows, cols = [r for r, _ in self.taps], [c for _, c in self.taps]
        return {"cell": self.cell,
                "window": (min(rows), min(cols), max(rows) - min(rows) + 1, max(cols) - min(cols) + 1),
                "taps": self.taps, "value": self.value, "output_shape": tuple(self.Y.shape),
                "arithmetic": self.arithmetic}


def window_at(X: torch.Tensor, K: torch.Tensor, position: int, *, padding: IntOrPair = 0,
              stride: IntOrPair = 1, dilation: IntOrPair = 1) -> Window:
    """The numbers behind output cell ``position`` (counted row by row). X: (H, W), K: (k_h, k_w)."""
    Y = corr2d(X, K, padding=padding, stride=stride, dilation=dilation).detach()  # validates everything
    X, K = common_dtype(check_tensor(X, "X", (2,), "(H, W)"), check_tensor(K, "K", (2,), "(k_h, k_w)"))
    X, K = X.detach(), K.detach()
    i, j = divmod(check_index(position, "position", Y.numel()), Y.shape[1])
    P, taps = _window_taps(X, K, i, j, padding, stride, dilation)
    text, value = _sum_text(P, K, taps)
    return Window(P, K, Y, tuple(X.shape), as_pair(padding, "padding", minimum=0),
                  as_pair(dilation, "dilation", minimum=1), (i, j), [rc for _, rc in taps], value, text)


def window_arithmetic(
    X: torch.Tensor,
    K: torch.Tensor,
    i: int,
    j: int,
    *,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
    dilation: IntOrPair = 1,
) -> tuple[str, float]:
    """The sum behind output ``Y[i, j]`` written out, e.g. ``0×0 + 1×1 + 3×2 + 4×3 = 19``.

    X: (H, W), K: (k_h, k_w). Returns the text and the value. Long sums are
    shortened with "…" but the value is always the full sum.
    """
    K = check_tensor(K, "K", (2,), "(k_h, k_w)")
    P, taps = _window_taps(X, K, i, j, padding, stride, dilation)
    return _sum_text(P, K, taps)


def _sum_text(P: torch.Tensor, K: torch.Tensor, taps: list) -> tuple[str, float]:
    terms = [f"{fmt(P[r, c])}×{_paren(K[a, b])}" for (a, b), (r, c) in taps]
    value = float(sum(float(P[r, c]) * float(K[a, b]) for (a, b), (r, c) in taps))
    if len(terms) > MAX_TERMS:
        terms = terms[: MAX_TERMS - 1] + ["…"]
    return " + ".join(terms) + f" = {fmt(value)}", value


def _paren(v: torch.Tensor) -> str:
    text = fmt(v)
    return f"({text})" if text.startswith("-") else text


def _window_taps(X, K, i, j, padding, stride, dilation):
    """Padded input and the list of ((a, b) kernel index, (r, c) padded-input index)."""
    X = check_tensor(X, "X", (2,), "(H, W)")
    p = as_pair(padding, "padding", minimum=0)
    s = as_pair(stride, "stride", minimum=1)
    d = as_pair(dilation, "dilation", minimum=1)
    P = F.pad(X, (p[1], p[1], p[0], p[0])) if p != (0, 0) else X
    taps = [((a, b), (i * s[0] + a * d[0], j * s[1] + b * d[1]))
            for a in range(K.shape[0]) for b in range(K.shape[1])]
    return P, taps


def _plot_window(fig: Figure, w: Window) -> None:
    (i, j), (k_h, k_w), (out_h, out_w) = w.cell, w.K.shape, w.Y.shape
    ax_x, ax_k, ax_y = fig.subplots(1, 3, width_ratios=[w.P.shape[1], max(k_w, 2), max(out_w, 2)])
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.9, wspace=0.12)
    draw_grid(ax_x, w.P, border=w.padding)
    fit_grid(ax_x, w.P.shape, f"input X {w.x_shape}" + (f", padding {w.padding}" if w.padding != (0, 0) else ""))
    if w.dilation == (1, 1):
        outline(ax_x, *w.taps[0], k_h, k_w, WINDOW_COLOR)
    else:
        outline_cells(ax_x, w.taps, WINDOW_COLOR)
    draw_grid(ax_k, w.K, cmap="Greens")
    fit_grid(ax_k, w.K.shape, f"kernel K {tuple(w.K.shape)}")
    outline(ax_k, 0, 0, k_h, k_w, WINDOW_COLOR)
    hidden = (torch.arange(out_h * out_w) > i * out_w + j).reshape(out_h, out_w).numpy()
    draw_grid(ax_y, w.Y, hidden=hidden, cmap="Oranges")
    fit_grid(ax_y, w.Y.shape, f"output Y {tuple(w.Y.shape)}")
    outline(ax_y, i, j, 1, 1, CELL_COLOR)


def draw_sliding_window(
    fig: Figure,
    X: torch.Tensor,
    K: torch.Tensor,
    position: int,
    *,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
    dilation: IntOrPair = 1,
) -> DrawResult:
    """Draw input (window highlighted), kernel, and output (cell highlighted).

    ``position`` counts output cells row by row (0 is the top-left cell).
    Output cells not yet reached are left blank, so stepping the slider fills
    the output in the order the loop in the lesson does.
    """
    w = window_at(X, K, position, padding=padding, stride=stride, dilation=dilation)
    _plot_window(fig, w)
    return f"<code>Y[{w.cell[0]}, {w.cell[1]}] = {w.arithmetic}</code>", w.info()


def sliding_window(
    X: torch.Tensor | None = None,
    K: torch.Tensor | None = None,
    *,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
    dilation: IntOrPair = 1,
    interval_ms: int = 700,
) -> ConvLabWidget:
    """A slider (and play button) that walks the kernel over every output cell.

    X: (H, W), K: (k_h, k_w); defaults are the lesson's 3×3 input and 2×2
    kernel, whose first output is 0×0 + 1×1 + 3×2 + 4×3 = 19.
    """
    if X is None:
        X = torch.arange(9.0).reshape(3, 3)
    if K is None:
        K = torch.arange(4.0).reshape(2, 2)
    Y = corr2d(X, K, padding=padding, stride=stride, dilation=dilation)  # validates everything
    n = Y.numel()
    position = slider("output position", 0, 0, n - 1)
    play = widgets.Play(value=0, min=0, max=n - 1, interval=interval_ms, description="play")
    widgets.jslink((play, "value"), (position, "value"))

    def draw(fig: Figure, position: int) -> DrawResult:
        return draw_sliding_window(fig, X, K, position, padding=padding, stride=stride, dilation=dilation)

    width = 3.0 + 0.45 * (X.shape[1] + 2 * as_pair(padding, "padding", minimum=0)[1] + K.shape[1] + Y.shape[1])
    height = 1.2 + 0.45 * max(X.shape[0], 3)
    # all front-end: one slider over a fixed input, a frame per output cell (budget-checked)
    return ConvLabWidget(draw, {"position": position}, css_class="convlab-sliding-window",
                         figsize=(min(width, 12), min(height, 6)), extra=[play], frontend=("position",))
