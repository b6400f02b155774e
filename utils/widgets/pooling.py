"""Chapter 05: a pooling (池化) window sliding over the input, max or average.

The window's cells are outlined in blue; in max mode the cell that wins the
max is outlined in red (every tied cell, if several share the maximum).
Padding cells are hatched: max pooling pads with −∞ (a pad never wins),
average pooling pads with 0 and still divides by the full window size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from .._checks import IntOrPair, Pair, as_pair, check_index, check_int, check_tensor
from ..i18n import tr
from ..pool import pool2d
from ._base import ConvLabWidget, DrawResult, fmt, slider
from ._draw import CELL_COLOR, WINDOW_COLOR, draw_grid, fit_grid, outline

__all__ = ["draw_pooling", "pooling_window"]

MAX_TERMS = 16


@dataclass(frozen=True)
class PoolWindow:
    """What the picture shows for one output cell; ``window`` and ``winners`` as in ``info``."""

    P: torch.Tensor  # the padded input: -inf padding for max, 0 for avg
    Y: torch.Tensor
    x_shape: Pair
    mode: str
    pool_size: Pair
    padding: Pair
    stride: Pair
    cell: Pair
    values: list[float]  # the window's values, row by row
    value: float
    winners: list[Pair]  # input cells (unpadded coordinates) holding the window's max
    arithmetic: str

    def info(self) -> dict[str, Any]:
        r0, c0 = self.cell[0] * self.stride[0], self.cell[1] * self.stride[1]
        return {"mode": self.mode, "cell": self.cell, "window": (r0, c0, *self.pool_size),
                "values": self.values, "value": self.value, "winners": self.winners,
                "output_shape": tuple(self.Y.shape), "arithmetic": self.arithmetic}


def pool_window_at(X: torch.Tensor, pool_size: IntOrPair, mode: str, position: int, *,
                   padding: IntOrPair = 0, stride: IntOrPair = 1) -> PoolWindow:
    """The numbers behind output cell ``position`` (counted row by row). X: (H, W)."""
    X = check_tensor(X, "X", (2,), "(H, W)").detach()
    Y = pool2d(X, pool_size, mode, padding=padding, stride=stride)  # validates everything else
    k = as_pair(pool_size, "pool_size", minimum=1)
    p = as_pair(padding, "padding", minimum=0)
    s = as_pair(stride, "stride", minimum=1)
    i, j = divmod(check_index(position, "position", Y.numel()), Y.shape[1])
    P = F.pad(X, (p[1], p[1], p[0], p[0]), value=float("-inf") if mode == "max" else 0.0)
    r0, c0 = i * s[0], j * s[1]
    window = P[r0:r0 + k[0], c0:c0 + k[1]]
    value = float(Y[i, j])
    terms = [fmt(v) for v in window.flatten()]
    if len(terms) > MAX_TERMS:
        terms = terms[: MAX_TERMS - 1] + ["…"]
    winners: list[Pair] = []
    if mode == "max":
        rows, cols = torch.nonzero(window == window.max(), as_tuple=True)
        winners = [(r0 + int(a) - p[0], c0 + int(b) - p[1]) for a, b in zip(rows, cols, strict=True)]
        arithmetic = f"max({', '.join(terms)}) = {fmt(value)}"
    else:
        arithmetic = f"({' + '.join(terms).replace('+ -', '− ')}) / {k[0] * k[1]} = {fmt(value)}"
    return PoolWindow(P, Y, tuple(X.shape), mode, k, p, s, (i, j), [float(v) for v in window.flatten()],
                      value, winners, arithmetic)


def _plot_pooling(fig: Figure, w: PoolWindow) -> None:
    (i, j), p, (out_h, out_w) = w.cell, w.padding, w.Y.shape
    ax_x, ax_y = fig.subplots(1, 2, width_ratios=[w.P.shape[1], max(out_w, 3)])
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.03, top=0.88, wspace=0.15)
    draw_grid(ax_x, w.P, border=p)  # max pooling's padding is written −∞: it never wins
    fit_grid(ax_x, w.P.shape, f"input X {w.x_shape}" + (f", padding {p}" if p != (0, 0) else ""))
    outline(ax_x, i * w.stride[0], j * w.stride[1], *w.pool_size, WINDOW_COLOR)
    for r, c in w.winners:  # inset a little, so the window's blue frame stays visible around ties
        outline(ax_x, r + p[0], c + p[1], 1, 1, CELL_COLOR, lw=2.5, inset=0.1)
    hidden = (torch.arange(out_h * out_w) > i * out_w + j).reshape(out_h, out_w).numpy()
    draw_grid(ax_y, w.Y, hidden=hidden, cmap="Oranges")
    outline(ax_y, i, j, 1, 1, CELL_COLOR)
    # same cell size as the input: the output axes spans as many rows as the padded input
    ax_y.set_xlim(-0.55, max(out_w, 3) - 0.45)  # a hair of margin keeps the border lines unclipped
    ax_y.set_ylim(w.P.shape[0] - 0.45, -0.55)
    ax_y.set_axis_off()
    ax_y.set_title(f"output {tuple(w.Y.shape)}", fontsize=10)


def _pooling_html(w: PoolWindow) -> str:
    (i, j), k, p, s = w.cell, w.pool_size, w.padding, w.stride
    line = f"<code>Y[{i}, {j}] = {w.arithmetic}</code>"
    if w.mode == "max":
        winners = ", ".join(f"X[{r}, {c}]" for r, c in w.winners)
        line += f" &nbsp; {tr('winner:', '最大值来自')} <code>{winners}</code>"
    layer = "MaxPool2d" if w.mode == "max" else "AvgPool2d"
    call = f"nn.{layer}(kernel_size={fmt(k)}, stride={fmt(s)}, padding={fmt(p)})"
    (n_h, n_w), (out_h, out_w) = w.x_shape, w.Y.shape
    height = f"⌊({n_h} + 2·{p[0]} − {k[0]}) / {s[0]}⌋ + 1 = {out_h}"
    width = f"⌊({n_w} + 2·{p[1]} − {k[1]}) / {s[1]}⌋ + 1 = {out_w}"
    shape = tr(f"output height {height}, width {width}", f"输出高度 {height}，宽度 {width}")
    default = "" if s != k else tr(" (= the default: PyTorch's pooling stride defaults to the window size)",
                                   "（= 默认值：PyTorch 汇聚层的步幅默认等于窗口大小）")
    same = tr(f"same as <code>{call}</code>{default}; 0 learnable parameters",
              f"等同于 <code>{call}</code>{default}；没有可学习的参数")
    return f"{line}<br><small>{shape}<br>{same}</small>"


def draw_pooling(
    fig: Figure,
    X: torch.Tensor,
    pool_size: IntOrPair,
    mode: str,
    position: int,
    *,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
) -> DrawResult:
    """Draw the (padded) input with the pooling window, and the output so far.

    X: (H, W). ``position`` counts output cells row by row. Returns the HTML
    arithmetic (``max(0, 1, 3, 4) = 4``) and an info dict whose ``winners``
    lists the input cells (unpadded coordinates) that hold the window's max.
    """
    w = pool_window_at(X, pool_size, mode, position, padding=padding, stride=stride)
    _plot_pooling(fig, w)
    return _pooling_html(w), w.info()


def pooling_window(
    X: torch.Tensor | None = None,
    *,
    pool_size: int = 2,
    padding: int = 0,
    stride: int = 1,
    mode: str = "max",
    max_pool_size: int = 4,
) -> ConvLabWidget:
    """A pooling window with a max/avg toggle and sliders for pool size, padding,
    stride and the output position.

    X: (H, W); the default is the lesson's 3×3 ``arange(9)``, whose 2×2 max
    pooling (stride 1) gives [[4, 5], [7, 8]]. An invalid combination (padding
    more than half the window, a window larger than the padded input) shows
    "No valid output" instead of a picture, as PyTorch would refuse it.
    """
    if X is None:
        X = torch.arange(9.0).reshape(3, 3)
    X = check_tensor(X, "X", (2,), "(H, W)").detach()
    pool_size = check_int(pool_size, "pool_size", 1)  # one slider each: plain ints
    padding = check_int(padding, "padding", 0)
    stride = check_int(stride, "stride", 1)
    Y = pool2d(X, pool_size, mode, padding=padding, stride=stride)  # validates the starting point
    hi = max(check_int(max_pool_size, "max_pool_size", 1), pool_size)
    controls = {
        "mode": widgets.ToggleButtons(options=["max", "avg"], value=mode, description="mode"),
        "pool_size": slider("pool size", pool_size, 1, hi),
        "padding": slider("padding", padding, 0, max(hi // 2, padding)),
        "stride": slider("stride", stride, 1, max(hi, stride)),
        "position": slider("output position", 0, 0, Y.numel() - 1),
    }

    def n_cells(values: dict) -> int:
        try:
            return pool2d(X, values["pool_size"], "max", padding=values["padding"],
                          stride=values["stride"]).numel()
        except ValueError:
            return 1

    def draw(fig: Figure, mode: str, pool_size: int, padding: int, stride: int, position: int) -> DrawResult:
        return draw_pooling(fig, X, pool_size, mode, position, padding=padding, stride=stride)

    # Sized for the starting settings; other settings rescale the cells inside the same figure.
    P_h, P_w = X.shape[0] + 2 * padding, X.shape[1] + 2 * padding
    cell = min(0.55, 6.0 / (P_w + max(Y.shape[1], 3)), 4.5 / P_h)  # inches per cell
    width = 0.4 + cell * (P_w + max(Y.shape[1], 3)) * 1.12
    height = 0.5 + cell * P_h
    # front-end: max/avg × output position (a few frames); pool size, padding, stride: kernel-side
    return ConvLabWidget(draw, controls, css_class="convlab-pooling", figsize=(width, height),
                         ranges={"position": (n_cells, [])}, frontend=("mode", "position"))
