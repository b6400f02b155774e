"""Chapter 06: what a trained LeNet sees — feature maps (特征图) and receptive fields (感受野).

Pure functions first (``layer_activations``, ``spatial_layers``, then for
each picture the numbers, the drawing and the text), then the two widgets
that wire them to sliders: ``feature_maps`` and ``trained_receptive_field``.
The receptive-field geometry comes from ``utils.receptive`` (chapter 07);
here it is drawn on a real digit, next to the gradient of a trained unit.
"""

from __future__ import annotations

import html
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib import colormaps
from matplotlib.figure import Figure
from torch import nn

from .._checks import check_choice, check_index, check_tensor
from ..data import split_digits
from ..i18n import tr
from ..models import lenet
from ..receptive import ReceptiveField, receptive_fields, to_layers
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
SCALES = ("channel", "layer")


def _check_net(net: object) -> nn.Sequential:
    if not isinstance(net, nn.Sequential):
        raise TypeError(f"net must be an nn.Sequential, got {type(net).__name__}")
    return net


def _check_image(x: object) -> torch.Tensor:
    return check_tensor(x, "x", (3,), "(C, H, W)").float()


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
    return colormaps[name].with_extremes(bad="white")


def _two_axes(fig: Figure, split: float, titles: bool = True):
    """Two side-by-side axes at fixed places: faster than a layout engine (≤ 100 ms redraws)."""
    fig.set_layout_engine("none")
    top = 0.82 if titles else 0.98
    return (fig.add_axes((0.01, 0.03, split - 0.03, top - 0.03)),
            fig.add_axes((split + 0.01, 0.03, 0.98 - split, top - 0.03)))


@dataclass(frozen=True)
class LayerOutput:
    """One layer's output for one digit, as the picture shows it."""

    layer: int
    name: str
    x: np.ndarray  # the input digit (H, W)
    label: int | None
    prediction: int
    a: np.ndarray  # the layer's output: (C, H', W') maps, or a vector
    kind: str  # "maps" (tiled channels), "logits" (bars) or "units" (a strip of numbers)
    picture: np.ndarray  # what the right panel shows: the tiles or the strip scaled to [0, 1], or the logits
    strip_width: int = 0  # units per row of the strip

    def info(self) -> dict[str, Any]:
        info: dict[str, Any] = {"layer": self.layer, "name": self.name, "shape": self.a.shape,
                                "prediction": self.prediction, "channels": len(self.a) if self.kind == "maps" else 1}
        if self.kind == "maps":
            info.update(tiles=self.picture.shape, channel_max=self.strength().round(4).tolist())
        elif self.kind == "logits":
            info.update(logits=self.a.round(4).tolist())
        else:
            info.update(units=self.a.size)
        return info

    def strength(self) -> np.ndarray:
        """Each channel's largest activation."""
        return self.a.reshape(len(self.a), -1).max(axis=1)


