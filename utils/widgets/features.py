"""Chapter 06: what a trained LeNet sees — feature maps (特征图) and receptive fields (感受野).

Pure functions first (``layer_activations``, ``spatial_layers``,
``draw_feature_maps``, ``draw_trained_receptive_field``), then the two widgets
that wire them to sliders: ``feature_maps`` and ``trained_receptive_field``.
The receptive-field geometry comes from ``utils.receptive`` (chapter 04);
here it is drawn on a real digit, next to the gradient of a trained unit.
"""

from __future__ import annotations

import html
import numbers
from contextlib import contextmanager

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn

from ..receptive import receptive_fields, to_layers
from ._base import ConvLabWidget, DrawResult, slider
from ._draw import CELL_COLOR, WINDOW_COLOR, outline

__all__ = [
    "draw_feature_maps",
    "draw_trained_receptive_field",
    "feature_maps",
    "layer_activations",
    "spatial_layers",
    "trained_receptive_field",
]

MOSAIC_COLS = 8


def _check_net(net: object) -> nn.Sequential:
    if not isinstance(net, nn.Sequential):
        raise TypeError(f"net must be an nn.Sequential, got {type(net).__name__}")
    return net


def _check_layer(net: nn.Sequential, layer: object) -> int:
    if isinstance(layer, bool) or not isinstance(layer, numbers.Integral):
        raise TypeError(f"layer must be an int index into net, got {layer!r}")
    if not 0 <= layer < len(net):
        raise ValueError(f"layer must be in [0, {len(net) - 1}], got {layer}")
    return int(layer)


def _check_image(x: object) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor of shape (C, H, W), got {type(x).__name__}")
    if x.ndim != 3:
        raise ValueError(f"x must have shape (C, H, W), got {tuple(x.shape)}")
    return x.float()


@contextmanager
def _one_thread():
    """Run tiny single-image passes on one thread: on a busy CPU, waking a thread
    pool for a 28×28 image costs more than the work (restored afterwards)."""
    before = torch.get_num_threads()
    if before != 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if before != 1:
            torch.set_num_threads(before)


def _device(net: nn.Module) -> torch.device:
    param = next(net.parameters(), None)
    return param.device if param is not None else torch.device("cpu")


def layer_activations(net: nn.Sequential, x: torch.Tensor) -> list[tuple[str, torch.Tensor]]:
    """Every layer's output for one image: x: (C, H, W) → [(name, (C', H', W') or (n,)), ...].

    Runs in evaluation mode (batch norm uses its running statistics); tensors
    come back detached on the CPU.
    """
    net = _check_net(net)
    X = _check_image(x)[None].to(_device(net))
    net.eval()
    out = []
    with torch.no_grad(), _one_thread():
        for layer in net:
            X = layer(X)
            out.append((type(layer).__name__, X[0].detach().cpu()))
    return out


def spatial_layers(net: nn.Sequential) -> list[int]:
    """Indices of the leading layers whose units still have a position (conv, pooling and
    what keeps positions: activations, batch norm); stops at the first Flatten/Linear."""
    out = []
    for idx, m in enumerate(_check_net(net)):
        try:
            to_layers(m)
        except (ValueError, TypeError):
            break
        out.append(idx)
    return out


