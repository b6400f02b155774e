"""感受野 receptive field: which input pixels can influence one output unit.

For a stack of convolution and pooling layers, every layer ``l`` has three
numbers per axis (the recurrence of Araujo et al., *Computing Receptive Fields
of Convolutional Neural Networks*, Distill 2019):

* ``size``  r_l = r_{l-1} + (k_l - 1) · d_l · j_{l-1}   (how many input pixels one unit sees)
* ``jump``  j_l = j_{l-1} · s_l                         (input pixels between neighbouring units)
* ``start`` t_l = t_{l-1} - p_l · j_{l-1}               (input index of the first pixel unit 0 sees)

starting from r_0 = 1, j_0 = 1, t_0 = 0 at the input. Unit ``i`` of layer ``l``
then sees input rows ``t_l + i·j_l`` … ``t_l + i·j_l + r_l - 1``; a negative
start means the window reaches into the zero padding.

Layers can be given as an ``nn.Sequential`` (Conv2d, MaxPool2d, AvgPool2d and
shape-preserving modules such as activations, BatchNorm and Dropout), or as a
list of :class:`Layer` specs, dicts or tuples::

    receptive_fields([conv_layer(3), conv_layer(3), pool_layer(2)])
    receptive_fields(nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2)))
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import IntOrPair, Pair, as_pair, check_int

__all__ = [
    "Layer",
    "ReceptiveField",
    "conv_layer",
    "footprints",
    "gradient_receptive_field",
    "pool_layer",
    "receptive_field",
    "receptive_fields",
    "to_layers",
]

Region = tuple[tuple[int, int], tuple[int, int]]

# Modules that keep every spatial position where it is (no effect on the receptive field).
_PASS_THROUGH = (
    nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.PReLU, nn.ELU, nn.SELU, nn.GELU, nn.SiLU, nn.Sigmoid,
    nn.Tanh, nn.Hardtanh, nn.Hardswish, nn.Mish, nn.Softplus, nn.Identity, nn.Dropout,
    nn.Dropout2d, nn.BatchNorm2d, nn.InstanceNorm2d, nn.GroupNorm, nn.LocalResponseNorm,
)


@dataclass(frozen=True)
class Layer:
    """One spatial layer, per axis ``(h, w)``. ``kind`` is ``"conv"`` or ``"pool"``."""

    kind: str
    kernel_size: Pair
    stride: Pair = (1, 1)
    padding: Pair = (0, 0)
    dilation: Pair = (1, 1)
    ceil_mode: bool = False
    name: str = ""

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        k = _fmt_pair(self.kernel_size)
        text = f"{self.kind} {k}"
        if self.stride != (1, 1):
            text += f" s{_fmt_pair(self.stride)}"
        if self.padding != (0, 0):
            text += f" p{_fmt_pair(self.padding)}"
        if self.dilation != (1, 1):
            text += f" d{_fmt_pair(self.dilation)}"
        return text

    def output_size(self, input_size: Pair) -> Pair:
        """Output (h, w) of this layer for an (h, w) input, as PyTorch computes it."""
        out = []
        for n, k, s, p, d in zip(input_size, self.kernel_size, self.stride, self.padding, self.dilation):
            span = d * (k - 1) + 1
            if span > n + 2 * p:
                raise ValueError(
                    f"layer '{self.label}': kernel span {span} does not fit the padded input "
                    f"{n} + 2*{p} = {n + 2 * p}"
                )
            num = n + 2 * p - span
            size = (-(-num // s) if self.ceil_mode else num // s) + 1
            if self.ceil_mode and (size - 1) * s >= n + p:  # PyTorch drops a window starting in the right padding
                size -= 1
            out.append(size)
        return (out[0], out[1])


def _fmt_pair(p: Pair) -> str:
    return str(p[0]) if p[0] == p[1] else f"{p[0]}×{p[1]}"


def conv_layer(kernel_size: IntOrPair, *, stride: IntOrPair = 1, padding: IntOrPair = 0,
               dilation: IntOrPair = 1, name: str = "") -> Layer:
    """A convolution spec (channels do not matter for the receptive field)."""
    return Layer("conv", as_pair(kernel_size, "kernel_size", minimum=1),
                 as_pair(stride, "stride", minimum=1), as_pair(padding, "padding", minimum=0),
                 as_pair(dilation, "dilation", minimum=1), name=name)


def pool_layer(kernel_size: IntOrPair, *, stride: IntOrPair | None = None, padding: IntOrPair = 0,
               ceil_mode: bool = False, name: str = "") -> Layer:
    """A max/avg pooling spec; ``stride`` defaults to ``kernel_size`` as in ``nn.MaxPool2d``."""
    k = as_pair(kernel_size, "kernel_size", minimum=1)
    s = k if stride is None else as_pair(stride, "stride", minimum=1)
    return Layer("pool", k, s, as_pair(padding, "padding", minimum=0), (1, 1), bool(ceil_mode), name=name)


@dataclass(frozen=True)
class ReceptiveField:
    """Receptive field of the units of one layer, in input-pixel coordinates.

    ``size``, ``jump`` and ``start`` are (h, w) pairs; ``output_size`` is the
    layer's (h, w) feature-map size when an input size was given, else None.
    """

    layer: Layer
    size: Pair
    jump: Pair
    start: Pair
    output_size: Pair | None = None

    @property
    def center(self) -> tuple[float, float]:
        """Input coordinates of the centre of unit (0, 0)'s receptive field."""
        return (self.start[0] + (self.size[0] - 1) / 2, self.start[1] + (self.size[1] - 1) / 2)

    def region(self, i: int, j: int, input_size: IntOrPair | None = None) -> Region:
        """Input rows and columns seen by unit ``(i, j)``: ``((r0, r1), (c0, c1))``, half-open.

        Unclipped by default (it may reach into the padding, below 0 or past the
        edge); pass ``input_size`` to clip it to the real image.
        """
        i, j = check_int(i, "i", 0), check_int(j, "j", 0)
        if self.output_size is not None and not (i < self.output_size[0] and j < self.output_size[1]):
            raise ValueError(f"unit ({i}, {j}) is outside this layer's output {self.output_size}")
        spans = []
        for idx, axis in ((i, 0), (j, 1)):
            lo = self.start[axis] + idx * self.jump[axis]
            spans.append((lo, lo + self.size[axis]))
        if input_size is not None:
            n = as_pair(input_size, "input_size", minimum=1)
            spans = [(max(lo, 0), min(hi, n[a])) for a, (lo, hi) in enumerate(spans)]
        return (spans[0], spans[1])


