"""Chapter 03: padding (填充), stride (步幅) and dilation (空洞卷积) — what they do to the output shape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from .._checks import IntOrPair, Pair, as_pair, check_index
from ..i18n import tr
from ..shapes import conv_output_shape
from ._base import ConvLabWidget, DrawResult, fmt, slider
from ._draw import CELL_COLOR, WINDOW_COLOR, draw_grid, fit_grid, outline, outline_cells

# cell categories of the padded input
PAD, UNUSED, INPUT, IN_WINDOW = 0, 1, 2, 3
_INPUT_CMAP = ListedColormap(["#e4e4e4", "#f6c9c9", "#dbe8f6", "#8fb8e3"])
_OUTPUT_CMAP = ListedColormap(["#ffffff", "#fde0c2", "#f5a05a"])
_LINES = "#9a9a9a"
ANNOTATE_ZEROS_MAX = 10  # write "0" in padding cells up to this padded size

# slider ranges (min, default max); a larger starting value widens the range
RANGES = {
    "input_size": (1, 12),
    "kernel_size": (1, 7),
    "padding": (0, 4),
    "stride": (1, 4),
    "dilation": (1, 3),
}


def conv2d_call(
    kernel_size: IntOrPair,
    *,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
    dilation: IntOrPair = 1,
    in_channels: int = 1,
    out_channels: int = 1,
) -> str:
    """The ``nn.Conv2d(...)`` call with these settings, e.g. ``nn.Conv2d(1, 1, kernel_size=3, padding=1)``.

    Defaults (padding 0, stride 1, dilation 1) are left out, as one would write it.
    """
    k = as_pair(kernel_size, "kernel_size", minimum=1)
    args = [str(in_channels), str(out_channels), f"kernel_size={fmt(k)}"]
    for name, value, default in (("padding", padding, 0), ("stride", stride, 1), ("dilation", dilation, 1)):
        pair = as_pair(value, name, minimum=default)
        if pair != (default, default):
            args.append(f"{name}={fmt(pair)}")
    return f"nn.Conv2d({', '.join(args)})"


def shape_formula(n: int, k: int, p: int, s: int, d: int, axis: str = "h") -> str:
    """One axis of the output-shape formula with the numbers filled in.

    ``⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1`` (PyTorch, ``p`` per side), e.g.
    ``⌊(8 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1 = ⌊7 / 2⌋ + 1 = 4``.
    """
    num = n + 2 * p - d * (k - 1) - 1
    out = num // s + 1
    return (f"{axis}_out = ⌊({n} + 2·{p} − {d}·({k} − 1) − 1) / {s}⌋ + 1 "
            f"= ⌊{num} / {s}⌋ + 1 = {out}")


def _d2l_formula(n: int, k: int, p: int, s: int, axis: str) -> str:
    total = 2 * p
    num = n - k + total + s
    label = tr(f"d2l ({axis}, total padding p_{axis} = 2·{p} = {total}): ",
               f"d2l（{axis}，总填充 p_{axis} = 2·{p} = {total}）：")
    return label + f"⌊({n} − {k} + {total} + {s}) / {s}⌋ = ⌊{num} / {s}⌋ = {num // s}"


def _covered(n_padded: int, k: int, s: int, d: int, n_out: int) -> np.ndarray:
    """Which rows (or columns) of the padded input some window touches."""
    used = np.zeros(n_padded, dtype=bool)
    starts = np.arange(n_out) * s
    used[(starts[:, None] + np.arange(k)[None, :] * d).ravel()] = True
    return used


@dataclass(frozen=True)
class PaddedWindow:
    """What the picture shows: the padded input's cells by category and the window at one output cell."""

    input_size: Pair
    kernel_size: Pair
    padding: Pair
    stride: Pair
    dilation: Pair
    output_shape: Pair
    cell: Pair
    grid: np.ndarray  # (H + 2p_h, W + 2p_w) of PAD, UNUSED, INPUT, IN_WINDOW
    rows: list[int]  # padded-input rows and columns under the window
    cols: list[int]
    unused_cells: int  # input cells no window ever touches

    def info(self) -> dict[str, Any]:
        (r0, r1), (c0, c1) = (self.rows[0], self.rows[-1]), (self.cols[0], self.cols[-1])
        return {"input_size": self.input_size, "kernel_size": self.kernel_size, "padding": self.padding,
                "stride": self.stride, "dilation": self.dilation, "padded_size": self.grid.shape,
                "output_shape": self.output_shape, "cell": self.cell,
                "window": (r0, c0, r1 - r0 + 1, c1 - c0 + 1), "taps": [(r, c) for r in self.rows for c in self.cols],
                "unused_cells": self.unused_cells, "formula": self.formulas(),
                "conv2d_call": conv2d_call(self.kernel_size, padding=self.padding, stride=self.stride,
                                           dilation=self.dilation)}

    def formulas(self) -> tuple[str, str]:
        return tuple(shape_formula(self.input_size[a], self.kernel_size[a], self.padding[a], self.stride[a],
                                   self.dilation[a], axis) for a, axis in enumerate("hw"))


def padded_window_at(input_size: IntOrPair, kernel_size: IntOrPair, padding: IntOrPair = 0,
                     stride: IntOrPair = 1, dilation: IntOrPair = 1, position: int = 0) -> PaddedWindow:
    """Which padded-input cells are padding, input, never used, or under the window at output
    cell ``position`` (counted row by row). Raises ``ValueError`` when there is no valid output."""
    n = as_pair(input_size, "input_size", minimum=1)
    k = as_pair(kernel_size, "kernel_size", minimum=1)
    p = as_pair(padding, "padding", minimum=0)
    s = as_pair(stride, "stride", minimum=1)
    d = as_pair(dilation, "dilation", minimum=1)
    out_h, out_w = conv_output_shape(n, k, padding=p, stride=s, dilation=d)  # raises if no output
    i, j = divmod(check_index(position, "position", out_h * out_w, f" for a {out_h}×{out_w} output"), out_w)
    H, W = n[0] + 2 * p[0], n[1] + 2 * p[1]
    used = _covered(H, k[0], s[0], d[0], out_h)[:, None] & _covered(W, k[1], s[1], d[1], out_w)[None, :]
    grid = np.full((H, W), PAD)
    inner = (slice(p[0], p[0] + n[0]), slice(p[1], p[1] + n[1]))
    grid[inner] = np.where(used[inner], INPUT, UNUSED)
    rows = i * s[0] + np.arange(k[0]) * d[0]
    cols = j * s[1] + np.arange(k[1]) * d[1]
    window = np.ix_(rows, cols)
    grid[window] = np.where(grid[window] == PAD, PAD, IN_WINDOW)
    return PaddedWindow(n, k, p, s, d, (out_h, out_w), (i, j), grid, rows.tolist(), cols.tolist(),
                        int((~used[inner]).sum()))


def _plot_padding(fig: Figure, w: PaddedWindow) -> None:
    (i, j), (out_h, out_w), (H, W) = w.cell, w.output_shape, w.grid.shape
    n, p, s = w.input_size, w.padding, w.stride
    ax_x, ax_y = fig.subplots(1, 2, width_ratios=[max(W, 3), max(out_w, 3)])
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.03, top=0.9, wspace=0.12)
    zeros = max(H, W) <= ANNOTATE_ZEROS_MAX and p != (0, 0)
    draw_grid(ax_x, w.grid, cmap=_INPUT_CMAP, vmin=-0.5, vmax=IN_WINDOW + 0.5, alpha=1, lines=_LINES, lw=0.5,
              labels=np.where(w.grid == PAD, "0", "") if zeros else False, fontsize=9, label_color="#888888")
    title = f"input {n[0]}×{n[1]}"
    if p != (0, 0):
        title += f" + padding {p[0]},{p[1]} per side → {H}×{W}"
    fit_grid(ax_x, (H, W), title, fontsize=10)
    starts_r = np.repeat(np.arange(out_h) * s[0], out_w)
    starts_c = np.tile(np.arange(out_w) * s[1], out_h)
    ax_x.scatter(starts_c - 0.3, starts_r - 0.3, s=8, color="#333333", zorder=3)
    if p != (0, 0):
        outline(ax_x, p[0], p[1], n[0], n[1], "#555555", lw=1.5)
    if w.dilation == (1, 1):
        outline(ax_x, w.rows[0], w.cols[0], *w.kernel_size, WINDOW_COLOR)
    else:
        outline_cells(ax_x, [(r, c) for r in w.rows for c in w.cols], WINDOW_COLOR)
    out = np.zeros((out_h, out_w))
    out.ravel()[: i * out_w + j + 1] = 1
    out[i, j] = 2
    draw_grid(ax_y, out, cmap=_OUTPUT_CMAP, vmin=-0.5, vmax=2.5, alpha=1, labels=False, lines=_LINES, lw=0.5)
    fit_grid(ax_y, (out_h, out_w), f"output {out_h}×{out_w}", fontsize=10)
    outline(ax_y, i, j, 1, 1, CELL_COLOR)


