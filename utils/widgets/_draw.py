"""The one grid renderer and the outlines every widget draws with (matplotlib only, no ipywidgets).

Cell (r, c) of a grid drawn at ``at=(x, y)`` is centred at (x + c, y + r), rows
growing downwards, so one axes can hold several grids side by side (one axes
renders much faster than one per grid).
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.patches import Rectangle

from ._base import fmt

ANNOTATE_MAX = 12  # write numbers in (and draw lines around) cells up to this many rows/columns
WINDOW_COLOR = "#1f77b4"
CELL_COLOR = "#d62728"
LINE_COLOR = "#888888"


def draw_grid(
    ax: Axes,
    M: torch.Tensor | np.ndarray,
    *,
    at: tuple[float, float] = (0, 0),
    cmap: object = "Blues",
    vmin: float | None = None,
    vmax: float | None = None,
    alpha: float = 0.55,
    labels: bool | np.ndarray | None = None,
    fontsize: float | None = None,
    label_color: str = "black",
    hidden: np.ndarray | None = None,
    border: tuple[int, int] = (0, 0),
    border_values: bool = True,
    lines: str | None = LINE_COLOR,
    lw: float = 0.6,
) -> None:
    """Draw the 2-D array ``M`` as a grid of coloured cells.

    Colours: ``cmap`` over [vmin, vmax] (default: the range of the finite values).
    ``labels``: True writes every cell's value (``fmt``), False none, or an array of
    strings ("" for none); None writes the values and draws the cell lines only
    when the grid is small enough to read (``ANNOTATE_MAX``), else the colours
    carry it alone. ``hidden``: cells left blank (not computed yet).
    ``border`` (rows, cols) is an outer frame of padding cells: hatched grey with
    their value written (the 0 or −∞ a window sees there), or with
    ``border_values=False`` plain grey and blank. ``lines``: colour of the cell
    borders, None for none.
    """
    A = np.asarray(M.detach().cpu() if isinstance(M, torch.Tensor) else M, dtype=float)
    rows, cols = A.shape
    x0, y0 = at
    if labels is None:
        labels = max(rows, cols) <= ANNOTATE_MAX
        lines = lines if labels else None
    if vmin is None or vmax is None:
        finite = A[np.isfinite(A)]
        vmin, vmax = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
        if vmin == vmax:
            vmin, vmax = vmin - 1, vmax + 1
    shown = np.ma.masked_array(A, mask=hidden) if hidden is not None else A
    ax.imshow(shown, cmap=cmap, vmin=vmin, vmax=vmax, alpha=alpha, interpolation="none",
              extent=(x0 - 0.5, x0 + cols - 0.5, y0 + rows - 0.5, y0 - 0.5))
    ph, pw = border
    pad = np.zeros((rows, cols), dtype=bool)
    if ph or pw:
        pad[:ph], pad[rows - ph:], pad[:, :pw], pad[:, cols - pw:] = True, True, True, True
        cells = [Rectangle((x0 + c - 0.5, y0 + r - 0.5), 1, 1) for r, c in zip(*np.nonzero(pad), strict=True)]
        style = (dict(facecolor="#e8e8e8", edgecolor="#999999", hatch="//", lw=0.5) if border_values
                 else dict(facecolor="#e0e0e0", edgecolor="none"))
        ax.add_collection(PatchCollection(cells, **style))
    if lines is not None:  # two sets of lines, far cheaper than a tick or a patch per cell
        ys, xs = y0 + np.arange(rows + 1) - 0.5, x0 + np.arange(cols + 1) - 0.5
        segments = [[(xs[0], y), (xs[-1], y)] for y in ys] + [[(x, ys[0]), (x, ys[-1])] for x in xs]
        ax.add_collection(LineCollection(segments, colors=lines, linewidths=lw))
    if labels is False:
        return
    text = np.vectorize(fmt, otypes=[str])(A) if labels is True else np.array(labels, dtype=str)
    if hidden is not None:
        text[hidden] = ""
    if not border_values:
        text[pad] = ""
    size = fontsize or (11 if max(rows, cols) <= 6 else 8)
    for r, c in zip(*np.nonzero(text != ""), strict=True):
        ax.text(x0 + c, y0 + r, text[r, c], ha="center", va="center", fontsize=size, color=label_color)


def fit_grid(ax: Axes, shape: tuple[int, int], title: str, fontsize: float = 11) -> None:
    """Frame the axes around one grid of ``shape`` drawn at (0, 0), with no ticks (tick
    layout is the slowest part of rendering a small figure)."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlim(-0.5, shape[1] - 0.5)
    ax.set_ylim(shape[0] - 0.5, -0.5)
    ax.set_title(title, fontsize=fontsize)


def outline(ax: Axes, row: float, col: float, height: int, width: int, color: str, *,
            label: str | None = None, lw: float = 3.0, inset: float = 0.0, ls: str = "-") -> Rectangle:
    """Outline the block of cells starting at (row, col); ``inset`` pulls the frame into the block."""
    rect = Rectangle((col - 0.5 + inset, row - 0.5 + inset), width - 2 * inset, height - 2 * inset,
                     fill=False, edgecolor=color, lw=lw, label=label, ls=ls)
    ax.add_patch(rect)
    return rect


def outline_cells(ax: Axes, cells: list[tuple[int, int]], color: str, lw: float = 2.5) -> None:
    """Outline individual cells (for dilated windows, whose taps are not adjacent)."""
    for r, c in cells:
        outline(ax, r, c, 1, 1, color, lw=lw)