def _layer_from_module(m: nn.Module) -> Layer | None:
    if isinstance(m, nn.Conv2d):
        k, s, d = tuple(m.kernel_size), tuple(m.stride), tuple(m.dilation)
        if isinstance(m.padding, str):
            if m.padding == "valid":
                p = (0, 0)
            else:  # 'same' (stride 1): PyTorch pads total d·(k−1), the smaller half on top/left
                p = tuple(d[a] * (k[a] - 1) // 2 for a in range(2))
                if any(d[a] * (k[a] - 1) % 2 for a in range(2)):
                    raise ValueError("padding='same' with an even kernel span pads unevenly; "
                                     "give the padding explicitly")
        else:
            p = tuple(m.padding)
        return conv_layer(k, stride=s, padding=p, dilation=d)  # type: ignore[arg-type]
    if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
        dil = getattr(m, "dilation", 1)
        if as_pair(dil, "dilation", minimum=1) != (1, 1):
            raise ValueError("MaxPool2d with dilation is not supported")
        stride = m.stride if m.stride is not None else m.kernel_size
        return pool_layer(m.kernel_size, stride=stride, padding=m.padding, ceil_mode=m.ceil_mode)
    if isinstance(m, _PASS_THROUGH):
        return None
    raise ValueError(
        f"cannot compute a receptive field through {type(m).__name__}: supported are Conv2d, "
        "MaxPool2d, AvgPool2d and shape-preserving layers (activations, BatchNorm, Dropout). "
        "After Flatten/Linear every unit sees the whole input; slice the network before it, e.g. net[:4]"
    )


def _layer_from_spec(spec: object) -> Layer | None:
    if isinstance(spec, Layer):
        return spec
    if isinstance(spec, nn.Module):
        return _layer_from_module(spec)
    if isinstance(spec, Mapping):
        spec = dict(spec)
        kind = spec.pop("kind", spec.pop("type", None))
        make = {"conv": conv_layer, "pool": pool_layer}.get(kind)  # type: ignore[arg-type]
        if make is None:
            raise ValueError(f"layer spec needs kind 'conv' or 'pool', got {kind!r}")
        if "kernel_size" not in spec:
            raise ValueError(f"layer spec {spec!r} needs a kernel_size")
        try:
            return make(spec.pop("kernel_size"), **spec)
        except TypeError as exc:
            raise ValueError(f"bad layer spec: {exc}") from None
    if isinstance(spec, tuple) and spec and isinstance(spec[0], str):
        kind, *args = spec
        if kind == "conv" and 1 <= len(args) <= 4:
            names = ("kernel_size", "stride", "padding", "dilation")
            return conv_layer(**dict(zip(names, args)))  # type: ignore[arg-type]
        if kind == "pool" and 1 <= len(args) <= 3:
            names = ("kernel_size", "stride", "padding")
            return pool_layer(**dict(zip(names, args)))  # type: ignore[arg-type]
        raise ValueError(f"tuple spec must be ('conv', k[, s, p, d]) or ('pool', k[, s, p]), got {spec!r}")
    raise TypeError(
        "layers must be an nn.Module or a list of Layer / dict / ('conv'|'pool', k, s, p[, d]) specs, "
        f"got an element of type {type(spec).__name__}"
    )


def to_layers(layers: nn.Module | Iterable[object]) -> list[Layer]:
    """Normalise any accepted description of a network to a list of :class:`Layer`.

    Shape-preserving modules (activations, BatchNorm, Dropout) are dropped;
    nested ``nn.Sequential`` blocks are walked in order.
    """
    if isinstance(layers, (nn.Sequential, nn.ModuleList)):
        items: Iterable[object] = list(layers)
    elif isinstance(layers, (nn.Module, Layer)):
        items = [layers]
    elif isinstance(layers, (str, bytes, Mapping)) or not isinstance(layers, Iterable):
        raise TypeError(f"layers must be an nn.Module or a list of layer specs, got {type(layers).__name__}")
    else:
        items = list(layers)
    out: list[Layer] = []
    for item in items:
        if isinstance(item, (nn.Sequential, nn.ModuleList)):
            out.extend(to_layers(item))
            continue
        layer = _layer_from_spec(item)
        if layer is not None:
            out.append(layer)
    return out


def receptive_fields(layers: nn.Module | Iterable[object],
                     input_size: IntOrPair | None = None) -> list[ReceptiveField]:
    """Receptive field size, jump and start of every spatial layer, first to last.

    Returns one :class:`ReceptiveField` per conv/pool layer (activations are
    skipped). With ``input_size`` (h, w), each entry also carries the layer's
    output size and a kernel that no longer fits raises ``ValueError``.
    """
    stack = to_layers(layers)
    if not stack:
        raise ValueError("layers contains no convolution or pooling layer")
    n = as_pair(input_size, "input_size", minimum=1) if input_size is not None else None
    r, j, t = (1, 1), (1, 1), (0, 0)
    fields = []
    for layer in stack:
        k, s, p, d = layer.kernel_size, layer.stride, layer.padding, layer.dilation
        r = (r[0] + (k[0] - 1) * d[0] * j[0], r[1] + (k[1] - 1) * d[1] * j[1])
        t = (t[0] - p[0] * j[0], t[1] - p[1] * j[1])
        j = (j[0] * s[0], j[1] * s[1])
        if n is not None:
            n = layer.output_size(n)
        fields.append(ReceptiveField(layer, r, j, t, n))
    return fields


def receptive_field(layers: nn.Module | Iterable[object]) -> ReceptiveField:
    """The receptive field of the last layer's units (see :func:`receptive_fields`)."""
    return receptive_fields(layers)[-1]


def footprints(layers: nn.Module | Iterable[object], input_size: IntOrPair,
               unit: tuple[int, int]) -> list[torch.Tensor]:
    """Which positions of every feature map can influence one output unit.

    Returns boolean masks ``[input (H, W), layer 1, …, last layer]``; the last
    is one-hot at ``unit``. Each mask is the previous one pushed back through a
    layer of all-ones weights (a transposed convolution), so dilated layers
    show their holes. The bounding box of the input mask is the receptive field
    clipped to the image.
    """
    stack = to_layers(layers)
    fields = receptive_fields(stack, input_size)
    sizes = [as_pair(input_size, "input_size", minimum=1)] + [f.output_size for f in fields]
    out_h, out_w = sizes[-1]  # type: ignore[misc]
    i, j = unit
    if not (0 <= i < out_h and 0 <= j < out_w):
        raise ValueError(f"unit must be inside the last layer's output ({out_h}, {out_w}), got {unit}")
    mask = torch.zeros(1, 1, out_h, out_w, dtype=torch.float64)
    mask[0, 0, i, j] = 1.0
    masks = [mask]
    for layer, size in zip(reversed(stack), reversed(sizes[:-1])):
        k, s, p, d = layer.kernel_size, layer.stride, layer.padding, layer.dilation
        weight = torch.ones(1, 1, *k, dtype=torch.float64)
        back = F.conv_transpose2d(mask, weight, stride=s, padding=p, dilation=d)
        full = torch.zeros(1, 1, *size, dtype=torch.float64)  # ceil_mode / floor leftovers: pad or crop
        h, w = min(size[0], back.shape[2]), min(size[1], back.shape[3])
        full[..., :h, :w] = back[..., :h, :w]
        mask = (full > 0).to(torch.float64)
        masks.append(mask)
    return [m[0, 0] > 0 for m in reversed(masks)]


def gradient_receptive_field(net: nn.Module, input_size: IntOrPair, unit: tuple[int, int] | None = None,
                             *, in_channels: int | None = None) -> Region:
    """Measure the receptive field of one output unit by backpropagation.

    Runs an all-ones input through a copy of ``net`` whose convolution weights
    are made positive (|w|), biases zero, and whose max-pools are replaced by
    average pools of the same geometry, then backpropagates from output unit
    ``unit`` (default: the centre unit, channel 0). The input pixels with a
    nonzero gradient are exactly those that can influence the unit. Returns
    their bounding box ``((r0, r1), (c0, c1))`` (half-open), which must equal
    ``receptive_fields(net)[-1].region(*unit, input_size)``.

    Why the copy: with the real weights, max pooling sends the gradient to one
    winner per window, ReLU zeroes some paths and weights of mixed sign can
    cancel, so some pixels that *can* matter would show a zero gradient.
    """
    if not isinstance(net, nn.Module):
        raise TypeError(f"net must be an nn.Module, got {type(net).__name__}")
    n = as_pair(input_size, "input_size", minimum=1)
    probe = copy.deepcopy(net).to(torch.float64).eval()
    _positivise(probe)
    if in_channels is None:
        conv = next((m for m in probe.modules() if isinstance(m, nn.Conv2d)), None)
        in_channels = conv.in_channels if conv is not None else 1
    X = torch.ones(1, in_channels, *n, dtype=torch.float64, requires_grad=True)
    Y = probe(X)
    if Y.ndim != 4:
        raise ValueError(f"net must map (N, C, H, W) to (N, C', H', W'), got output shape {tuple(Y.shape)}")
    out_h, out_w = Y.shape[-2:]
    if unit is None:
        unit = (out_h // 2, out_w // 2)
    i, j = unit
    if not (0 <= i < out_h and 0 <= j < out_w):
        raise ValueError(f"unit must be inside the output ({out_h}, {out_w}), got {unit}")
    Y[0, 0, i, j].backward()
    hit = X.grad[0].abs().sum(0) > 0
    rows = torch.nonzero(hit.any(1)).flatten()
    cols = torch.nonzero(hit.any(0)).flatten()
    return ((int(rows[0]), int(rows[-1]) + 1), (int(cols[0]), int(cols[-1]) + 1))


def _positivise(module: nn.Module) -> None:
    for name, child in module.named_children():
        if isinstance(child, nn.MaxPool2d):
            setattr(module, name, nn.AvgPool2d(child.kernel_size, child.stride, child.padding,
                                               ceil_mode=child.ceil_mode, count_include_pad=True))
        elif isinstance(child, (nn.BatchNorm2d, nn.InstanceNorm2d, nn.GroupNorm, nn.LocalResponseNorm)):
            setattr(module, name, nn.Identity())
        else:
            _positivise(child)
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                m.weight.abs_().add_(1e-3)
                if m.bias is not None:
                    m.bias.zero_()
