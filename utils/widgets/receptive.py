"""Chapter 07: trace one output unit back through the layers to its 感受野 receptive field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import torch
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from torch import nn

from .._checks import IntOrPair, Pair, as_pair
from ..i18n import tr
from ..receptive import Layer, ReceptiveField, conv_layer, footprints, pool_layer, receptive_fields, to_layers
from ._base import ConvLabWidget, DrawResult, slider
from ._draw import CELL_COLOR, WINDOW_COLOR, draw_grid, outline

__all__ = ["PRESETS", "draw_receptive_field", "receptive_field_widget"]

# name → (layers, input size). Same-size padding keeps every unit on the grid selectable.
PRESETS: dict[str, tuple[list[Layer], int]] = {
    "three 3×3 convs": ([conv_layer(3, padding=1)] * 3, 16),
    "3×3 convs, dilation 1, 2, 4": ([conv_layer(3, padding=1), conv_layer(3, padding=2, dilation=2),
                                     conv_layer(3, padding=4, dilation=4)], 20),
    "conv 3×3, max-pool 2, conv 3×3": ([conv_layer(3, padding=1), pool_layer(2), conv_layer(3, padding=1)], 16),
    "LeNet: conv 5×5 p2, pool 2, conv 5×5, pool 2": ([conv_layer(5, padding=2), pool_layer(2), conv_layer(5),
                                                      pool_layer(2)], 28),
}

_CMAP = ListedColormap(["#f4f4f4", "#9ecae1"])  # cells that cannot / can reach the unit
GAP = 3  # cells between neighbouring maps


@dataclass(frozen=True)
class Trace:
    """One unit of the last layer traced back: every map's footprint and the input's receptive field."""

    input_size: Pair
    fields: list[ReceptiveField]  # one per layer
    masks: list[torch.Tensor]  # input first: the cells of each map that can reach the unit
    unit: Pair
    region: tuple[Pair, Pair]  # input rows and columns the unit sees (half-open), clipped to the image
    unclipped: tuple[Pair, Pair]  # the same, reaching into the padding
    margin: tuple[int, int, int, int]  # top, left, bottom, right: padding any unit's field reaches into
    offsets: list[int]  # left column of each map in the shared axes

    def info(self) -> dict[str, Any]:
        rf = self.fields[-1]
        return {"unit": self.unit, "region": self.region, "region_unclipped": self.unclipped,
                "size": rf.size, "jump": rf.jump, "start": rf.start, "layers": [f.layer.label for f in self.fields],
                "footprint_counts": [int(m.sum()) for m in self.masks], "output_size": rf.output_size,
                "panel_offsets": self.offsets, "margin": self.margin[:2]}


def trace_unit(layers: nn.Module | Iterable[object], input_size: IntOrPair, row: int, col: int) -> Trace:
    """Which cells of every map can reach output unit (row, col), and where each map is drawn."""
    stack = to_layers(layers)
    n = as_pair(input_size, "input_size", minimum=1)
    fields = receptive_fields(stack, n)
    rf, out = fields[-1], fields[-1].output_size
    if not (0 <= row < out[0] and 0 <= col < out[1]):
        raise ValueError(f"unit ({row}, {col}) is outside the last layer's {out[0]}×{out[1]} output")
    masks = footprints(stack, n, (row, col))
    (_, far_r), (_, far_c) = rf.region(out[0] - 1, out[1] - 1)
    margin = (max(0, -rf.start[0]), max(0, -rf.start[1]), max(0, far_r - n[0]), max(0, far_c - n[1]))
    offsets, x = [], margin[1]
    for k, m in enumerate(masks):
        offsets.append(x)
        x += m.shape[1] + (margin[3] if k == 0 else 0) + GAP
    return Trace(n, fields, masks, (row, col), rf.region(row, col, n), rf.region(row, col), margin, offsets)


def _plot_trace(fig: Figure, t: Trace) -> None:
    """All maps share one axes, input (left) to last layer (right): one axes renders far faster than one per map."""
    n, (top, _left, bottom, _right) = t.input_size, t.margin
    width = t.offsets[-1] + t.masks[-1].shape[1]
    height = top + max(n[0] + bottom, *(m.shape[0] for m in t.masks))
    titles = [f"input {n[0]}×{n[1]}"] + [f"{f.layer.label}\n→ {f.output_size[0]}×{f.output_size[1]}"
                                         for f in t.fields]
    ax = fig.subplots()
    for x0, mask, title in zip(t.offsets, t.masks, titles, strict=True):
        h, w = mask.shape
        draw_grid(ax, mask, at=(x0, top), cmap=_CMAP, vmin=0, vmax=1, alpha=1, labels=False, lines="white", lw=0.4)
        outline(ax, top, x0, h, w, "#555555", lw=0.8)
        ax.text(x0 + w / 2 - 0.5, top - 1.2, title, ha="center", va="bottom", fontsize=8)
    ((r0, r1), (c0, c1)), (row, col) = t.unclipped, t.unit
    outline(ax, top + r0, t.offsets[0] + c0, r1 - r0, c1 - c0, WINDOW_COLOR, lw=2,
            ls="--" if t.region != t.unclipped else "-", label="receptive field")
    ax.add_patch(Rectangle((t.offsets[-1] + col - 0.5, top + row - 0.5), 1, 1, facecolor=CELL_COLOR,
                           edgecolor=CELL_COLOR, lw=1.5, label="unit"))
    ax.set_xlim(-1, width)
    ax.set_ylim(height, -4.5)
    ax.set_aspect("equal")
    ax.axis("off")


def _trace_html(t: Trace) -> str:
    rf, (row, col), ((cr0, cr1), (cc0, cc1)) = t.fields[-1], t.unit, t.region
    rows = "".join(
        f"<tr><td>{f.layer.label}</td><td>{f.size[0]}×{f.size[1]}</td><td>{f.jump[0]}×{f.jump[1]}</td>"
        f"<td>{f.start[0]}, {f.start[1]}</td></tr>" for f in t.fields)
    prev = t.fields[-2] if len(t.fields) > 1 else None
    j_prev, r_prev = (prev.jump[0], prev.size[0]) if prev else (1, 1)
    last = rf.layer
    formula = (f"r = {r_prev} + ({last.kernel_size[0]} − 1)·{last.dilation[0]}·{j_prev} = {rf.size[0]} "
               + tr("(rows)", "（行方向）"))
    seen_rows, seen_cols, size = f"<b>{cr0}…{cr1 - 1}</b>", f"<b>{cc0}…{cc1 - 1}</b>", f"{rf.size[0]}×{rf.size[1]}"
    clipped, pixels = t.region != t.unclipped, int(t.masks[0].sum())
    sees = tr(
        f"Unit ({row}, {col}) of the last layer sees input rows {seen_rows} and columns {seen_cols}: "
        f"a {size} receptive field" + (" (clipped at the border; the rest is padding)" if clipped else "")
        + f"; {pixels} input pixels actually feed it.",
        f"最后一层的单元 ({row}, {col}) 能看到输入的第 {seen_rows} 行和第 {seen_cols} 列：感受野为 {size}"
        + ("（在边界处被截断，其余部分是填充）" if clipped else "") + f"；实际连到它的输入像素有 {pixels} 个。",
    )
    headers = "".join(f"<th>{h}</th>" for h in (tr("layer", "层"), tr("receptive field r", "感受野 r"),
                                                 tr("jump j", "跳距 j"), tr("start t", "起点 t")))
    return (
        f"<div>{sees}</div>"
        f"<div><code>r_l = r_(l−1) + (k_l − 1)·d_l·j_(l−1), j_l = j_(l−1)·s_l</code>{tr('; last layer: ', '；最后一层：')}"
        f"<code>{formula}</code></div>"
        f"<table><tr>{headers}</tr>"
        f"{rows}</table>"
    )


def draw_receptive_field(fig: Figure, layers: nn.Module | Iterable[object], input_size: IntOrPair,
                         row: int, col: int) -> DrawResult:
    """Draw every feature map with the cells that can reach output unit (row, col) shaded.

    All maps share one axes, left (input) to right (last layer). The input map
    is outlined with the calculator's receptive field (dashed where it reaches
    into padding, patch label ``"receptive field"``); the unit itself is the
    red cell (label ``"unit"``) on the last map.
    """
    t = trace_unit(layers, input_size, row, col)
    _plot_trace(fig, t)
    return _trace_html(t), t.info()


def receptive_field_widget(layers: nn.Module | Iterable[object] | None = None,
                           input_size: IntOrPair = 16) -> ConvLabWidget:
    """Pick an output unit (and, without ``layers``, a preset network); see what it can see.

    ``layers``: an ``nn.Sequential`` of Conv2d/pooling/activations or a list of
    layer specs (see ``utils.receptive``); None offers the presets in ``PRESETS``.
    """
    if layers is None:
        configs = {name: (stack, as_pair(size, "input_size", minimum=1)) for name, (stack, size) in PRESETS.items()}
    else:
        configs = {"custom": (to_layers(layers), as_pair(input_size, "input_size", minimum=1))}
    sizes = {name: receptive_fields(stack, n)[-1].output_size for name, (stack, n) in configs.items()}
    first = next(iter(configs))
    controls: dict[str, widgets.ValueWidget] = {}
    if len(configs) > 1:
        controls["network"] = widgets.Dropdown(options=list(configs), value=first, description="network",
                                               style={"description_width": "initial"})
    h, w = sizes[first]
    controls["row"] = slider("unit row", h // 2, 0, h - 1)
    controls["col"] = slider("unit column", w // 2, 0, w - 1)

    def draw(fig: Figure, row: int, col: int, network: str = first) -> DrawResult:
        stack, n = configs[network]
        return draw_receptive_field(fig, stack, n, row, col)

    def size(axis: int):
        return lambda values: sizes[values.get("network", first)][axis]

    # front-end: the unit's row × column while they fit the budget (LeNet's 5×5), else the column
    # alone (16 frames of a 16×16 map); the network is kernel-side
    return ConvLabWidget(draw, controls, css_class="convlab-receptive-field", figsize=(10, 3.4),
                         ranges={"row": (size(0), []), "col": (size(1), [])}, frontend=("row", "col"))
