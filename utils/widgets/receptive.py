"""Chapter 07: trace one output unit back through the layers to its 感受野 receptive field."""

from __future__ import annotations

from collections.abc import Iterable

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from torch import nn

from .._checks import as_pair
from ..receptive import Layer, conv_layer, footprints, pool_layer, receptive_fields, to_layers
from ._base import ConvLabWidget, DrawResult, slider
from ._draw import CELL_COLOR, WINDOW_COLOR

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

_OFF, _ON = "#f4f4f4", "#9ecae1"
_CMAP = ListedColormap([_OFF, _ON])


def draw_receptive_field(fig: Figure, layers: nn.Module | Iterable[object], input_size: int | tuple[int, int],
                         row: int, col: int) -> DrawResult:
    """Draw every feature map with the cells that can reach output unit (row, col) shaded.

    All maps share one axes, left (input) to right (last layer), so a redraw
    builds one axes instead of one per layer. The input map is outlined with
    the calculator's receptive field (dashed where it reaches into padding,
    patch label ``"receptive field"``); the unit itself is the red cell
    (label ``"unit"``) on the last map.
    """
    stack = to_layers(layers)
    n = as_pair(input_size, "input_size", minimum=1)
    fields = receptive_fields(stack, n)
    out = fields[-1].output_size
    if not (0 <= row < out[0] and 0 <= col < out[1]):
        raise ValueError(f"unit ({row}, {col}) is outside the last layer's {out[0]}×{out[1]} output")
    masks = footprints(stack, n, (row, col))
    rf = fields[-1]
    (r0, r1), (c0, c1) = rf.region(row, col)
    (cr0, cr1), (cc0, cc1) = rf.region(row, col, n)
    # margins around the input map: the farthest any unit's field reaches into the padding
    (_, far_r), (_, far_c) = rf.region(out[0] - 1, out[1] - 1)
    top, left = max(0, -rf.start[0]), max(0, -rf.start[1])
    bottom, right = max(0, far_r - n[0]), max(0, far_c - n[1])
    gap = 3
    offsets, x = [], left
    for k, m in enumerate(masks):
        offsets.append(x)
        x += m.shape[1] + (right if k == 0 else 0) + gap
    width, height = x - gap, top + max(n[0] + bottom, *(m.shape[0] for m in masks))
    canvas = np.full((height, width), np.nan)
    segments = []
    titles = [f"input {n[0]}×{n[1]}"] + [f"{f.layer.label}\n→ {f.output_size[0]}×{f.output_size[1]}"
                                         for f in fields]
    ax = fig.subplots()
    for x0, mask, title in zip(offsets, masks, titles):
        h, w = mask.shape
        canvas[top:top + h, x0:x0 + w] = mask.numpy()
        ys, xs = np.arange(h + 1) + top - 0.5, np.arange(w + 1) + x0 - 0.5
        segments += [[(xs[0], y), (xs[-1], y)] for y in ys] + [[(xv, ys[0]), (xv, ys[-1])] for xv in xs]
        ax.add_patch(Rectangle((x0 - 0.5, top - 0.5), w, h, fill=False, edgecolor="#555555", lw=0.8))
        ax.text(x0 + w / 2 - 0.5, top - 1.2, title, ha="center", va="bottom", fontsize=8)
    ax.imshow(np.ma.masked_invalid(canvas), cmap=_CMAP, vmin=0, vmax=1, interpolation="nearest")
    ax.add_collection(LineCollection(segments, colors="white", linewidths=0.4))
    clipped = (r0, c0, r1, c1) != (cr0, cc0, cr1, cc1)
    ax.add_patch(Rectangle((left + c0 - 0.5, top + r0 - 0.5), c1 - c0, r1 - r0, fill=False,
                           edgecolor=WINDOW_COLOR, lw=2, ls="--" if clipped else "-", label="receptive field"))
    ax.add_patch(Rectangle((offsets[-1] + col - 0.5, top + row - 0.5), 1, 1, facecolor=CELL_COLOR,
                           edgecolor=CELL_COLOR, lw=1.5, label="unit"))
    ax.set_xlim(-1, width)
    ax.set_ylim(height, -4.5)
    ax.set_aspect("equal")
    ax.axis("off")
    rows = "".join(
        f"<tr><td>{f.layer.label}</td><td>{f.size[0]}×{f.size[1]}</td><td>{f.jump[0]}×{f.jump[1]}</td>"
        f"<td>{f.start[0]}, {f.start[1]}</td></tr>" for f in fields)
    last = stack[-1]
    prev = fields[-2] if len(fields) > 1 else None
    j_prev = prev.jump[0] if prev else 1
    r_prev = prev.size[0] if prev else 1
    formula = (f"r = {r_prev} + ({last.kernel_size[0]} − 1)·{last.dilation[0]}·{j_prev} = {rf.size[0]}"
               " (rows)")
    seen = int(masks[0].sum())
    html = (
        f"<div>Unit ({row}, {col}) of the last layer sees input rows <b>{cr0}…{cr1 - 1}</b> and columns "
        f"<b>{cc0}…{cc1 - 1}</b>: a {rf.size[0]}×{rf.size[1]} receptive field"
        + (" (clipped at the border; the rest is padding)" if clipped else "")
        + f"; {seen} input pixels actually feed it.</div>"
        f"<div><code>r_l = r_(l−1) + (k_l − 1)·d_l·j_(l−1), j_l = j_(l−1)·s_l</code>; last layer: "
        f"<code>{formula}</code></div>"
        "<table><tr><th>layer</th><th>receptive field r</th><th>jump j</th><th>start t</th></tr>"
        f"{rows}</table>"
    )
    info = {
        "unit": (row, col),
        "region": ((cr0, cr1), (cc0, cc1)),
        "region_unclipped": ((r0, r1), (c0, c1)),
        "size": rf.size,
        "jump": rf.jump,
        "start": rf.start,
        "layers": [f.layer.label for f in fields],
        "footprint_counts": [int(m.sum()) for m in masks],
        "output_size": out,
        "panel_offsets": offsets,
        "margin": (top, left),
    }
    return html, info


