"""The Chinese edition (notebooks/zh/) is the English one in another language, cell for cell.

tools/editions.py says what may differ; here every chapter pair is held to it, and the check itself is
shown to catch a code cell or a formula changed in only one edition.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest

from tools.editions import cjk_share, copy_code, drift, formulas, normalise_outputs

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
CHINESE = sorted((ROOT / "notebooks" / "zh").glob("[0-9]*.ipynb"))
GLOSSARY = ROOT / "notebooks" / "zh" / "glossary.md"


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def test_every_chapter_has_both_editions():
    assert [p.name for p in ENGLISH] == [p.name for p in CHINESE]


@pytest.mark.parametrize("en_path", ENGLISH, ids=lambda p: p.name)
def test_the_editions_differ_only_in_language(en_path):
    zh_path = ROOT / "notebooks" / "zh" / en_path.name
    assert zh_path.is_file(), f"no Chinese edition of {en_path.name}"
    problems = drift(load(en_path), load(zh_path))
    assert not problems, "\n".join(problems) + "\n(`make sync` copies code cells; then `make execute NB=...`)"


@pytest.mark.parametrize("zh_path", CHINESE, ids=lambda p: p.name)
def test_each_chinese_chapter_links_the_glossary(zh_path):
    text = "\n".join(c.source for c in load(zh_path).cells if c.cell_type == "markdown")
    assert "](glossary.md)" in text, "every Chinese chapter links the glossary (术语表)"
    assert GLOSSARY.is_file()


# ---------------------------------------------------------------- the check catches drift
@pytest.fixture(scope="module")
def pair():
    en_path = ENGLISH[1] if len(ENGLISH) > 1 else ENGLISH[0]
    return load(en_path), load(ROOT / "notebooks" / "zh" / en_path.name)


def _first(nb, kind, pred=lambda c: True, skip=0):
    cells = [i for i, c in enumerate(nb.cells) if c.cell_type == kind and pred(c)]
    return cells[skip]


def test_a_code_cell_changed_in_one_edition_is_caught(pair):
    en, zh = copy.deepcopy(pair[0]), copy.deepcopy(pair[1])
    i = _first(zh, "code", skip=1)
    zh.cells[i].source += "\nx_extra = 1"
    assert any(f"cell {i}: code differs" in p for p in drift(en, zh))
    assert copy_code(en, zh) == [f"cell {i} code"] and not any("code differs" in p for p in drift(en, zh))


def test_a_formula_changed_in_one_edition_is_caught(pair):
    en, zh = copy.deepcopy(pair[0]), copy.deepcopy(pair[1])
    i = _first(zh, "markdown", lambda c: formulas(c.source))
    f = formulas(zh.cells[i].source)[0]
    zh.cells[i].source = zh.cells[i].source.replace(f, f.replace("$", "$\\,", 1), 1)
    assert any(f"cell {i}: formulas missing" in p for p in drift(en, zh))


def test_an_untranslated_cell_a_missing_cell_and_changed_outputs_are_caught(pair):
    en, zh = copy.deepcopy(pair[0]), copy.deepcopy(pair[1])
    i = max(range(len(en.cells)), key=lambda k: cjk_share(en.cells[k].source)[1] if en.cells[k].cell_type == "markdown" else 0)
    zh.cells[i].source = en.cells[i].source
    assert any(f"cell {i}: mostly untranslated" in p for p in drift(en, zh))
    assert "cell count or types differ" in drift(en, nbformat.v4.new_notebook(cells=zh.cells[:-1]))[0]
    zh = copy.deepcopy(pair[1])
    j = _first(zh, "code", lambda c: any(o.output_type == "stream" and "✅" not in o.text and "❌" not in o.text
                                         for o in c.outputs))
    stream = next(o for o in zh.cells[j].outputs if o.output_type == "stream")
    stream.text = stream.text + "1"
    assert any(f"cell {j}: outputs differ" in p for p in drift(en, zh))


def test_feedback_may_differ_in_language_but_not_in_verdict():
    en = nbformat.v4.new_code_cell("q(answer)")
    zh = nbformat.v4.new_code_cell("q(answer)")
    en.outputs = [nbformat.v4.new_output("stream", name="stdout", text="❌ Not quite. Not answered yet.\n")]
    zh.outputs = [nbformat.v4.new_output("stream", name="stdout", text="❌ 还不对。还没有作答。\n")]
    assert normalise_outputs(en) == normalise_outputs(zh)
    zh.outputs[0].text = "✅ 答对了！\n"
    assert normalise_outputs(en) != normalise_outputs(zh)


def test_a_stream_split_differently_is_the_same_output():
    en = nbformat.v4.new_code_cell("print(1); print(2)")
    zh = nbformat.v4.new_code_cell("print(1); print(2)")
    en.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n2\n")]
    zh.outputs = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in ("1\n", "2\n")]
    assert normalise_outputs(en) == normalise_outputs(zh)
    zh.outputs[1].text = "3\n"
    assert normalise_outputs(en) != normalise_outputs(zh)
