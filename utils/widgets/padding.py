"""Chapter 03: padding (填充), stride (步幅) and dilation (空洞卷积) — what they do to the output shape."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from .._checks import as_pair
from ..shapes import conv_output_shape
from ._base import ConvLabWidget, DrawResult, slider
from ._draw import CELL_COLOR, WINDOW_COLOR, outline, outline_cells

IntOrPair = int | tuple[int, int]

# cell categories of the padded input
PAD, UNUSED, INPUT, IN_WINDOW = 0, 1, 2, 3
_INPUT_CMAP = ListedColormap(["#e4e4e4", "#f6c9c9", "#dbe8f6", "#8fb8e3"])
_OUTPUT_CMAP = ListedColormap(["#ffffff", "#fde0c2", "#f5a05a"])
ANNOTATE_ZEROS_MAX = 10  # write "0" in padding cells up to this padded size

# slider ranges (min, default max); a larger starting value widens the range
RANGES = {
    "input_size": (1, 12),
    "kernel_size": (1, 7),
    "padding": (0, 4),
    "stride": (1, 4),
    "dilation": (1, 3),
}


def _pair_text(name: str, value: tuple[int, int]) -> str:
    return f"{name}={value[0]}" if value[0] == value[1] else f"{name}=({value[0]}, {value[1]})"


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
    p = as_pair(padding, "padding", minimum=0)
    s = as_pair(stride, "stride", minimum=1)
    d = as_pair(dilation, "dilation", minimum=1)
    args = [str(in_channels), str(out_channels), _pair_text("kernel_size", k)]
    for name, value, default in (("padding", p, 0), ("stride", s, 1), ("dilation", d, 1)):
        if value != (default, default):
            args.append(_pair_text(name, value))
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
    return (f"d2l ({axis}, total padding p_{axis} = 2·{p} = {total}): "
            f"⌊({n} − {k} + {total} + {s}) / {s}⌋ = ⌊{num} / {s}⌋ = {num // s}")


def _covered(n_padded: int, k: int, s: int, d: int, n_out: int) -> np.ndarray:
    """Which rows (or columns) of the padded input some window touches."""
    used = np.zeros(n_padded, dtype=bool)
    starts = np.arange(n_out) * s
    used[(starts[:, None] + np.arange(k)[None, :] * d).ravel()] = True
    return used


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
    n = as_pair(input_size, "input_size", minimum=1)
    k = as_pair(kernel_size, "kernel_size", minimum=1)
    p = as_pair(padding, "padding", minimum=0)
    s = as_pair(stride, "stride", minimum=1)
    d = as_pair(dilation, "dilation", minimum=1)
    out_h, out_w = conv_output_shape(n, k, padding=p, stride=s, dilation=d)  # raises if no output
    n_out = out_h * out_w
    if not 0 <= position < n_out:
        raise ValueError(f"position must be in [0, {n_out - 1}] for a {out_h}×{out_w} output, got {position}")
    i, j = divmod(position, out_w)
    H, W = n[0] + 2 * p[0], n[1] + 2 * p[1]

    used_r = _covered(H, k[0], s[0], d[0], out_h)
    used_c = _covered(W, k[1], s[1], d[1], out_w)
    grid = np.full((H, W), PAD)
    inner = (slice(p[0], p[0] + n[0]), slice(p[1], p[1] + n[1]))
    grid[inner] = INPUT
    unused = ~(used_r[:, None] & used_c[None, :])
    grid[inner] = np.where(unused[inner], UNUSED, INPUT)
    rows = i * s[0] + np.arange(k[0]) * d[0]
    cols = j * s[1] + np.arange(k[1]) * d[1]
    taps = [(int(r), int(c)) for r in rows for c in cols]
    win = grid[np.ix_(rows, cols)]
    grid[np.ix_(rows, cols)] = np.where(win == PAD, PAD, IN_WINDOW)

    ax_x, ax_y = fig.subplots(1, 2, width_ratios=[max(W, 3), max(out_w, 3)])
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.03, top=0.9, wspace=0.12)
    _grid(ax_x, grid, _INPUT_CMAP, vmax=3)
    if max(H, W) <= ANNOTATE_ZEROS_MAX and (p[0] or p[1]):
        size = 9
        for r, c in zip(*np.nonzero(grid == PAD), strict=True):
            ax_x.text(c, r, "0", ha="center", va="center", fontsize=size, color="#888888")
    starts_r = np.repeat(np.arange(out_h) * s[0], out_w)
    starts_c = np.tile(np.arange(out_w) * s[1], out_h)
    ax_x.scatter(starts_c - 0.3, starts_r - 0.3, s=8, color="#333333", zorder=3)
    if p != (0, 0):
        outline(ax_x, p[0], p[1], n[0], n[1], "#555555", lw=1.5)
    if d == (1, 1):
        outline(ax_x, int(rows[0]), int(cols[0]), k[0], k[1], WINDOW_COLOR)
    else:
        outline_cells(ax_x, taps, WINDOW_COLOR)
    title = f"input {n[0]}×{n[1]}"
    if p != (0, 0):
        title += f" + padding {p[0]},{p[1]} per side → {H}×{W}"
    ax_x.set_title(title, fontsize=10)

    out = np.zeros((out_h, out_w))
    out.ravel()[: position + 1] = 1
    out[i, j] = 2
    _grid(ax_y, out, _OUTPUT_CMAP, vmax=2)
    outline(ax_y, i, j, 1, 1, CELL_COLOR)
    ax_y.set_title(f"output {out_h}×{out_w}", fontsize=10)

    formula_h = shape_formula(n[0], k[0], p[0], s[0], d[0], "h")
    formula_w = shape_formula(n[1], k[1], p[1], s[1], d[1], "w")
    call = conv2d_call(k, padding=p, stride=s, dilation=d)
    lines = [
        f"<code>{formula_h}</code>",
        f"<code>{formula_w}</code>",
    ]
    if d == (1, 1):
        lines.append(f"<code>{_d2l_formula(n[0], k[0], p[0], s[0], 'h')}</code>")
        lines.append(f"<code>{_d2l_formula(n[1], k[1], p[1], s[1], 'w')}</code>")
    else:
        span = tuple(d[a] * (k[a] - 1) + 1 for a in range(2))
        lines.append(f"dilated kernel spans d·(k − 1) + 1 = {span[0]}×{span[1]} cells with only "
                     f"{k[0]}×{k[1]} weights")
    lines.append(f"output[{i}, {j}] ← padded input rows {int(rows[0])}…{int(rows[-1])}, "
                 f"cols {int(cols[0])}…{int(cols[-1])}")
    n_unused = int(unused[inner].sum())
    if n_unused:
        lines.append(f"{n_unused} input cell(s) are never under any window (pink)")
    lines.append(f"<code>{call}</code> turns (1, 1, {n[0]}, {n[1]}) into (1, 1, {out_h}, {out_w})")
    html = "<br>".join(lines)
    info: dict[str, Any] = {
        "input_size": n,
        "kernel_size": k,
        "padding": p,
        "stride": s,
        "dilation": d,
        "padded_size": (H, W),
        "output_shape": (out_h, out_w),
        "cell": (i, j),
        "window": (int(rows[0]), int(cols[0]), int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)),
        "taps": taps,
        "unused_cells": n_unused,
        "formula": (formula_h, formula_w),
        "conv2d_call": call,
    }
    return html, info


def _grid(ax: Any, values: np.ndarray, cmap: ListedColormap, vmax: int) -> None:
    """Cells with grid lines in one QuadMesh; cell (r, c) is centred at (c, r).

    No ticks at all: tick layout is the slowest part of rendering a small
    figure, and the grid lines come free with the mesh edges.
    """
    rows, cols = values.shape
    ax.pcolormesh(np.arange(cols + 1) - 0.5, np.arange(rows + 1) - 0.5, values, cmap=cmap,
                  vmin=-0.5, vmax=vmax + 0.5, edgecolors="#9a9a9a", linewidth=0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect("equal")
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)


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

    first = n_cells({name: c.value for name, c in controls.items()})
    if first is None:
        conv_output_shape(start["input_size"], start["kernel_size"], padding=start["padding"],
                          stride=start["stride"], dilation=start["dilation"])  # raises the clear error
    position = slider("output position", 0, 0, max((first or 1) - 1, 0))
    play = widgets.Play(value=0, min=0, max=position.max, interval=interval_ms, description="play")
    widgets.jslink((play, "value"), (position, "value"))

    def draw(fig: Figure, position: int, **values: int) -> DrawResult:
        cfg = settings(values)
        return draw_padding(fig, cfg["input_size"], cfg["kernel_size"], cfg["padding"], cfg["stride"],
                            cfg["dilation"], position)

    return ConvLabWidget(draw, {**controls, "position": position}, css_class="convlab-padding-stride",
                         figsize=(8.0, 3.6), extra=[play], ranges={"position": (n_cells, [play])})
