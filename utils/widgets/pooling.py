"""Chapter 05: a pooling (池化) window sliding over the input, max or average.

The window's cells are outlined in blue; in max mode the cell that wins the
max is outlined in red (every tied cell, if several share the maximum).
Padding cells are hatched: max pooling pads with -inf (a pad never wins),
average pooling pads with 0 and still divides by the full window size.
"""

from __future__ import annotations

import ipywidgets as widgets
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .._checks import as_pair, check_tensor
from ..pool import pool2d
from ._base import ConvLabWidget, DrawResult, fmt, slider
from ._draw import CELL_COLOR, WINDOW_COLOR, draw_matrix, outline

__all__ = ["draw_pooling", "pooling_window"]

MAX_TERMS = 16


def draw_pooling(
    fig: Figure,
    X: torch.Tensor,
    pool_size: int | tuple[int, int],
    mode: str,
    position: int,
    *,
    padding: int | tuple[int, int] = 0,
    stride: int | tuple[int, int] = 1,
) -> DrawResult:
    """Draw the (padded) input with the pooling window, and the output so far.

    X: (H, W). ``position`` counts output cells row by row. Returns the HTML
    arithmetic (``max(0, 1, 3, 4) = 4``) and an info dict whose ``winners``
    lists the input cells (unpadded coordinates) that hold the window's max.
    """
    X = check_tensor(X, "X", (2,), "(H, W)").detach()
    Y = pool2d(X, pool_size, mode, padding=padding, stride=stride)  # validates everything else
    k = as_pair(pool_size, "pool_size", minimum=1)
    p = as_pair(padding, "padding", minimum=0)
    s = as_pair(stride, "stride", minimum=1)
    out_h, out_w = Y.shape
    if not 0 <= position < out_h * out_w:
        raise ValueError(f"position must be in [0, {out_h * out_w - 1}], got {position}")
    i, j = divmod(position, out_w)
    pad_value = float("-inf") if mode == "max" else 0.0
    P = F.pad(X, (p[1], p[1], p[0], p[0]), value=pad_value) if p != (0, 0) else X
    r0, c0 = i * s[0], j * s[1]
    window = P[r0:r0 + k[0], c0:c0 + k[1]]
    value = float(Y[i, j])

    ax_x, ax_y = fig.subplots(1, 2, width_ratios=[P.shape[1], max(out_w, 3)])
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.03, top=0.88, wspace=0.15)
    shown = P.clone()
    draw_matrix(ax_x, shown, f"input X {tuple(X.shape)}" + (f", padding {p}" if p != (0, 0) else ""),
                border=p)
    if mode == "max":  # draw_matrix writes the pad value; show it as −∞, the way max pooling sees it
        for t in ax_x.texts:
            if t.get_text() == "-inf":
                t.set_text("−∞")
    outline(ax_x, r0, c0, k[0], k[1], WINDOW_COLOR)
    winners: list[tuple[int, int]] = []
    if mode == "max":
        rows, cols = torch.nonzero(window == window.max(), as_tuple=True)
        padded_cells = [(r0 + int(a), c0 + int(b)) for a, b in zip(rows, cols, strict=True)]
        for r, c in padded_cells:  # inset a little, so the window's blue frame stays visible around ties
            ax_x.add_patch(Rectangle((c - 0.4, r - 0.4), 0.8, 0.8, fill=False, edgecolor=CELL_COLOR, lw=2.5))
        winners = [(r - p[0], c - p[1]) for r, c in padded_cells]
    hidden = (torch.arange(out_h * out_w) > position).reshape(out_h, out_w).numpy()
    draw_matrix(ax_y, Y, "", hidden=hidden, cmap="Oranges")
    outline(ax_y, i, j, 1, 1, CELL_COLOR)
    # same cell size as the input: the output axes spans as many rows as the padded input
    ax_y.set_xlim(-0.55, max(out_w, 3) - 0.45)  # a hair of margin keeps the border lines unclipped
    ax_y.set_ylim(P.shape[0] - 0.45, -0.55)
    ax_y.set_axis_off()
    ax_y.set_title(f"output {tuple(Y.shape)}", fontsize=10)

    values = [float(v) for v in window.flatten()]
    terms = [fmt(v) for v in values]
    if len(terms) > MAX_TERMS:
        terms = terms[: MAX_TERMS - 1] + ["…"]
    if mode == "max":
        where = ", ".join(f"X[{r}, {c}]" for r, c in winners)
        arithmetic = f"max({', '.join(terms)}) = {fmt(value)}"
        line = f"<code>Y[{i}, {j}] = {arithmetic}</code> &nbsp; winner: <code>{where}</code>"
        call = f"nn.MaxPool2d(kernel_size={_arg(k)}, stride={_arg(s)}, padding={_arg(p)})"
    else:
        arithmetic = f"({' + '.join(terms).replace('+ -', '− ')}) / {k[0] * k[1]} = {fmt(value)}"
        line = f"<code>Y[{i}, {j}] = {arithmetic}</code>"
        call = f"nn.AvgPool2d(kernel_size={_arg(k)}, stride={_arg(s)}, padding={_arg(p)})"
    n_h, n_w = X.shape
    shape = (f"output height ⌊({n_h} + 2·{p[0]} − {k[0]}) / {s[0]}⌋ + 1 = {out_h}, "
             f"width ⌊({n_w} + 2·{p[1]} − {k[1]}) / {s[1]}⌋ + 1 = {out_w}")
    default = "" if s != k else " (= the default: PyTorch's pooling stride defaults to the window size)"
    html = (f"{line}<br><small>{shape}<br>same as <code>{call}</code>{default}; "
            f"0 learnable parameters</small>")
    info = {
        "mode": mode,
        "cell": (i, j),
        "window": (r0, c0, k[0], k[1]),
        "values": values,
        "value": value,
        "winners": winners,
        "output_shape": (out_h, out_w),
        "arithmetic": arithmetic,
    }
    return html, info


def _arg(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else str(pair)


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
    Y = pool2d(X, pool_size, mode, padding=padding, stride=stride)  # validates the starting point
    hi = max(max_pool_size, pool_size)
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
    p = as_pair(padding, "padding", minimum=0)
    P_h, P_w = X.shape[0] + 2 * p[0], X.shape[1] + 2 * p[1]
    cell = min(0.55, 6.0 / (P_w + max(Y.shape[1], 3)), 4.5 / P_h)  # inches per cell
    width = 0.4 + cell * (P_w + max(Y.shape[1], 3)) * 1.12
    height = 0.5 + cell * P_h
    return ConvLabWidget(draw, controls, css_class="convlab-pooling", figsize=(width, height),
                         ranges={"position": (n_cells, [])})