def _mosaic(maps: np.ndarray, cols: int) -> np.ndarray:
    """Tile (C, H, W) maps into one image with a one-pixel NaN gap between tiles."""
    C, H, W = maps.shape
    cols = min(cols, C)
    rows = -(-C // cols)
    out = np.full((rows * (H + 1) - 1, cols * (W + 1) - 1), np.nan)
    for c in range(C):
        r, q = divmod(c, cols)
        out[r * (H + 1): r * (H + 1) + H, q * (W + 1): q * (W + 1) + W] = maps[c]
    return out


def _scaled(maps: np.ndarray, per_channel: bool) -> np.ndarray:
    axes = tuple(range(1, maps.ndim)) if per_channel else None
    lo = maps.min(axis=axes, keepdims=per_channel)
    hi = maps.max(axis=axes, keepdims=per_channel)
    return (maps - lo) / np.where(hi > lo, hi - lo, 1.0)


def _cmap(name: str):
    import matplotlib

    return matplotlib.colormaps[name].with_extremes(bad="white")


def _two_axes(fig: Figure, split: float, titles: bool = True):
    """Two side-by-side axes at fixed places: faster than a layout engine (≤ 100 ms redraws)."""
    fig.set_layout_engine("none")
    top = 0.82 if titles else 0.98
    return (fig.add_axes((0.01, 0.03, split - 0.03, top - 0.03)),
            fig.add_axes((split + 0.01, 0.03, 0.98 - split, top - 0.03)))


def draw_feature_maps(
    fig: Figure, net: nn.Sequential, x: torch.Tensor, layer: int, *, scale: str = "channel",
    label: int | None = None, activations: list[tuple[str, torch.Tensor]] | None = None,
) -> DrawResult:
    """The input digit and every channel of ``net[layer]``'s output for it.

    x: (1, 28, 28). Conv and pooling outputs (C, H, W) are tiled, one tile per
    channel; 1-D outputs (after Flatten) are shown as a strip of units, and the
    10 logits as bars. ``scale="channel"`` stretches each channel to its own
    range (shows patterns), ``"layer"`` uses one range for the whole layer
    (shows which channels fire strongly). ``activations`` (from
    ``layer_activations(net, x)``) skips the forward pass when given.
    """
    if scale not in ("channel", "layer"):
        raise ValueError(f"scale must be 'channel' or 'layer', got {scale!r}")
    layer = _check_layer(_check_net(net), layer)
    acts = activations if activations is not None else layer_activations(net, x)
    name, A = acts[layer]
    logits = acts[-1][1]
    pred = int(logits.argmax())
    ax_in, ax = _two_axes(fig, 0.2)
    ax_in.imshow(x[0].cpu().numpy(), cmap="gray_r", interpolation="nearest")
    truth = f", label {label}" if label is not None else ""
    ax_in.set_title(f"input{truth}\npredicted {pred}", fontsize=10)
    ax_in.set_axis_off()
    a = A.numpy().astype(float)
    info = {"layer": layer, "name": name, "shape": tuple(A.shape), "prediction": pred}
    if a.ndim == 3:
        C = a.shape[0]
        tiles = _mosaic(_scaled(a, scale == "channel"), MOSAIC_COLS)
        ax.imshow(tiles, cmap=_cmap("viridis"), vmin=0, vmax=1, interpolation="nearest")
        cols = min(MOSAIC_COLS, C)
        H, W = a.shape[1:]
        for c in range(C):
            r, q = divmod(c, cols)
            ax.text(q * (W + 1) + 0.2, r * (H + 1) + 0.2, str(c), color="white", fontsize=8,
                    ha="left", va="top")
        ax.set_axis_off()
        ax.set_title(f"layer {layer} {name}: {C} channels of {H}×{W}", fontsize=10)
        strength = a.reshape(C, -1).max(axis=1)
        info.update(channels=C, tiles=tiles.shape, channel_max=strength.round(4).tolist())
        top = int(strength.argmax())
        text = (f"layer {layer} <b>{name}</b> outputs {C}×{H}×{W}: one {H}×{W} feature map per channel "
                f"(通道). Strongest channel: {top} (max {strength[top]:.2f}).")
    elif a.size == 10 and layer == len(net) - 1:
        colors = [CELL_COLOR if k == pred else WINDOW_COLOR for k in range(10)]
        ax.bar(range(10), a, color=colors)
        ax.set_xticks(range(10))
        ax.axhline(0, color="#888", lw=0.8)
        ax.set_title(f"layer {layer} {name}: the 10 logits", fontsize=10)
        info.update(channels=1, logits=a.round(4).tolist())
        text = (f"layer {layer} <b>{name}</b> outputs 10 logits, one per digit; the largest "
                f"({a[pred]:.2f}) is the prediction: <b>{pred}</b>.")
    else:
        n = a.size
        width = 20 if n > 40 else n
        strip = np.full(-(-n // width) * width, np.nan)
        strip[:n] = _scaled(a.reshape(1, -1), True)[0]
        ax.imshow(strip.reshape(-1, width), cmap=_cmap("viridis"), vmin=0, vmax=1,
                  interpolation="nearest")
        ax.set_axis_off()
        ax.set_title(f"layer {layer} {name}: {n} units (rows of {width})", fontsize=10)
        info.update(channels=1, units=n)
        text = (f"layer {layer} <b>{name}</b> outputs a vector of {n} numbers: no channels or "
                f"positions any more, every unit sees the whole image. {int((a > 0).sum())} of {n} are > 0.")
    return text, info


def _unit_gradient(net: nn.Sequential, x: torch.Tensor, layer: int, channel: int, i: int, j: int
                   ) -> tuple[float, np.ndarray]:
    """The unit's value and |∂unit/∂x| summed over input channels, (H, W)."""
    X = _check_image(x)[None].to(_device(net)).requires_grad_(True)
    net.eval()
    with _one_thread():
        out = net[: layer + 1](X)
        unit = out[0, channel, i, j]
        (grad,) = torch.autograd.grad(unit, X)
    return unit.item(), grad[0].abs().sum(0).cpu().numpy()


def draw_trained_receptive_field(
    fig: Figure, net: nn.Sequential, x: torch.Tensor, layer: int, channel: int, i: int, j: int
) -> DrawResult:
    """Unit ``(channel, i, j)`` of ``net[layer]``'s output and its receptive field on the input.

    x: (1, H, W). Left: the input with the field outlined (dashed where it
    reaches into the padding) and, in red, |∂unit/∂x| of the *trained* net:
    the pixels that actually move this unit for this digit (with max pooling
    and ReLU often fewer than the field allows). Right: the chosen channel
    with the unit marked.
    """
    net = _check_net(net)
    layer = _check_layer(net, layer)
    x = _check_image(x)
    if layer not in spatial_layers(net):
        raise ValueError(f"layer {layer} ({type(net[layer]).__name__}) has no spatial positions: from "
                         "Flatten on, every unit sees the whole image; pick a conv or pooling layer")
    name, A = layer_activations(net, x)[layer]
    C, H, W = A.shape
    if not 0 <= channel < C:
        raise ValueError(f"channel must be in [0, {C - 1}] for layer {layer}, got {channel}")
    if not (0 <= i < H and 0 <= j < W):
        raise ValueError(f"(i, j) must lie in the {H}×{W} output of layer {layer}, got ({i}, {j})")
    size_in = tuple(x.shape[1:])
    fields = receptive_fields(net[: layer + 1], size_in)
    (r0, r1), (c0, c1) = fields[-1].region(i, j)  # half-open, may reach into the padding
    (cr0, cr1), (cc0, cc1) = fields[-1].region(i, j, size_in)
    value, grad = _unit_gradient(net, x, layer, channel, i, j)
    ax_in, ax_out = _two_axes(fig, 0.5)
    ax_in.imshow(x[0].cpu().numpy(), cmap="gray_r", interpolation="nearest")
    ax_in.imshow(np.ma.masked_where(grad <= 0, grad), cmap="Reds", alpha=0.55, interpolation="nearest")
    outline(ax_in, r0, c0, r1 - r0, c1 - c0, WINDOW_COLOR, lw=1.5).set_linestyle("--")
    outline(ax_in, cr0, cc0, cr1 - cr0, cc1 - cc0, WINDOW_COLOR, lw=2.5)
    hi, wi = size_in
    ax_in.set_xlim(min(c0, 0) - 0.5, max(c1, wi) - 0.5)
    ax_in.set_ylim(max(r1, hi) - 0.5, min(r0, 0) - 0.5)
    size = fields[-1].size
    ax_in.set_title(f"input: receptive field {size[0]}×{size[1]}", fontsize=10)
    ax_out.imshow(A[channel].numpy(), cmap="viridis", interpolation="nearest")
    outline(ax_out, i, j, 1, 1, CELL_COLOR)
    ax_out.set_title(f"layer {layer} {name}, channel {channel} ({H}×{W})", fontsize=10)
    for ax in (ax_in, ax_out):
        ax.set_xticks([])
        ax.set_yticks([])
    nz = np.argwhere(grad > 0)
    grad_box = (((int(nz[:, 0].min()), int(nz[:, 0].max()) + 1), (int(nz[:, 1].min()), int(nz[:, 1].max()) + 1))
                if len(nz) else None)
    steps = " → ".join(f"{f.layer.label}: {f.size[0]}" for f in fields)
    padded = (r0, r1, c0, c1) != (cr0, cr1, cc0, cc1)
    text = (f"unit [{channel}, {i}, {j}] of layer {layer} ({name}) = {value:.3f}. It can see input rows "
            f"{r0}…{r1 - 1} and columns {c0}…{c1 - 1} ({size[0]}×{size[1]} pixels"
            f"{', partly zero padding' if padded else ''}); "
            f"{int((grad > 0).sum())} pixels actually move it for this digit (red)."
            f"<br>感受野 receptive field layer by layer, r<sub>l</sub> = r<sub>l−1</sub> + (k<sub>l</sub> − 1)·j<sub>l−1</sub>: "
            f"<code>pixel 1 → {html.escape(steps)}</code>"
            + ("" if grad_box else "<br>This unit is 0 here (ReLU off), so no pixel moves it: try another digit."))
    info = {"unit": (channel, i, j), "value": value, "size": size, "region": ((r0, r1), (c0, c1)),
            "clipped": ((cr0, cr1), (cc0, cc1)), "gradient_box": grad_box,
            "chain": [(f.layer.label, f.size[0], f.jump[0]) for f in fields]}
    return text, info


def _layer_options(net: nn.Sequential, x: torch.Tensor, spatial_only: bool) -> list[tuple[str, int]]:
    options, spatial = [], spatial_layers(net)
    for idx, (name, A) in enumerate(layer_activations(net, x)):
        if spatial_only and idx not in spatial:
            continue
        options.append((f"{idx}: {name} → {'×'.join(map(str, A.shape))}", idx))
    return options


def _defaults(net: nn.Sequential | None, images: torch.Tensor | None, labels: torch.Tensor | None):
    """Without arguments a widget shows the lesson's modern LeNet (freshly initialised with
    seed 0, not trained) on the first 20 test digits of ``load_digits()``'s split."""
    if net is None:
        from ..train import lenet

        with torch.random.fork_rng(devices=[]):  # leaves the caller's random state alone
            torch.manual_seed(0)
            net = lenet("relu", "max", batch_norm=True)
    if images is None:
        from ..data import split_digits

        _, _, X_test, y_test = split_digits()
        images, labels = X_test[:20], y_test[:20]
    return net, images, labels


def _check_images(images: object) -> torch.Tensor:
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or len(images) == 0:
        raise TypeError(f"images must be a non-empty tensor of shape (N, C, H, W), "
                        f"got {getattr(images, 'shape', type(images).__name__)}")
    return images


def feature_maps(
    net: nn.Sequential | None = None, images: torch.Tensor | None = None,
    labels: torch.Tensor | None = None, *, index: int = 0, layer: int = 0,
) -> ConvLabWidget:
    """Pick a digit and a layer; see every channel's activation (css ``convlab-feature-maps``).

    images: (N, 1, 28, 28), labels: (N,). The net is put in evaluation mode.
    Without a net: an untrained modern LeNet on 20 test digits.
    """
    net, images, labels = _defaults(net, images, labels)
    net = _check_net(net)
    images = _check_images(images)
    layer = _check_layer(net, layer)
    if not 0 <= index < len(images):
        raise ValueError(f"index must be in [0, {len(images) - 1}], got {index}")
    digit = slider("test digit", index, 0, len(images) - 1)
    choice = widgets.Dropdown(options=_layer_options(net, images[0], False), value=layer,
                              description="layer", style={"description_width": "initial"})
    scale = widgets.ToggleButtons(options=[("each channel", "channel"), ("whole layer", "layer")],
                                  value="channel", description="colour scale",
                                  style={"description_width": "initial", "button_width": "7em"})

    cache: dict[int, list] = {}  # the last digit's activations: moving the layer needs no forward pass

    def draw(fig: Figure, digit: int, layer: int, scale: str) -> DrawResult:
        label = int(labels[digit]) if labels is not None else None
        if digit not in cache:
            cache.clear()
            cache[digit] = layer_activations(net, images[digit])
        return draw_feature_maps(fig, net, images[digit], layer, scale=scale, label=label,
                                 activations=cache[digit])

    return ConvLabWidget(draw, {"digit": digit, "layer": choice, "scale": scale},
                         css_class="convlab-feature-maps", figsize=(8.0, 2.8))


def trained_receptive_field(
    net: nn.Sequential | None = None, images: torch.Tensor | None = None, *, index: int = 0,
    layer: int | None = None, channel: int = 0, i: int | None = None, j: int | None = None,
) -> ConvLabWidget:
    """Pick a unit of a conv/pool layer of a trained net; see the input pixels it can see and
    those that move it for a real digit (css ``convlab-trained-receptive-field``).
    images: (N, 1, 28, 28). The net is put in evaluation mode. Without a net: an untrained
    modern LeNet on 20 test digits."""
    net, images, _ = _defaults(net, images, None)
    net = _check_net(net)
    images = _check_images(images)
    options = _layer_options(net, images[0], True)
    if not options:
        raise ValueError("net has no conv or pooling layer to show a receptive field for")
    valid = [idx for _label, idx in options]
    layer = valid[-1] if layer is None else _check_layer(net, layer)
    if layer not in valid:
        raise ValueError(f"layer must be one of the spatial layers {valid}, got {layer}")
    shapes = {idx: tuple(A.shape) for idx, (_n, A) in enumerate(layer_activations(net, images[0]))}
    C, H, W = shapes[layer]
    i = H // 2 if i is None else i
    j = W // 2 if j is None else j
    choice = widgets.Dropdown(options=options, value=layer, description="layer",
                              style={"description_width": "initial"})
    digit = slider("test digit", index, 0, len(images) - 1)
    ch = slider("channel", min(channel, C - 1), 0, C - 1)
    row = slider("row i", min(i, H - 1), 0, H - 1)
    col = slider("column j", min(j, W - 1), 0, W - 1)

    def on_layer(change: dict) -> None:  # registered before the widget's redraw observer
        c, h, w = shapes[change["new"]]
        ch.max, row.max, col.max = c - 1, h - 1, w - 1

    choice.observe(on_layer, names="value")

    def draw(fig: Figure, layer: int, digit: int, channel: int, i: int, j: int) -> DrawResult:
        return draw_trained_receptive_field(fig, net, images[digit], layer, channel, i, j)

    return ConvLabWidget(draw, {"layer": choice, "digit": digit, "channel": ch, "i": row, "j": col},
                         css_class="convlab-trained-receptive-field", figsize=(6.4, 3.2))
