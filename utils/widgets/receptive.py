"""Chapter 07: trace one output unit back through the layers to its 感受野 receptive field."""

from __future__ import annotations

from collections.abc import Iterable

import ipywidgets as widgets
import numpy as np
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

    The input panel outlines the receptive field from the calculator (dashed
    where it reaches into padding); the last panel marks the unit itself.
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
    axes = fig.subplots(1, len(masks), width_ratios=[m.shape[1] for m in masks])
    titles = [f"input {n[0]}×{n[1]}"] + [f"{f.layer.label}\n→ {f.output_size[0]}×{f.output_size[1]}"
                                         for f in fields]
    for ax, mask, title in zip(axes, masks, titles):
        h, w = mask.shape
        ax.imshow(mask.numpy().astype(np.uint8), cmap=_CMAP, vmin=0, vmax=1, interpolation="nearest")
        # grid as two line collections: minor ticks would cost one Tick artist per cell edge
        ax.hlines(np.arange(-0.5, h, 1), -0.5, w - 0.5, colors="white", lw=0.5)
        ax.vlines(np.arange(-0.5, w, 1), -0.5, h - 0.5, colors="white", lw=0.5)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize=9)
        ax.set_xlim(-0.5, w - 0.5)
        ax.set_ylim(h - 0.5, -0.5)
    box = Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0, r1 - r0, fill=False, edgecolor=WINDOW_COLOR, lw=2,
                    ls="--" if (r0, c0, r1, c1) != (cr0, cc0, cr1, cc1) else "-", clip_on=False)
    axes[0].add_patch(box)
    axes[0].set_xlim(min(-0.5, c0 - 0.5), max(n[1] - 0.5, c1 - 0.5))
    axes[0].set_ylim(max(n[0] - 0.5, r1 - 0.5), min(-0.5, r0 - 0.5))
    axes[-1].add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, fill=True, facecolor=CELL_COLOR,
                                 edgecolor=CELL_COLOR, lw=2))
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
        + (" (clipped at the border; the rest is padding)" if (cr0, cc0, cr1, cc1) != (r0, c0, r1, c1) else "")
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

    n_panels = max(len(stack) for stack, _ in configs.values()) + 1
    return ConvLabWidget(draw, controls, css_class="convlab-receptive-field",
                         figsize=(min(2.3 * n_panels, 12), 3.0))
