"""tools/book.py without a browser or a kernel: which widgets get a note, links, network loads."""

from __future__ import annotations

import nbformat
import pytest

from tools import book


def _model(name: str, **state) -> dict:
    return {"model_name": name, "model_module": "@jupyter-widgets/controls", "state": state}


def _notebook(root_classes: list[str], slider_classes: list[str], play_classes: list[str]) -> nbformat.NotebookNode:
    state = {
        "root": _model("VBoxModel", _dom_classes=root_classes,
                       children=["IPY_MODEL_row", "IPY_MODEL_slider", "IPY_MODEL_frames"], layout="IPY_MODEL_lay"),
        "row": _model("HBoxModel", _dom_classes=[], children=["IPY_MODEL_play"]),
        "play": _model("PlayModel", _dom_classes=play_classes, disabled=False),
        "slider": _model("IntSliderModel", _dom_classes=slider_classes, disabled=False, style="IPY_MODEL_sty"),
        "frames": _model("TabModel", _dom_classes=["convlab-frames"], children=["IPY_MODEL_img"]),
        "img": _model("ImageModel", _dom_classes=[]),
        "lay": _model("LayoutModel"),
        "sty": _model("SliderStyleModel"),
        "other": _model("IntSliderModel", _dom_classes=[], disabled=False),  # not displayed: left alone
    }
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {book.WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": state}}
    out = nbformat.v4.new_output("display_data", data={
        book.WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": "root"},
        "text/plain": "ConvLabWidget(convlab-probe)"})
    nb.cells = [nbformat.v4.new_code_cell("w", outputs=[out])]
    return nb


def _state(nb) -> dict:
    return {k: v["state"] for k, v in nb.metadata.widgets[book.WIDGET_STATE]["state"].items()}


def test_a_kernel_widget_is_disabled_and_noted():
    nb = _notebook(["convlab-widget", "convlab-probe"], [], [])
    counts = book.mark_kernel_widgets(nb)
    state = _state(nb)
    assert state["slider"]["disabled"] and state["play"]["disabled"]
    assert state["other"]["disabled"] is False
    assert nb.cells[0].outputs[0].metadata["convlab_book"] == {"note": "widget"}
    assert counts == {"widgets": 1, "frontend": 0, "kernel_controls": 2, "frontend_controls": 0}


def test_a_frontend_widget_keeps_its_frontend_controls():
    nb = _notebook(["convlab-widget", book.FRONTEND], [book.FRONTEND_CONTROL], [book.FRONTEND_CONTROL])
    counts = book.mark_kernel_widgets(nb)
    state = _state(nb)
    assert not state["slider"]["disabled"] and not state["play"]["disabled"]
    assert "convlab_book" not in nb.cells[0].outputs[0].metadata
    assert counts["frontend_controls"] == 2 and counts["kernel_controls"] == 0


def test_a_kernel_control_in_a_frontend_widget_gets_the_controls_note():
    nb = _notebook(["convlab-widget", book.FRONTEND], [book.FRONTEND_CONTROL], [])
    book.mark_kernel_widgets(nb)
    state = _state(nb)
    assert state["play"]["disabled"] and not state["slider"]["disabled"]
    assert nb.cells[0].outputs[0].metadata["convlab_book"] == {"note": "controls"}


def test_a_frontend_control_class_outside_a_frontend_widget_does_not_count():
    nb = _notebook(["convlab-widget"], [book.FRONTEND_CONTROL], [book.FRONTEND_CONTROL])
    book.mark_kernel_widgets(nb)
    assert _state(nb)["slider"]["disabled"]


def test_links_point_into_the_book_and_badges_become_text():
    page = book.Page("zh", "notebooks/zh/02_corr2d.ipynb", "zh/02_corr2d.html")
    dests = {"notebooks/zh/glossary.md": "zh/glossary.html", "notebooks/02_corr2d.ipynb": "en/02_corr2d.html"}
    text = (f'<a href="glossary.md#x"></a><a href="../02_corr2d.ipynb"></a><a href="../../utils/conv.py"></a>'
            f'<a href="https://example.org/a.ipynb"></a><a href="#top"></a>'
            f'<a href="u"><img alt="Open In Colab" src="{book.COLAB_BADGE_IMG}"/></a>')
    out = book.rewrite_links(text, page, dests)
    assert 'href="glossary.html#x"' in out
    assert 'href="../en/02_corr2d.html"' in out
    assert f'href="{book.REPO_URL}/blob/{book.BRANCH}/utils/conv.py"' in out
    assert 'href="https://example.org/a.ipynb"' in out and 'href="#top"' in out
    assert book.COLAB_BADGE_IMG not in out and "在 Colab 中打开" in out


@pytest.mark.parametrize("text", [
    '<script src="https://cdn.example.org/x.js"></script>',
    '<img alt="a" src="//cdn.example.org/x.png">',
    '<link rel="stylesheet" href="http://example.org/x.css">',
    "<style>@font-face { src: url('https://fonts.example.org/f.woff2') }</style>",
    "<style>@import url(https://fonts.googleapis.com/css);</style>",
])
def test_external_loads_are_found(text):
    assert book.external_loads(text)


def test_links_and_local_assets_are_not_loads():
    text = ('<a href="https://colab.research.google.com/x">Colab</a><script src="../assets/require.js"></script>'
            '<img src="data:image/png;base64,AAAA"><p>see https://example.org</p>')
    assert book.external_loads(text) == []


def test_every_chapter_of_both_editions_is_a_page():
    pages = book.chapters()
    assert {p.language for p in pages} == set(book.EDITIONS)
    for p in pages:
        assert p.dest == f"{p.language}/{p.stem}.html" and (book.ROOT / p.src).is_file()


def test_only_must_name_chapters(tmp_path, monkeypatch):
    monkeypatch.setattr(book, "copy_assets", lambda out: None)
    with pytest.raises(ValueError, match="only must name chapters"):
        book.build(tmp_path, only=["99_nothing"], log=lambda *_: None)


def test_a_play_button_takes_the_value_of_the_slider_it_drives():
    nb = _notebook(["convlab-widget"], [], [])
    state = nb.metadata.widgets[book.WIDGET_STATE]["state"]
    state["slider"]["state"]["value"], state["play"]["state"]["value"] = 3, 0
    state["link"] = _model("LinkModel", source=["IPY_MODEL_play", "value"], target=["IPY_MODEL_slider", "value"])
    state["tablink"] = _model("LinkModel", source=["IPY_MODEL_slider", "value"], target=["IPY_MODEL_frames", "selected_index"])
    state["frames"]["state"]["selected_index"] = 0
    assert book.sync_play_links(nb) == 1
    assert state["play"]["state"]["value"] == 3
    assert state["frames"]["state"]["selected_index"] == 0  # the page's link moves it from the slider