def _padding_html(w: PaddedWindow) -> str:
    n, k, p, s, d = w.input_size, w.kernel_size, w.padding, w.stride, w.dilation
    lines = [f"<code>{formula}</code>" for formula in w.formulas()]
    if d == (1, 1):
        lines += [f"<code>{_d2l_formula(n[a], k[a], p[a], s[a], axis)}</code>" for a, axis in enumerate("hw")]
    else:
        span = tuple(d[a] * (k[a] - 1) + 1 for a in range(2))
        lines.append(tr(f"dilated kernel spans d·(k − 1) + 1 = {span[0]}×{span[1]} cells with only "
                        f"{k[0]}×{k[1]} weights",
                        f"膨胀后的卷积核覆盖 d·(k − 1) + 1 = {span[0]}×{span[1]} 个格子，"
                        f"却只有 {k[0]}×{k[1]} 个权重"))
    rows, cols = f"{w.rows[0]}…{w.rows[-1]}", f"{w.cols[0]}…{w.cols[-1]}"
    cell = f"output[{w.cell[0]}, {w.cell[1]}]"
    lines.append(tr(f"{cell} ← padded input rows {rows}, cols {cols}",
                    f"<code>{cell}</code> ← 填充后输入的第 {rows} 行、第 {cols} 列"))
    if w.unused_cells:
        lines.append(tr(f"{w.unused_cells} input cell(s) are never under any window (pink)",
                        f"有 {w.unused_cells} 个输入格子从未落在任何窗口之下（粉色）"))
    call = conv2d_call(k, padding=p, stride=s, dilation=d)
    before, after = f"(1, 1, {n[0]}, {n[1]})", f"(1, 1, {w.output_shape[0]}, {w.output_shape[1]})"
    lines.append(tr(f"<code>{call}</code> turns {before} into {after}",
                    f"<code>{call}</code> 把 {before} 变成 {after}"))
    return "<br>".join(lines)


