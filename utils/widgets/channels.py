"""Chapter 04: multiple input and output channels (多输入多输出通道), the sum made visible.

For one output channel ``o`` and one output position ``(i, j)`` the widget
draws, per input channel ``c``: the window of ``X[c]``, the kernel slice
``K[o, c]``, and the partial map ``X[c] ⋆ K[o, c]``; on the right, ``Y[o]``,
whose every cell is the sum of the partial maps' cells (plus the bias ``b[o]``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._checks import IntOrPair, Pair, as_pair, check_index, check_tensor, common_dtype
from ..conv import corr2d, corr2d_multi_in_out
from ..i18n import tr
from ._base import ConvLabWidget, DrawResult, fmt, slider
from ._draw import CELL_COLOR, WINDOW_COLOR, draw_grid, outline
from .sliding import window_arithmetic

MAX_IN_CHANNELS = 4  # one row of grids per input channel: keep the figure readable and fast
GAP = 1.6  # cells between neighbouring grids

__all__ = ["channel_sum", "draw_multi_channel", "multi_channel"]


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
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
) -> tuple[list[str], list[float], float]:
    """The arithmetic behind ``Y[out_channel, i, j]``, one line per input channel.

    X: (c_i, H, W), K: (c_o, c_i, k_h, k_w), bias: (c_o,) or None. Returns the
    per-channel sums written out (``0×0 + 1×1 + 3×2 + 4×3 = 19``), their values
    (the partial sums), and the total ``Σ_c partial_c (+ bias[o])``.
    """
    X, K, bias = _check(X, K, bias)
    out_channel = check_index(out_channel, "out_channel", K.shape[0])
    lines, partials = [], []
    for c in range(X.shape[0]):
        text, value = window_arithmetic(X[c], K[out_channel, c], i, j, padding=padding, stride=stride)
        lines.append(text)
        partials.append(value)
    total = sum(partials) + (float(bias[out_channel]) if bias is not None else 0.0)
    return lines, partials, total


@dataclass(frozen=True)
class ChannelSum:
    """What the picture shows for one output channel and cell."""

    X_padded: torch.Tensor  # (c_i, H + 2p_h, W + 2p_w)
    K: torch.Tensor  # (c_o, c_i, k_h, k_w)
    Y: torch.Tensor  # (c_o, m_h, m_w), bias included
    partial_maps: list[torch.Tensor]  # X[c] ⋆ K[o, c] for each input channel c, (m_h, m_w)
    bias: torch.Tensor | None
    x_shape: tuple[int, int, int]
    padding: Pair
    stride: Pair
    out_channel: int
    cell: Pair
    lines: list[str]  # each channel's sum written out
    partials: list[float]
    value: float

    def info(self) -> dict[str, Any]:
        (i, j), (k_h, k_w) = self.cell, self.K.shape[2:]
        return {"out_channel": self.out_channel, "cell": self.cell,
                "window": (i * self.stride[0], j * self.stride[1], k_h, k_w), "partials": self.partials,
                "value": self.value, "output_shape": tuple(self.Y.shape), "arithmetic": self.lines}


def channel_sum_at(X: torch.Tensor, K: torch.Tensor, out_channel: int, position: int, *,
                   bias: torch.Tensor | None = None, padding: IntOrPair = 0, stride: IntOrPair = 1
                   ) -> ChannelSum:
    """The numbers behind ``Y[out_channel]`` at output cell ``position`` (counted row by row)."""
    X, K, bias = _check(X, K, bias)
    out_channel = check_index(out_channel, "out_channel", K.shape[0])
    p = as_pair(padding, "padding", minimum=0)
    s = as_pair(stride, "stride", minimum=1)
    Y = corr2d_multi_in_out(X, K, padding=p, stride=s)
    if bias is not None:
        Y = Y + bias.reshape(-1, 1, 1)
    i, j = divmod(check_index(position, "position", Y[0].numel()), Y.shape[2])
    partial_maps = [corr2d(X[c], K[out_channel, c], padding=p, stride=s) for c in range(X.shape[0])]
    lines, partials, total = channel_sum(X, K, out_channel, i, j, bias=bias, padding=p, stride=s)
    return ChannelSum(F.pad(X, (p[1], p[1], p[0], p[0])), K, Y, partial_maps, bias, tuple(X.shape), p, s,
                      out_channel, (i, j), lines, partials, total)


def _block(ax: Axes, M: torch.Tensor, x0: float, y0: float, title: str, cmap: str, *,
           border: Pair = (0, 0), title_left: bool = False) -> None:
    """One grid in the shared axes, its title above it (a long title starts at its left edge)."""
    # every number written, however big: the sums under the figure are read off these cells
    draw_grid(ax, M, at=(x0, y0), cmap=cmap, labels=True, border=border, border_values=False)
    x = x0 - 0.5 if title_left else x0 + (M.shape[1] - 1) / 2
    ax.text(x, y0 - 0.65, title, ha="left" if title_left else "center", va="bottom", fontsize=10)


def _title_units(title: str, fig: Figure, ax_width_units: float) -> float:
    """Rough width of a 10-pt title in data units (the axes spans the figure's width)."""
    inches_per_unit = fig.get_figwidth() / ax_width_units
    return 0.55 * len(title) * 10 / 72 / inches_per_unit


def _plot_channels(fig: Figure, f: ChannelSum) -> None:
    # One axes holds every grid (7+ separate axes would cost > 100 ms per redraw).
    ax = fig.add_axes((0, 0, 1, 1))  # the whole figure; the widget sizes it to the content
    o, (i, j), p, s = f.out_channel, f.cell, f.padding, f.stride
    k_h, k_w = f.K.shape[2:]
    m_h, m_w = f.Y.shape[1:]
    col_x = [0.0]
    for width in (f.X_padded.shape[2], k_w, m_w):
        col_x.append(col_x[-1] + width + GAP)
    row_h = max(f.X_padded.shape[1], k_h, m_h) + GAP
    for c in range(f.x_shape[0]):
        y = c * row_h
        _block(ax, f.X_padded[c], col_x[0], y, f"input X[{c}]" + (" padded" if p != (0, 0) else ""), "Blues",
               border=p)
        outline(ax, y + i * s[0], col_x[0] + j * s[1], k_h, k_w, WINDOW_COLOR)
        _block(ax, f.K[o, c], col_x[1], y, f"kernel K[{o}, {c}]", "Greens")
        outline(ax, y, col_x[1], k_h, k_w, WINDOW_COLOR)
        _block(ax, f.partial_maps[c], col_x[2], y, f"partial {c}", "Purples")
        outline(ax, y + i, col_x[2] + j, 1, 1, CELL_COLOR)
        ax.text(col_x[1] - GAP / 2 - 0.5, y + (k_h - 1) / 2, "⋆", ha="center", va="center", fontsize=16)
        ax.text(col_x[2] - GAP / 2 - 0.5, y + (k_h - 1) / 2, "=", ha="center", va="center", fontsize=14)
        if c:
            ax.text(col_x[2] + (m_w - 1) / 2, y - GAP / 2 - 0.9, "+", ha="center", va="center",
                    fontsize=16, color=CELL_COLOR)
    total_h = f.x_shape[0] * row_h - GAP
    y_out = (total_h - m_h) / 2
    title = f"Y[{o}] = Σ partials" + (f" + b[{o}]" if f.bias is not None else "")
    _block(ax, f.Y[o], col_x[3], y_out, title, "Oranges", title_left=True)
    outline(ax, y_out + i, col_x[3] + j, 1, 1, CELL_COLOR)
    ax.text(col_x[3] - GAP / 2 - 0.5, y_out + (m_h - 1) / 2, "→", ha="center", va="center", fontsize=16)
    ax.set_xlim(-0.7, col_x[3] + max(m_w - 0.3, _title_units(title, fig, ax_width_units=col_x[3] + m_w + 0.4)))
    ax.set_ylim(total_h - 0.3, -1.7)
    ax.set_aspect("equal")
    ax.axis("off")


def _channels_html(f: ChannelSum) -> str:
    o, (i, j) = f.out_channel, f.cell
    channel = tr("channel", "通道")
    rows = [f"{channel} {c}: {line}" for c, line in enumerate(f.lines)]
    terms = [fmt(v) if v >= 0 or n == 0 else f"({fmt(v)})" for n, v in enumerate(f.partials)]
    if f.bias is not None:
        terms.append(f"b[{o}]={fmt(f.bias[o])}")
    rows.append(f"<b>Y[{o}, {i}, {j}] = {' + '.join(terms)} = {fmt(f.value)}</b>")
    shapes = (f"X: {f.x_shape} = c_i×n_h×n_w, K: {tuple(f.K.shape)} = c_o×c_i×k_h×k_w, "
              f"Y: {tuple(f.Y.shape)} = c_o×m_h×m_w")
    return "<code>" + "<br>".join(rows) + "</code><br><small>" + shapes + "</small>"


def draw_multi_channel(
    fig: Figure,
    X: torch.Tensor,
    K: torch.Tensor,
    out_channel: int,
    position: int,
    *,
    bias: torch.Tensor | None = None,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
) -> DrawResult:
    """Draw, for output channel ``out_channel`` at output cell number ``position``
    (row by row), each input channel's window, kernel slice and partial map, and
    the summed output channel.

    X: (c_i, H, W), K: (c_o, c_i, k_h, k_w), bias: (c_o,) or None.
    """
    f = channel_sum_at(X, K, out_channel, position, bias=bias, padding=padding, stride=stride)
    _plot_channels(fig, f)
    return _channels_html(f), f.info()


def multi_channel(
    X: torch.Tensor | None = None,
    K: torch.Tensor | None = None,
    *,
    bias: torch.Tensor | None = None,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
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
    units_w = X.shape[2] + 2 * p[1] + K.shape[3] + m_w + max(m_w, 4 + 2 * (bias is not None)) + 3 * GAP + 0.4
    units_h = X.shape[0] * (max(X.shape[1] + 2 * p[0], K.shape[2], m_h) + GAP) + 0.4
    scale = min(0.45, 9.0 / units_w, 7.0 / units_h)  # inches per cell; big inputs get smaller cells
    width, height = scale * units_w, scale * units_h
    # all front-end: c_o channels × output positions of a fixed input (3 × 4 frames by default)
    return ConvLabWidget(draw, controls, css_class="convlab-channels", figsize=(width, height),
                         frontend=("out_channel", "position"))
