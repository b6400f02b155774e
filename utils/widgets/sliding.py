"""Chapter 02: the sliding window of 2-D cross-correlation (互相关)."""

from __future__ import annotations

import ipywidgets as widgets
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from .._checks import as_pair, check_tensor, common_dtype
from ..conv import corr2d
from ._base import ConvLabWidget, DrawResult, fmt, slider
from ._draw import CELL_COLOR, WINDOW_COLOR, draw_matrix, outline, outline_cells

MAX_TERMS = 12


def window_arithmetic(
    X: torch.Tensor,
    K: torch.Tensor,
    i: int,
    j: int,
    *,
    padding: int | tuple[int, int] = 0,
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
) -> tuple[str, float]:
    """The sum behind output ``Y[i, j]`` written out, e.g. ``0×0 + 1×1 + 3×2 + 4×3 = 19``.

    X: (H, W), K: (k_h, k_w). Returns the text and the value. Long sums are
    shortened with "…" but the value is always the full sum.
    """
    P, taps = _window_taps(X, K, i, j, padding, stride, dilation)
    K = check_tensor(K, "K", (2,), "(k_h, k_w)")
    terms = [f"{fmt(P[r, c])}×{_paren(K[a, b])}" for (a, b), (r, c) in taps]
    value = float(sum(float(P[r, c]) * float(K[a, b]) for (a, b), (r, c) in taps))
    if len(terms) > MAX_TERMS:
        terms = terms[: MAX_TERMS - 1] + ["…"]
    return " + ".join(terms) + f" = {fmt(value)}", value


def _paren(v: torch.Tensor) -> str:
    text = fmt(v)
    return f"({text})" if text.startswith("-") else text


def _window_taps(X, K, i, j, padding, stride, dilation):
    """Padded input and the list of ((a, b) kernel index, (r, c) padded-input index)."""
    X = check_tensor(X, "X", (2,), "(H, W)")
    K = check_tensor(K, "K", (2,), "(k_h, k_w)")
    p = as_pair(padding, "padding", minimum=0)
    s = as_pair(stride, "stride", minimum=1)
    d = as_pair(dilation, "dilation", minimum=1)
    P = F.pad(X, (p[1], p[1], p[0], p[0])) if p != (0, 0) else X
    taps = [((a, b), (i * s[0] + a * d[0], j * s[1] + b * d[1]))
            for a in range(K.shape[0]) for b in range(K.shape[1])]
    return P, taps


def draw_sliding_window(
    fig: Figure,
    X: torch.Tensor,
    K: torch.Tensor,
    position: int,
    *,
    padding: int | tuple[int, int] = 0,
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
) -> DrawResult:
    """Draw input (window highlighted), kernel, and output (cell highlighted).

    ``position`` counts output cells row by row (0 is the top-left cell).
    Output cells not yet reached are left blank, so stepping the slider fills
    the output in the order the loop in the lesson does.
    """
    Y = corr2d(X, K, padding=padding, stride=stride, dilation=dilation).detach()
    X, K = common_dtype(check_tensor(X, "X", (2,), "(H, W)"), check_tensor(K, "K", (2,), "(k_h, k_w)"))
    X, K = X.detach(), K.detach()
    out_h, out_w = Y.shape
    if not 0 <= position < out_h * out_w:
        raise ValueError(f"position must be in [0, {out_h * out_w - 1}], got {position}")
    i, j = divmod(position, out_w)
    P, taps = _window_taps(X, K, i, j, padding, stride, dilation)
    p = as_pair(padding, "padding", minimum=0)
    d = as_pair(dilation, "dilation", minimum=1)
    ax_x, ax_k, ax_y = fig.subplots(1, 3, width_ratios=[P.shape[1], max(K.shape[1], 2), max(out_w, 2)])
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.9, wspace=0.12)
    draw_matrix(ax_x, P, f"input X {tuple(X.shape)}" + (f", padding {p}" if p != (0, 0) else ""),
                border=p)
    rows = [r for _, (r, _c) in taps]
    cols = [c for _, (_r, c) in taps]
    if d == (1, 1):
        outline(ax_x, rows[0], cols[0], K.shape[0], K.shape[1], WINDOW_COLOR)
    else:
        outline_cells(ax_x, [rc for _, rc in taps], WINDOW_COLOR)
    draw_matrix(ax_k, K, f"kernel K {tuple(K.shape)}", cmap="Greens")
    outline(ax_k, 0, 0, K.shape[0], K.shape[1], WINDOW_COLOR)
    hidden = (torch.arange(out_h * out_w) > position).reshape(out_h, out_w).numpy()
    draw_matrix(ax_y, Y, f"output Y {tuple(Y.shape)}", hidden=hidden, cmap="Oranges")
    outline(ax_y, i, j, 1, 1, CELL_COLOR)
    text, value = window_arithmetic(X, K, i, j, padding=padding, stride=stride, dilation=dilation)
    html = f"<code>Y[{i}, {j}] = {text}</code>"
    info = {
        "cell": (i, j),
        "window": (min(rows), min(cols), max(rows) - min(rows) + 1, max(cols) - min(cols) + 1),
        "taps": [rc for _, rc in taps],
        "value": value,
        "output_shape": (out_h, out_w),
        "arithmetic": text,
    }
    return html, info


def sliding_window(
    X: torch.Tensor | None = None,
    K: torch.Tensor | None = None,
    *,
    padding: int | tuple[int, int] = 0,
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
    interval_ms: int = 700,
) -> ConvLabWidget:
    """A slider (and play button) that walks the kernel over every output cell.

    X: (H, W), K: (k_h, k_w); defaults are the lesson's 3×3 input and 2×2
    kernel, whose first output is 0×0 + 1×1 + 3×2 + 4×3 = 19.
    """
    if X is None:
        X = torch.arange(9.0).reshape(3, 3)
    if K is None:
        K = torch.arange(4.0).reshape(2, 2)
    Y = corr2d(X, K, padding=padding, stride=stride, dilation=dilation)  # validates everything
    n = Y.numel()
    position = slider("output position", 0, 0, n - 1)
    play = widgets.Play(value=0, min=0, max=n - 1, interval=interval_ms, description="play")
    widgets.jslink((play, "value"), (position, "value"))

    def draw(fig: Figure, position: int) -> DrawResult:
        return draw_sliding_window(fig, X, K, position, padding=padding, stride=stride, dilation=dilation)

    width = 3.0 + 0.45 * (X.shape[1] + 2 * as_pair(padding, "padding", minimum=0)[1] + K.shape[1] + Y.shape[1])
    height = 1.2 + 0.45 * max(X.shape[0], 3)
    return ConvLabWidget(draw, {"position": position}, css_class="convlab-sliding-window",
                         figsize=(min(width, 12), min(height, 6)), extra=[play])