def receptive_field_widget(layers: nn.Module | Iterable[object] | None = None,
                           input_size: int | tuple[int, int] = 16) -> ConvLabWidget:
    """Pick an output unit (and, without ``layers``, a preset network); see what it can see.

    ``layers``: an ``nn.Sequential`` of Conv2d/pooling/activations or a list of
    layer specs (see ``utils.receptive``); None offers the presets in ``PRESETS``.
    """
    if layers is None:
        choices = list(PRESETS)
        configs = {name: (stack, as_pair(size, "input_size", minimum=1)) for name, (stack, size) in PRESETS.items()}
    else:
        choices = ["custom"]
        configs = {"custom": (to_layers(layers), as_pair(input_size, "input_size", minimum=1))}
    sizes = {name: receptive_fields(stack, n)[-1].output_size for name, (stack, n) in configs.items()}
    first = sizes[choices[0]]
    row = slider("unit row", first[0] // 2, 0, first[0] - 1)
    col = slider("unit column", first[1] // 2, 0, first[1] - 1)
    controls: dict[str, widgets.ValueWidget] = {}
    if len(choices) > 1:
        network = widgets.Dropdown(options=choices, value=choices[0], description="network",
                                   style={"description_width": "initial"})

        def resize(change: dict) -> None:  # registered before the redraw observer, so it runs first
            h, w = sizes[change["new"]]
            row.max, col.max = h - 1, w - 1  # the slider clamps its value

        network.observe(resize, names="value")
        controls["network"] = network
    controls.update(row=row, col=col)

    def draw(fig: Figure, row: int, col: int, network: str = choices[0]) -> DrawResult:
        stack, n = configs[network]
        return draw_receptive_field(fig, stack, n, row, col)

    return ConvLabWidget(draw, controls, css_class="convlab-receptive-field", figsize=(10, 3.4))
