"""Chapter 04: multiple input and output channels (多输入多输出通道), the sum made visible.

For one output channel ``o`` and one output position ``(i, j)`` the widget
draws, per input channel ``c``: the window of ``X[c]``, the kernel slice
``K[o, c]``, and the partial map ``X[c] ⋆ K[o, c]``; on the right, ``Y[o]``,
whose every cell is the sum of the partial maps' cells (plus the bias ``b[o]``).
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .._checks import as_pair, check_tensor, common_dtype
from ..conv import corr2d, corr2d_multi_in_out
from ._base import ConvLabWidget, DrawResult, fmt, slider
from ._draw import CELL_COLOR, WINDOW_COLOR, outline, to_numpy
from .sliding import window_arithmetic

MAX_IN_CHANNELS = 4  # one row of axes per input channel: keep the figure readable and fast

__all__ = ["channel_sum", "draw_multi_channel", "multi_channel"]


def _block(ax: Axes, M: torch.Tensor, x0: float, y0: float, title: str, cmap: str, *,
           border: tuple[int, int] = (0, 0), title_left: bool = False) -> None:
    """A matrix drawn as coloured, numbered cells with its top-left cell at (x0, y0)."""
    A = to_numpy(M)
    h, w = A.shape
    lo, hi = float(A.min()), float(A.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    ax.imshow(A, cmap=cmap, vmin=lo, vmax=hi, alpha=0.55, interpolation="nearest",
              extent=(x0 - 0.5, x0 + w - 0.5, y0 + h - 0.5, y0 - 0.5))
    ph, pw = border
    pad = np.zeros((h, w), dtype=bool)
    if ph or pw:
        pad[:ph], pad[h - ph:], pad[:, :pw], pad[:, w - pw:] = True, True, True, True
        squares = [Rectangle((x0 + c - 0.5, y0 + r - 0.5), 1, 1) for r, c in zip(*np.nonzero(pad), strict=True)]
        ax.add_collection(PatchCollection(squares, facecolor="#e0e0e0", edgecolor="none"))
    segments = [[(x0 - 0.5, y0 + r - 0.5), (x0 + w - 0.5, y0 + r - 0.5)] for r in range(h + 1)]
    segments += [[(x0 + c - 0.5, y0 - 0.5), (x0 + c - 0.5, y0 + h - 0.5)] for c in range(w + 1)]
    ax.add_collection(LineCollection(segments, colors="#888888", linewidths=0.6))
    size = 11 if max(h, w) <= 6 else 8
    for r, c in zip(*np.nonzero(~pad), strict=True):  # padding cells stay blank grey: they hold zeros
        ax.text(x0 + c, y0 + r, fmt(A[r, c]), ha="center", va="center", fontsize=size)
    if title_left:  # a long title starts at the block's left edge and runs to the right
        ax.text(x0 - 0.5, y0 - 0.65, title, ha="left", va="bottom", fontsize=10)
    else:
        ax.text(x0 + (w - 1) / 2, y0 - 0.65, title, ha="center", va="bottom", fontsize=10)


def _title_units(title: str, fig: Figure, ax_width_units: float) -> float:
    """Rough width of a 10-pt title in data units (the axes spans the figure's width)."""
    inches_per_unit = fig.get_figwidth() / ax_width_units
    return 0.55 * len(title) * 10 / 72 / inches_per_unit


def _check(X, K, bias):
    X = check_tensor(X, "X", (3,), "(c_i, H, W)")
    K = check_tensor(K, "K", (4,), "(c_o, c_i, k_h, k_w)")
    if X.shape[0] != K.shape[1]:
        raise ValueError(f"channel mismatch: X has {X.shape[0]} input channels but K.shape[1] is "
                         f"{K.shape[1]}; they must be equal")
    if X.shape[0] > MAX_IN_CHANNELS:
        raise ValueError(f"X has {X.shape[0]} input channels; the widget draws one row per channel, "
                         f"at most {MAX_IN_CHANNELS}")
    X, K = common_dtype(X, K)
    if bias is not None:
        bias = check_tensor(bias, "bias", tuple(range(5)), "(c_o,)")
        if tuple(bias.shape) != (K.shape[0],):
            raise ValueError(f"bias must have shape (c_o,) = ({K.shape[0]},): one number per output "
                             f"channel, got {tuple(bias.shape)}")
        bias = bias.to(X.dtype).detach()
    return X.detach(), K.detach(), bias


def channel_sum(
    X: torch.Tensor,
    K: torch.Tensor,
    out_channel: int,
    i: int,
    j: int,
    *,
    bias: torch.Tensor | None = None,
    padding: int | tuple[int, int] = 0,
    stride: int | tuple[int, int] = 1,
) -> tuple[list[str], list[float], float]:
    """The arithmetic behind ``Y[out_channel, i, j]``, one line per input channel.

    X: (c_i, H, W), K: (c_o, c_i, k_h, k_w), bias: (c_o,) or None. Returns the
    per-channel sums written out (``0×0 + 1×1 + 3×2 + 4×3 = 19``), their values
    (the partial sums), and the total ``Σ_c partial_c (+ bias[o])``.
    """
    X, K, bias = _check(X, K, bias)
    if not 0 <= out_channel < K.shape[0]:
        raise ValueError(f"out_channel must be in [0, {K.shape[0] - 1}], got {out_channel}")
    lines, partials = [], []
    for c in range(X.shape[0]):
        text, value = window_arithmetic(X[c], K[out_channel, c], i, j, padding=padding, stride=stride)
        lines.append(text)
        partials.append(value)
    total = sum(partials) + (float(bias[out_channel]) if bias is not None else 0.0)
    return lines, partials, total


def draw_multi_channel(
    fig: Figure,
    X: torch.Tensor,
    K: torch.Tensor,
    out_channel: int,
    position: int,
    *,
    bias: torch.Tensor | None = None,
    padding: int | tuple[int, int] = 0,
    stride: int | tuple[int, int] = 1,
) -> DrawResult:
    """Draw, for output channel ``out_channel`` at output cell number ``position``
    (row by row), each input channel's window, kernel slice and partial map, and
    the summed output channel.

    X: (c_i, H, W), K: (c_o, c_i, k_h, k_w), bias: (c_o,) or None.
    """
    X, K, bias = _check(X, K, bias)
    c_i = X.shape[0]
    c_o, _, k_h, k_w = K.shape
    if not 0 <= out_channel < c_o:
        raise ValueError(f"out_channel must be in [0, {c_o - 1}], got {out_channel}")
    p = as_pair(padding, "padding", minimum=0)
    s = as_pair(stride, "stride", minimum=1)
    Y = corr2d_multi_in_out(X, K, padding=p, stride=s)
    if bias is not None:
        Y = Y + bias.reshape(-1, 1, 1)
    m_h, m_w = Y.shape[-2:]
    if not 0 <= position < m_h * m_w:
        raise ValueError(f"position must be in [0, {m_h * m_w - 1}], got {position}")
    i, j = divmod(position, m_w)
    partial_maps = [corr2d(X[c], K[out_channel, c], padding=p, stride=s) for c in range(c_i)]
    Xp = torch.nn.functional.pad(X, (p[1], p[1], p[0], p[0])) if p != (0, 0) else X

    # One axes holds every block (7+ separate axes would cost > 100 ms per redraw).
    ax = fig.add_axes((0, 0, 1, 1))  # the whole figure; the widget sizes it to the content
    gap = 1.6
    col_x = [0.0]
    for width in (Xp.shape[2], k_w, m_w):
        col_x.append(col_x[-1] + width + gap)
    row_h = max(Xp.shape[1], k_h, m_h) + gap
    r0, c0 = i * s[0], j * s[1]
    for c in range(c_i):
        y = c * row_h
        _block(ax, Xp[c], col_x[0], y, f"input X[{c}]" + (" padded" if p != (0, 0) else ""), "Blues",
               border=p)
        outline(ax, y + r0, col_x[0] + c0, k_h, k_w, WINDOW_COLOR)
        _block(ax, K[out_channel, c], col_x[1], y, f"kernel K[{out_channel}, {c}]", "Greens")
        outline(ax, y, col_x[1], k_h, k_w, WINDOW_COLOR)
        _block(ax, partial_maps[c], col_x[2], y, f"partial {c}", "Purples")
        outline(ax, y + i, col_x[2] + j, 1, 1, CELL_COLOR)
        ax.text(col_x[1] - gap / 2 - 0.5, y + (k_h - 1) / 2, "⋆", ha="center", va="center", fontsize=16)
        ax.text(col_x[2] - gap / 2 - 0.5, y + (k_h - 1) / 2, "=", ha="center", va="center", fontsize=14)
        if c:
            ax.text(col_x[2] + (m_w - 1) / 2, y - gap / 2 - 0.9, "+", ha="center", va="center",
                    fontsize=16, color=CELL_COLOR)
    total_h = c_i * row_h - gap
    y_out = (total_h - m_h) / 2
    title = f"Y[{out_channel}] = Σ partials" + (f" + b[{out_channel}]" if bias is not None else "")
    _block(ax, Y[out_channel], col_x[3], y_out, title, "Oranges", title_left=True)
    outline(ax, y_out + i, col_x[3] + j, 1, 1, CELL_COLOR)
    ax.text(col_x[3] - gap / 2 - 0.5, y_out + (m_h - 1) / 2, "→", ha="center", va="center", fontsize=16)
    ax.set_xlim(-0.7, col_x[3] + max(m_w - 0.3, _title_units(title, fig, ax_width_units=col_x[3] + m_w + 0.4)))
    ax.set_ylim(total_h - 0.3, -1.7)
    ax.set_aspect("equal")
    ax.axis("off")

    lines, partials, total = channel_sum(X, K, out_channel, i, j, bias=bias, padding=p, stride=s)
    rows = [f"channel {c}: {line}" for c, line in enumerate(lines)]
    terms = [fmt(v) if v >= 0 or n == 0 else f"({fmt(v)})" for n, v in enumerate(partials)]
    if bias is not None:
        terms.append(f"b[{out_channel}]={fmt(bias[out_channel])}")
    rows.append(f"<b>Y[{out_channel}, {i}, {j}] = {' + '.join(terms)} = {fmt(total)}</b>")
    shapes = (f"X: {tuple(X.shape)} = c_i×n_h×n_w, K: {tuple(K.shape)} = c_o×c_i×k_h×k_w, "
              f"Y: {tuple(Y.shape)} = c_o×m_h×m_w")
    html = "<code>" + "<br>".join(rows) + "</code><br><small>" + shapes + "</small>"
    info = {
        "out_channel": out_channel,
        "cell": (i, j),
        "window": (r0, c0, k_h, k_w),
        "partials": partials,
        "value": total,
        "output_shape": tuple(Y.shape),
        "arithmetic": lines,
    }
    return html, info


def multi_channel(
    X: torch.Tensor | None = None,
    K: torch.Tensor | None = None,
    *,
    bias: torch.Tensor | None = None,
    padding: int | tuple[int, int] = 0,
    stride: int | tuple[int, int] = 1,
) -> ConvLabWidget:
    """Pick an output channel and an output position; see the sum over input channels.

    X: (c_i, H, W) with c_i ≤ 4, K: (c_o, c_i, k_h, k_w), bias: (c_o,) or None.
    Defaults are the lesson's two-channel 3×3 input and the kernel stack
    ``K2 = stack(K, K + 1, K + 2)``, whose first output is 19 + 37 = 56.
    """
    if X is None:
        X = torch.stack([torch.arange(9.0).reshape(3, 3), torch.arange(1.0, 10.0).reshape(3, 3)])
    if K is None:
        K0 = torch.stack([torch.arange(4.0).reshape(2, 2), torch.arange(1.0, 5.0).reshape(2, 2)])
        K = torch.stack([K0, K0 + 1, K0 + 2])
    X, K, bias = _check(X, K, bias)
    Y = corr2d_multi_in_out(X, K, padding=padding, stride=stride)  # validates padding/stride/fit
    c_o, m_h, m_w = Y.shape
    controls = {
        "out_channel": slider("output channel o", 0, 0, c_o - 1, disabled=c_o == 1),
        "position": slider("output position", 0, 0, m_h * m_w - 1),
    }

    def draw(fig: Figure, out_channel: int, position: int) -> DrawResult:
        return draw_multi_channel(fig, X, K, out_channel, position, bias=bias, padding=padding,
                                  stride=stride)

    p = as_pair(padding, "padding", minimum=0)
    units_w = X.shape[2] + 2 * p[1] + K.shape[3] + m_w + max(m_w, 4 + 2 * (bias is not None)) + 3 * 1.6 + 0.4
    units_h = X.shape[0] * (max(X.shape[1] + 2 * p[0], K.shape[2], m_h) + 1.6) + 0.4
    scale = min(0.45, 9.0 / units_w, 7.0 / units_h)  # inches per cell; big inputs get smaller cells
    width, height = scale * units_w, scale * units_h
    return ConvLabWidget(draw, controls, css_class="convlab-channels", figsize=(width, height))
