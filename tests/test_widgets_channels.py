"""The chapter-04 multi-channel widget, driven headlessly."""

import matplotlib.pyplot as plt
import pytest
import torch
import torch.nn.functional as F
from matplotlib.colors import to_rgb
from matplotlib.patches import Rectangle

from utils import corr2d, corr2d_multi_in_out
from utils.widgets._draw import CELL_COLOR, WINDOW_COLOR
from utils.widgets.channels import channel_sum, draw_multi_channel, multi_channel

X_SEED = torch.stack([torch.arange(9.0).reshape(3, 3), torch.arange(1.0, 10.0).reshape(3, 3)])
K_SEED = torch.stack([torch.arange(4.0).reshape(2, 2), torch.arange(1.0, 5.0).reshape(2, 2)])
K2 = torch.stack([K_SEED, K_SEED + 1, K_SEED + 2])
EXPECTED = torch.tensor([[[56.0, 72], [104, 120]], [[76, 100], [148, 172]], [[96, 128], [192, 224]]])


def outlines(ax, color):
    """(x, y, w, h) of every unfilled rectangle of the given colour."""
    out = []
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and not patch.get_fill():
            if tuple(patch.get_edgecolor()[:3]) == pytest.approx(to_rgb(color)):
                x, y = patch.get_xy()
                out.append((x, y, patch.get_width(), patch.get_height()))
    return out


def test_default_is_the_lesson_example():
    w = multi_channel()
    assert "convlab-channels" in w._dom_classes
    assert w.controls["out_channel"].max == 2 and w.controls["position"].max == 3
    assert "channel 0: 0×0 + 1×1 + 3×2 + 4×3 = 19" in w.text.value
    assert "channel 1: 1×1 + 2×2 + 4×3 + 5×4 = 37" in w.text.value
    assert "Y[0, 0, 0] = 19 + 37 = 56" in w.text.value
    assert "(3, 2, 2, 2) = c_o×c_i×k_h×k_w" in w.text.value
    assert w.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert repr(w) == "ConvLabWidget(convlab-channels)"


@pytest.mark.parametrize("o", [0, 1, 2])
def test_every_channel_and_position_gives_the_book_outputs(o):
    w = multi_channel()
    w.controls["out_channel"].value = o
    for pos in range(4):
        before = w.image.value
        w.controls["position"].value = pos
        i, j = divmod(pos, 2)
        assert w.info["cell"] == (i, j) and w.info["out_channel"] == o
        assert w.info["value"] == EXPECTED[o, i, j].item()
        assert w.info["partials"] == [corr2d(X_SEED[c], K2[o, c])[i, j].item() for c in range(2)]
        assert sum(w.info["partials"]) == w.info["value"]
        assert f"Y[{o}, {i}, {j}] =" in w.text.value
        if pos:
            assert w.image.value != before


def test_figure_outlines_follow_the_controls():
    w = multi_channel()
    (ax,) = w.figure.axes
    windows = outlines(ax, WINDOW_COLOR)
    cells = outlines(ax, CELL_COLOR)
    assert len(windows) == 4  # one window per input channel + one frame per kernel slice
    assert len(cells) == 3  # the cell in each partial map + the output cell
    w.controls["position"].value = 3  # bottom-right: every window and cell moves one row down, one column right
    moved = outlines(ax := w.figure.axes[0], WINDOW_COLOR)
    x_windows = sorted(windows)[:2], sorted(moved)[:2]
    for (x0, y0, *_), (x1, y1, *_) in zip(*x_windows, strict=True):
        assert (x1 - x0, y1 - y0) == (1, 1)
    for (x0, y0, *_), (x1, y1, *_) in zip(sorted(cells), sorted(outlines(ax, CELL_COLOR)), strict=True):
        assert (x1 - x0, y1 - y0) == (1, 1)
    texts = {t.get_text() for t in ax.texts}
    assert {"56", "72", "104", "120", "Y[0] = Σ partials"} <= texts
    w.controls["out_channel"].value = 2
    texts = {t.get_text() for t in w.figure.axes[0].texts}
    assert {"96", "128", "192", "224", "kernel K[2, 1]"} <= texts