def draw_padding(
    fig: Figure,
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
    dilation: IntOrPair = 1,
    position: int = 0,
) -> DrawResult:
    """Draw the zero-padded input with the window at output cell ``position``, and the output grid.

    Padded input cells: grey = the zero border (填充), light blue = input, dark
    blue = under the current window, pink = input cells *no* window ever
    touches (the stride stepped over them, or the last window did not fit —
    the floor in the formula). Dots mark where each window starts. Output
    cells already visited are orange, the current one is outlined in red.
    ``position`` counts output cells row by row. Raises ``ValueError`` when the
    settings have no valid output (the ConvLab widget shows the message).
    """
    w = padded_window_at(input_size, kernel_size, padding, stride, dilation, position)
    _plot_padding(fig, w)
    return _padding_html(w), w.info()


_AXIS_NAMES = ("input_size", "kernel_size", "padding", "stride", "dilation")


def padding_stride(
    input_size: IntOrPair = 8,
    kernel_size: IntOrPair = 3,
    *,
    padding: IntOrPair = 1,
    stride: IntOrPair = 1,
    dilation: IntOrPair = 1,
    per_axis: bool | None = None,
    interval_ms: int = 600,
) -> ConvLabWidget:
    """Sliders for input size, kernel size, padding, stride and dilation, and a window position.

    Shows the padded input, the window stepping across it (position slider /
    play button), the output grid, the output-shape formula with the numbers
    filled in and the equivalent ``nn.Conv2d(...)`` call. With
    ``per_axis=True`` (the default when a starting value is a non-square pair)
    height and width get separate sliders, e.g. for
    ``padding_stride(8, (3, 5), padding=(0, 1), stride=(3, 4))``. Settings
    with no valid output show a message instead of a picture.
    """
    start = {
        "input_size": as_pair(input_size, "input_size", minimum=1),
        "kernel_size": as_pair(kernel_size, "kernel_size", minimum=1),
        "padding": as_pair(padding, "padding", minimum=0),
        "stride": as_pair(stride, "stride", minimum=1),
        "dilation": as_pair(dilation, "dilation", minimum=1),
    }
    if per_axis is None:
        per_axis = any(v[0] != v[1] for v in start.values())
    if not per_axis and any(v[0] != v[1] for v in start.values()):
        raise ValueError("per_axis=False needs square settings (equal height and width values); "
                         f"got {({k: v for k, v in start.items() if v[0] != v[1]})}")

    controls: dict[str, widgets.IntSlider] = {}
    for name in _AXIS_NAMES:
        lo, hi = RANGES[name]
        label = name.replace("_", " ")
        if per_axis:
            for axis, value in zip(("h", "w"), start[name], strict=True):
                controls[f"{name}_{axis}"] = slider(f"{label} ({axis})", value, lo, max(hi, value))
        else:
            value = start[name][0]
            controls[name] = slider(label, value, lo, max(hi, value))

    def settings(values: dict[str, int]) -> dict[str, tuple[int, int]]:
        if per_axis:
            return {name: (values[f"{name}_h"], values[f"{name}_w"]) for name in _AXIS_NAMES}
        return {name: (values[name], values[name]) for name in _AXIS_NAMES}

    def n_cells(values: dict[str, int]) -> int | None:
        cfg = settings(values)
        try:
            h, w = conv_output_shape(cfg["input_size"], cfg["kernel_size"], padding=cfg["padding"],
                                     stride=cfg["stride"], dilation=cfg["dilation"])
        except ValueError:
            return None
        return h * w

    conv_output_shape(start["input_size"], start["kernel_size"], padding=start["padding"],
                      stride=start["stride"], dilation=start["dilation"])  # an invalid start raises here
    position = slider("output position", 0, 0, 0)  # its range follows the other sliders (ranges=)
    play = widgets.Play(value=0, min=0, max=0, interval=interval_ms, description="play")
    widgets.jslink((play, "value"), (position, "value"))

    def draw(fig: Figure, position: int, **values: int) -> DrawResult:
        cfg = settings(values)
        return draw_padding(fig, cfg["input_size"], cfg["kernel_size"], cfg["padding"], cfg["stride"],
                            cfg["dilation"], position)

    # front-end: the window position (a frame per output cell while the budget allows: 8×8 by default);
    # the five shape sliders are kernel-side
    return ConvLabWidget(draw, {**controls, "position": position}, css_class="convlab-padding-stride",
                         figsize=(8.0, 3.6), extra=[play], ranges={"position": (n_cells, [play])},
                         frontend=("position",))