def layer_output(net: nn.Sequential, x: torch.Tensor, layer: int, *, scale: str = "channel",
                 label: int | None = None, activations: list[tuple[str, torch.Tensor]] | None = None
                 ) -> LayerOutput:
    """``net[layer]``'s output for the digit x: (1, H, W), ready to draw (see ``draw_feature_maps``)."""
    check_choice(scale, "scale", SCALES)
    layer = check_index(layer, "layer", len(_check_net(net)))
    acts = activations if activations is not None else layer_activations(net, x)
    name, A = acts[layer]
    prediction = int(acts[-1][1].argmax())
    a = A.numpy().astype(float)
    args = (layer, name, x[0].cpu().numpy(), label, prediction, a)
    if a.ndim == 3:
        return LayerOutput(*args, "maps", _mosaic(_scaled(a, scale == "channel"), MOSAIC_COLS))
    if a.size == 10 and layer == len(net) - 1:
        return LayerOutput(*args, "logits", a)
    width = 20 if a.size > 40 else a.size
    strip = np.full(-(-a.size // width) * width, np.nan)
    strip[:a.size] = _scaled(a.reshape(1, -1), True)[0]
    return LayerOutput(*args, "units", strip.reshape(-1, width), width)


def _plot_layer_output(fig: Figure, v: LayerOutput) -> None:
    ax_in, ax = _two_axes(fig, 0.2)
    ax_in.imshow(v.x, cmap="gray_r", interpolation="nearest")
    truth = f", label {v.label}" if v.label is not None else ""
    ax_in.set_title(f"input{truth}\npredicted {v.prediction}", fontsize=10)
    ax_in.set_axis_off()
    head = f"layer {v.layer} {v.name}"
    if v.kind == "logits":
        ax.bar(range(10), v.a, color=[CELL_COLOR if k == v.prediction else WINDOW_COLOR for k in range(10)])
        ax.set_xticks(range(10))
        ax.axhline(0, color="#888", lw=0.8)
        ax.set_title(f"{head}: the 10 logits", fontsize=10)
        return
    ax.imshow(v.picture, cmap=_cmap("viridis"), vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    if v.kind == "units":
        ax.set_title(f"{head}: {v.a.size} units (rows of {v.strip_width})", fontsize=10)
        return
    C, H, W = v.a.shape
    cols = min(MOSAIC_COLS, C)
    for c in range(C):
        r, q = divmod(c, cols)
        ax.text(q * (W + 1) + 0.2, r * (H + 1) + 0.2, str(c), color="white", fontsize=8, ha="left", va="top")
    ax.set_title(f"{head}: {C} channels of {H}×{W}", fontsize=10)


def _layer_output_html(v: LayerOutput) -> str:
    head = tr(f"layer {v.layer} <b>{v.name}</b> outputs", f"第 {v.layer} 层 <b>{v.name}</b> 输出")
    if v.kind == "maps":
        (C, H, W), strength = v.a.shape, v.strength()
        top = int(strength.argmax())
        return tr(f"{head} {C}×{H}×{W}: one {H}×{W} feature map per channel "
                  f"(通道). Strongest channel: {top} (max {strength[top]:.2f}).",
                  f"{head} {C}×{H}×{W}：每个通道一张 {H}×{W} 的特征映射。"
                  f"最强的通道：{top}（最大值 {strength[top]:.2f}）。")
    if v.kind == "logits":
        largest = f"{v.a[v.prediction]:.2f}"
        return tr(f"{head} 10 logits, one per digit; the largest ({largest}) is the "
                  f"prediction: <b>{v.prediction}</b>.",
                  f"{head} 10 个 logit，每个数字一个；最大的那个（{largest}）就是预测：<b>{v.prediction}</b>。")
    n, positive = v.a.size, int((v.a > 0).sum())
    return tr(f"{head} a vector of {n} numbers: no channels or positions any more, every unit sees "
              f"the whole image. {positive} of {n} are > 0.",
              f"{head} 一个含 {n} 个数的向量：不再有通道和位置，每个单元都能看到整张图像。"
              f"{n} 个中有 {positive} 个 > 0。")


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
    v = layer_output(net, x, layer, scale=scale, label=label, activations=activations)
    _plot_layer_output(fig, v)
    return _layer_output_html(v), v.info()


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


@dataclass(frozen=True)
class TrainedUnit:
    """One unit of a trained net: its receptive field on the input and the pixels that move it."""

    layer: int
    name: str
    x: np.ndarray  # the input digit (H, W)
    feature_map: np.ndarray  # the unit's channel, (H', W')
    unit: tuple[int, int, int]  # (channel, i, j)
    value: float
    grad: np.ndarray  # |∂unit/∂x|, (H, W)
    fields: list[ReceptiveField]  # one per layer up to ``layer``
    region: tuple[tuple[int, int], tuple[int, int]]  # input rows, columns seen (half-open), into the padding
    clipped: tuple[tuple[int, int], tuple[int, int]]  # the same, clipped to the image

    def gradient_box(self) -> tuple[tuple[int, int], tuple[int, int]] | None:
        nz = np.argwhere(self.grad > 0)
        if not len(nz):
            return None
        return ((int(nz[:, 0].min()), int(nz[:, 0].max()) + 1), (int(nz[:, 1].min()), int(nz[:, 1].max()) + 1))

    def info(self) -> dict[str, Any]:
        return {"unit": self.unit, "value": self.value, "size": self.fields[-1].size, "region": self.region,
                "clipped": self.clipped, "gradient_box": self.gradient_box(),
                "chain": [(f.layer.label, f.size[0], f.jump[0]) for f in self.fields]}


def trained_unit(net: nn.Sequential, x: torch.Tensor, layer: int, channel: int, i: int, j: int) -> TrainedUnit:
    """Unit ``(channel, i, j)`` of ``net[layer]``'s output for the digit x: (1, H, W), ready to draw."""
    layer = check_index(layer, "layer", len(_check_net(net)))
    x = _check_image(x)
    if layer not in spatial_layers(net):
        raise ValueError(f"layer {layer} ({type(net[layer]).__name__}) has no spatial positions: from "
                         "Flatten on, every unit sees the whole image; pick a conv or pooling layer")
    name, A = layer_activations(net, x)[layer]
    C, H, W = A.shape
    channel = check_index(channel, "channel", C, f" for layer {layer}")
    if not (0 <= i < H and 0 <= j < W):
        raise ValueError(f"(i, j) must lie in the {H}×{W} output of layer {layer}, got ({i}, {j})")
    size_in = tuple(x.shape[1:])
    fields = receptive_fields(net[: layer + 1], size_in)
    value, grad = _unit_gradient(net, x, layer, channel, i, j)
    return TrainedUnit(layer, name, x[0].cpu().numpy(), A[channel].numpy(), (channel, i, j), value, grad,
                       fields, fields[-1].region(i, j), fields[-1].region(i, j, size_in))


def _plot_trained_unit(fig: Figure, u: TrainedUnit) -> None:
    ((r0, r1), (c0, c1)), ((cr0, cr1), (cc0, cc1)) = u.region, u.clipped
    (channel, i, j), (hi, wi), size = u.unit, u.x.shape, u.fields[-1].size
    ax_in, ax_out = _two_axes(fig, 0.5)
    ax_in.imshow(u.x, cmap="gray_r", interpolation="nearest")
    ax_in.imshow(np.ma.masked_where(u.grad <= 0, u.grad), cmap="Reds", alpha=0.55, interpolation="nearest")
    outline(ax_in, r0, c0, r1 - r0, c1 - c0, WINDOW_COLOR, lw=1.5, ls="--")
    outline(ax_in, cr0, cc0, cr1 - cr0, cc1 - cc0, WINDOW_COLOR, lw=2.5)
    ax_in.set_xlim(min(c0, 0) - 0.5, max(c1, wi) - 0.5)
    ax_in.set_ylim(max(r1, hi) - 0.5, min(r0, 0) - 0.5)
    ax_in.set_title(f"input: receptive field {size[0]}×{size[1]}", fontsize=10)
    ax_out.imshow(u.feature_map, cmap="viridis", interpolation="nearest")
    outline(ax_out, i, j, 1, 1, CELL_COLOR)
    H, W = u.feature_map.shape
    ax_out.set_title(f"layer {u.layer} {u.name}, channel {channel} ({H}×{W})", fontsize=10)
    for ax in (ax_in, ax_out):
        ax.set_xticks([])
        ax.set_yticks([])


def _trained_unit_html(u: TrainedUnit) -> str:
    ((r0, r1), (c0, c1)), (channel, i, j), size = u.region, u.unit, u.fields[-1].size
    steps = " → ".join(f"{f.layer.label}: {f.size[0]}" for f in u.fields)
    padded, moving = u.region != u.clipped, int((u.grad > 0).sum())
    rows, cols, unit = f"{r0}…{r1 - 1}", f"{c0}…{c1 - 1}", f"[{channel}, {i}, {j}]"
    rule = "r<sub>l</sub> = r<sub>l−1</sub> + (k<sub>l</sub> − 1)·j<sub>l−1</sub>"
    chain = f"<code>pixel 1 → {html.escape(steps)}</code>"
    text = tr(f"unit {unit} of layer {u.layer} ({u.name}) = {u.value:.3f}. It can see input rows "
              f"{rows} and columns {cols} ({size[0]}×{size[1]} pixels"
              f"{', partly zero padding' if padded else ''}); "
              f"{moving} pixels actually move it for this digit (red)."
              f"<br>感受野 receptive field layer by layer, {rule}: {chain}",
              f"第 {u.layer} 层（{u.name}）的单元 {unit} = {u.value:.3f}。它能看到输入的第 {rows} 行和"
              f"第 {cols} 列（{size[0]}×{size[1]} 个像素{'，部分是零填充' if padded else ''}）；"
              f"对这个数字，实际影响它的像素有 {moving} 个（红色）。"
              f"<br>逐层的感受野，{rule}：{chain}")
    if not u.gradient_box():
        text += tr("<br>This unit is 0 here (ReLU off), so no pixel moves it: try another digit.",
                   "<br>这个单元在这里为 0（ReLU 没有激活），没有像素能影响它：换一个数字试试。")
    return text


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
    u = trained_unit(net, x, layer, channel, i, j)
    _plot_trained_unit(fig, u)
    return _trained_unit_html(u), u.info()


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
        with torch.random.fork_rng(devices=[]):  # leaves the caller's random state alone
            torch.manual_seed(0)
            net = lenet("relu", "max", batch_norm=True)
    if images is None:
        _, _, X_test, y_test = split_digits()
        images, labels = X_test[:20], y_test[:20]
    return net, images, labels


def _images(images: object, index: int) -> torch.Tensor:
    images = check_tensor(images, "images", (4,), "(N, C, H, W)")
    if not len(images):
        raise ValueError("images must hold at least one digit, got an empty tensor")
    check_index(index, "index", len(images))
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
    images = _images(images, index)
    layer = check_index(layer, "layer", len(_check_net(net)))
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

    # front-end: the layer (one frame per layer of the net); the digit and colour scale are kernel-side
    return ConvLabWidget(draw, {"digit": digit, "layer": choice, "scale": scale},
                         css_class="convlab-feature-maps", figsize=(8.0, 2.8), frontend=("layer",))


def trained_receptive_field(
    net: nn.Sequential | None = None, images: torch.Tensor | None = None, *, index: int = 0,
    layer: int | None = None, channel: int = 0, i: int | None = None, j: int | None = None,
) -> ConvLabWidget:
    """Pick a unit of a conv/pool layer of a trained net; see the input pixels it can see and
    those that move it for a real digit (css ``convlab-trained-receptive-field``).
    images: (N, 1, 28, 28). The net is put in evaluation mode. Without a net: an untrained
    modern LeNet on 20 test digits."""
    net, images, _ = _defaults(net, images, None)
    images = _images(images, index)
    options = _layer_options(_check_net(net), images[0], True)
    if not options:
        raise ValueError("net has no conv or pooling layer to show a receptive field for")
    valid = [idx for _label, idx in options]
    layer = valid[-1] if layer is None else check_index(layer, "layer", len(net))
    if layer not in valid:
        raise ValueError(f"layer must be one of the spatial layers {valid}, got {layer}")
    shapes = {idx: tuple(A.shape) for idx, (_n, A) in enumerate(layer_activations(net, images[0]))}
    C, H, W = shapes[layer]
    i = H // 2 if i is None else i
    j = W // 2 if j is None else j
    controls = {
        "layer": widgets.Dropdown(options=options, value=layer, description="layer",
                                  style={"description_width": "initial"}),
        "digit": slider("test digit", index, 0, len(images) - 1),
        "channel": slider("channel", min(channel, C - 1), 0, C - 1),
        "i": slider("row i", min(i, H - 1), 0, H - 1),
        "j": slider("column j", min(j, W - 1), 0, W - 1),
    }

    def draw(fig: Figure, layer: int, digit: int, channel: int, i: int, j: int) -> DrawResult:
        return draw_trained_receptive_field(fig, net, images[digit], layer, channel, i, j)

    def size(axis: int):  # the chosen layer's channels, rows or columns
        return lambda values: shapes[values["layer"]][axis]

    # front-end: the unit's row × column while they fit the budget (5×5 after the last pooling), else
    # the column alone; layer, digit and channel are kernel-side (each needs a forward and backward pass)
    return ConvLabWidget(draw, controls, css_class="convlab-trained-receptive-field", figsize=(6.4, 3.2),
                         ranges={name: (size(axis), []) for axis, name in enumerate(("channel", "i", "j"))},
                         frontend=("i", "j"))
