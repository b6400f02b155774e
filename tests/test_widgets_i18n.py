"""Every sentence a widget shows a student is in the edition's language (CONVLAB_LANGUAGE).

Under ``zh`` each branch of each widget's text is drawn (the pure ``draw_*`` functions, one
call per branch) and must carry Chinese, with no English words left outside ``<code>``
(identifiers, calls and formulas stay as they are, as in d2l-zh). Slider and button labels
and figure labels stay English in both editions; the English text is pinned by each
widget's own tests.
"""

from __future__ import annotations

import re

import pytest
import torch
from matplotlib.figure import Figure

from tools.widget_moves import kernel_side, widget_factories
from utils.models import lenet
from utils.receptive import conv_layer
from utils.widgets import (
    ConvLabWidget,
    draw_feature_maps,
    draw_multi_channel,
    draw_padding,
    draw_param_counts,
    draw_pooling,
    draw_receptive_field,
    draw_shift_responses,
    draw_trained_receptive_field,
)
from utils.widgets._base import slider

CJK = re.compile(r"[\u4e00-\u9fff]")
# Words that stay as they are in the Chinese text: names of layers and things, units, the book's name.
KEPT = {"d2l", "PyTorch", "logit", "GB", "float32", "Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm2d", "BatchNorm1d",
        "ReLU", "Sigmoid", "Flatten", "Linear"}


def prose(html: str) -> str:
    """The text a student reads as sentences: code, subscripts, table cells (numbers and layer
    labels), entities and tags removed."""
    html = re.sub(r"<code>.*?</code>|<sub>.*?</sub>|<td>.*?</td>|&\w+;", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def english_words(html: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z][A-Za-z0-9]+", prose(html)) if w not in KEPT]


@pytest.fixture
def zh(monkeypatch):
    monkeypatch.setenv("CONVLAB_LANGUAGE", "zh")


@pytest.fixture(scope="module")
def net():
    torch.manual_seed(0)
    return lenet("relu", "max", batch_norm=True)


def texts(net) -> dict[str, str]:
    """One text per branch of every widget's arithmetic."""
    f = Figure
    X = torch.arange(16.0).reshape(4, 4)
    digit = torch.zeros(12, 12)
    digit[3:7, 4:6] = 1
    K = torch.tensor([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]])
    W = torch.randn(144, 144, generator=torch.Generator().manual_seed(0))
    x = torch.rand(1, 28, 28, generator=torch.Generator().manual_seed(0))
    blank = torch.zeros(1, 28, 28)
    return {
        "channels": draw_multi_channel(f(), torch.ones(2, 3, 3), torch.ones(2, 2, 2, 2), 1, 0, bias=torch.ones(2))[0],
        "pooling max": draw_pooling(f(), X, 2, "max", 0, stride=2)[0],
        "pooling avg, padded": draw_pooling(f(), X, 3, "avg", 1, padding=1, stride=1)[0],
        "padding": draw_padding(f(), 8, 3, 0, 3, 1, 1)[0],
        "padding dilated": draw_padding(f(), 8, 3, 1, 1, 2, 0)[0],
        "param counts": draw_param_counts(f(), (3000, 4000), 3, 100, 3, 16)[0],
        "shift, equivariant": draw_shift_responses(f(), digit, K, W, 2, 1)[0],
        "shift, cut off": draw_shift_responses(f(), digit, K, W, 8, 0)[0],
        "receptive field": draw_receptive_field(f(), [conv_layer(3, padding=1)] * 3, 16, 8, 8)[0],
        "receptive field, clipped": draw_receptive_field(f(), [conv_layer(3, padding=1)] * 3, 16, 0, 0)[0],
        "feature maps": draw_feature_maps(f(), net, x, 0)[0],
        "flattened units": draw_feature_maps(f(), net, x, 8)[0],
        "logits": draw_feature_maps(f(), net, x, len(net) - 1)[0],
        "trained unit": draw_trained_receptive_field(f(), net, x, 0, 0, 0, 0)[0],
        "trained unit, off": draw_trained_receptive_field(f(), net, blank, 2, 0, 0, 0)[0],
    }


def test_every_sentence_is_chinese_in_the_chinese_edition(zh, net):
    for branch, html in texts(net).items():
        assert CJK.search(html), f"{branch}: no Chinese in {html!r}"
        assert not english_words(html), f"{branch}: English left: {english_words(html)} in {html!r}"


def test_the_branches_above_are_the_ones_there_are(net):
    # each text above exercises its branch: checked in English, where the wording is known
    t = texts(net)
    assert "(equivariant ✓)" in t["shift, equivariant"] and "cut off at the border" in t["shift, cut off"]
    assert "clipped at the border" in t["receptive field, clipped"] and "winner" in t["pooling max"]
    assert "never under any window" in t["padding"] and "dilated kernel spans" in t["padding dilated"]
    assert "(ReLU off)" in t["trained unit, off"] and "partly zero padding" in t["trained unit"]
    assert "10 logits" in t["logits"] and "a vector of" in t["flattened units"]


def test_no_valid_output_is_said_in_the_edition_s_language(monkeypatch):
    def draw(fig, n):
        raise ValueError(f"n must be even, got {n}")

    monkeypatch.setenv("CONVLAB_LANGUAGE", "zh")
    w = ConvLabWidget(draw, {"n": slider("n", 1, 0, 3)}, css_class="convlab-toy", figsize=(1, 1))
    # the message itself is the argument check's, in English in both editions
    assert w.text.value == "<b style='color:#b00'>没有有效输出：</b> n must be even, got 1"
    monkeypatch.setenv("CONVLAB_LANGUAGE", "en")
    w.controls["n"].value = 3
    assert w.text.value == "<b style='color:#b00'>No valid output:</b> n must be even, got 3"


@pytest.mark.parametrize("name", sorted(widget_factories()))
def test_every_widget_speaks_chinese_in_the_chinese_edition(zh, name):
    with kernel_side():  # the text is the same with front-end frames
        w = widget_factories()[name]()
    assert not english_words(w.text.value), f"{name}: English left: {english_words(w.text.value)}"
    if name == "sliding_window":  # its text is the arithmetic alone: Y[0, 0] = 0×0 + … = 19
        assert not CJK.search(w.text.value)
    else:
        assert CJK.search(w.text.value), f"{name}: {w.text.value!r}"
