"""Pure drawing helpers shared by the widgets (no ipywidgets here)."""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.patches import Rectangle

from ._base import fmt

ANNOTATE_MAX = 12  # annotate cells with numbers up to this many rows/columns
WINDOW_COLOR = "#1f77b4"
CELL_COLOR = "#d62728"


def to_numpy(M: torch.Tensor | np.ndarray) -> np.ndarray:
    if isinstance(M, torch.Tensor):
        M = M.detach().cpu().numpy()
    return np.asarray(M, dtype=float)


def draw_matrix(
    ax: Axes,
    M: torch.Tensor | np.ndarray,
    title: str,
    *,
    border: tuple[int, int] = (0, 0),
    hidden: np.ndarray | None = None,
    cmap: str = "Blues",
    annotate: bool | None = None,
) -> None:
    """Show a 2-D array as a grid of coloured cells.

    ``border`` (rows, cols) marks an outer frame of padding cells, drawn hatched
    grey; ``hidden`` is a boolean mask of cells to leave blank (not computed yet).
    """
    A = to_numpy(M)
    shown = np.ma.masked_array(A, mask=hidden) if hidden is not None else A
    finite = A[np.isfinite(A)]
    lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    ax.imshow(shown, cmap=cmap, vmin=lo, vmax=hi, alpha=0.55, interpolation="nearest")
    rows, cols = A.shape
    ph, pw = border
    if ph or pw:
        frame = [Rectangle((c - 0.5, r - 0.5), 1, 1)
                 for r in range(rows) for c in range(cols)
                 if r < ph or r >= rows - ph or c < pw or c >= cols - pw]
        ax.add_collection(PatchCollection(frame, facecolor="#e8e8e8", edgecolor="#999999",
                                          hatch="//", lw=0.5))
    if annotate is None:
        annotate = max(rows, cols) <= ANNOTATE_MAX
    if annotate:
        size = 11 if max(rows, cols) <= 6 else 8
        for r in range(rows):
            for c in range(cols):
                if hidden is not None and hidden[r, c]:
                    continue
                ax.text(c, r, fmt(A[r, c]), ha="center", va="center", fontsize=size)
        # cell borders as two line collections (far cheaper than one tick per cell)
        ax.hlines(np.arange(rows + 1) - 0.5, -0.5, cols - 0.5, color="#888888", lw=0.6)
        ax.vlines(np.arange(cols + 1) - 0.5, -0.5, rows - 0.5, color="#888888", lw=0.6)
    ax.set_title(title, fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)


def outline(ax: Axes, row: int, col: int, height: int, width: int, color: str, *,
            label: str | None = None, lw: float = 3.0) -> Rectangle:
    """Outline the block of cells starting at (row, col)."""
    rect = Rectangle((col - 0.5, row - 0.5), width, height, fill=False,
                     edgecolor=color, lw=lw, label=label)
    ax.add_patch(rect)
    return rect


def outline_cells(ax: Axes, cells: list[tuple[int, int]], color: str, lw: float = 2.5) -> None:
    """Outline individual cells (for dilated windows, whose taps are not adjacent)."""
    for r, c in cells:
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor=color, lw=lw))