def test_bias_is_one_number_per_output_channel():
    b = torch.tensor([1.0, -2.0, 0.5])
    w = multi_channel(bias=b)
    w.controls["out_channel"].value = 1
    assert w.info["value"] == EXPECTED[1, 0, 0].item() - 2
    assert "b[1]=-2" in w.text.value
    with pytest.raises(ValueError, match="one number per output channel"):
        multi_channel(bias=torch.zeros(3, 2))  # the c_o × c_i slip


def test_padding_and_stride_against_conv2d():
    g = torch.Generator().manual_seed(0)
    X = torch.randint(-3, 4, (3, 5, 5), generator=g).float()
    K = torch.randint(-1, 2, (2, 3, 3, 3), generator=g).float()
    b = torch.tensor([1.0, -2.0])
    Y = F.conv2d(X.unsqueeze(0), K, b, padding=1, stride=2).squeeze(0)
    w = multi_channel(X, K, bias=b, padding=1, stride=2)
    assert w.controls["position"].max == Y[0].numel() - 1
    for o in range(2):
        w.controls["out_channel"].value = o
        for pos in range(Y[0].numel()):
            w.controls["position"].value = pos
            i, j = divmod(pos, Y.shape[2])
            assert w.info["value"] == pytest.approx(Y[o, i, j].item())
            assert w.info["window"][:2] == (2 * i, 2 * j)


def test_channel_sum_spells_out_each_channel():
    lines, partials, total = channel_sum(X_SEED, K2, 2, 1, 1)
    assert partials == [corr2d(X_SEED[c], K2[2, c])[1, 1].item() for c in range(2)]
    assert total == corr2d_multi_in_out(X_SEED, K2)[2, 1, 1].item() == 224
    assert lines[0] == "4×2 + 5×3 + 7×4 + 8×5 = 91"


def test_single_output_channel_disables_its_slider():
    w = multi_channel(X_SEED, K_SEED.unsqueeze(0))
    assert w.controls["out_channel"].disabled and w.info["value"] == 56


def test_bad_input():
    with pytest.raises(ValueError, match="channel mismatch"):
        multi_channel(X_SEED, torch.ones(1, 3, 2, 2))
    with pytest.raises(ValueError, match="at most 4"):
        multi_channel(torch.ones(5, 3, 3), torch.ones(1, 5, 2, 2))
    with pytest.raises(ValueError, match=r"K must have shape \(c_o, c_i, k_h, k_w\)"):
        multi_channel(X_SEED, K_SEED)
    with pytest.raises(ValueError, match="larger than the padded input"):
        multi_channel(X_SEED, torch.ones(1, 2, 4, 4))
    with pytest.raises(TypeError, match="X must be a torch.Tensor"):
        multi_channel([[0.0]], K2)
    fig = plt.figure()
    try:
        with pytest.raises(ValueError, match=r"out_channel must be in \[0, 2\]"):
            draw_multi_channel(fig, X_SEED, K2, 3, 0)
        with pytest.raises(ValueError, match=r"position must be in \[0, 3\]"):
            draw_multi_channel(fig, X_SEED, K2, 0, 4)
    finally:
        plt.close(fig)


def test_big_inputs_still_show_every_number():
    X = torch.arange(2 * 14 * 14.0).reshape(2, 14, 14) % 17 - 8
    w = multi_channel(X, torch.ones(1, 2, 3, 3))
    texts = [t.get_text() for t in w.figure.axes[0].texts]
    assert len(texts) >= 2 * 14 * 14 + 2 * 9 + 3 * 12 * 12  # inputs, kernels, partials and the sum
