"""Every chapter notebook has the shape the course promises (checked on the committed files).

* its first cell is markdown with the Colab + Binder badges for that notebook;
* its first code cell is exactly the shared setup cell of tools/notebook_cells.py, with no output
  (`make sync` writes both; change REPO_URL there to point a fork's badges at the fork);
* the kernelspec is the plain python3 one;
* it is committed executed, top to bottom in one run: every code cell has an execution count,
  counting up from 1 — what strict nbval compares against;
* no error output, except in cells tagged ``raises-exception``;
* at most MAX_IGNORED cells are excused from nbval's output comparison;
* every relative link or image in its markdown points at a file that exists.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tools.notebook_cells import FIRST_CHAPTER, SETUP_CELL, badge_line, binder_badge, colab_badge
from tools.sync_notebooks import sync_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
MAX_IGNORED = 3
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

pytestmark = pytest.mark.skipif(not NOTEBOOKS, reason="no chapter notebooks yet")


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_opens_with_title_and_badges(path):
    nb = load(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown", "a chapter opens with its markdown title"
    assert first.source.startswith("# "), "the first line is the chapter title"
    assert badge_line(rel(path)) in first.source.split("\n"), (
        "the first cell lacks this notebook's Colab/Binder badges: run `make sync`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_is_the_shared_setup_cell(path):
    nb = load(path)
    cells = code_cells(nb)
    assert cells, "no code at all"
    setup = cells[0]
    assert setup.source == SETUP_CELL, "the first code cell differs from tools/notebook_cells.py: run `make sync`"
    assert setup.outputs == [], "the setup cell must print nothing (nbval compares its output)"
    assert [c for c in cells[1:] if c.source == SETUP_CELL] == [], "the setup cell appears twice"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_kernelspec(path):
    assert load(path).metadata.get("kernelspec") == KERNELSPEC


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_executed_top_to_bottom(path):
    cells = [c for c in code_cells(load(path)) if c.source.strip()]
    counts = [c.execution_count for c in cells]
    missing = [i for i, n in enumerate(counts) if n is None]
    assert not missing, f"code cells {missing} were never run: `make execute NB={rel(path)}`"
    assert counts == sorted(counts) and len(set(counts)) == len(counts) and counts[0] == 1, (
        f"execution counts {counts} are not one top-to-bottom run: `make execute NB={rel(path)}`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_error_outputs_unless_expected(path):
    bad = []
    for i, cell in enumerate(load(path).cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if errors and "raises-exception" not in tags(cell):
            bad.append(f"cell {i}: {errors[0].ename}: {errors[0].evalue}")
        if "raises-exception" in tags(cell):
            assert errors, f"cell {i} is tagged raises-exception but raised nothing"
    assert not bad, bad


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_few_cells_escape_nbval(path):
    excused = [i for i, c in enumerate(load(path).cells)
               if {"nbval-ignore-output", "nbval-skip"} & set(tags(c))]
    assert len(excused) <= MAX_IGNORED, (
        f"{len(excused)} cells (#{excused}) are excused from nbval; at most {MAX_IGNORED}: "
        "print stable things (shapes, rounded numbers) instead")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_sync_has_nothing_to_do(path):
    nb = load(path)
    assert sync_notebook(nb, rel(path)) == [], "`make sync` would change this notebook"


LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|<(?:img|a)\s[^>]*?(?:src|href)=[\"']([^\"']+)[\"']")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_relative_links_resolve(path):
    broken = []
    for cell in load(path).cells:
        if cell.cell_type != "markdown":
            continue
        for m in LINK.finditer(cell.source):
            target = m.group(1) or m.group(2)
            if re.match(r"^([a-z][a-z0-9+.-]*:|#)", target, re.I):  # http:, mailto:, data:, #anchor
                continue
            file = target.split("#", 1)[0].split("?", 1)[0]
            if file and not (path.parent / file).exists():
                broken.append(target)
    assert not broken, f"links to files that do not exist: {broken}"


def test_readme_badges_open_the_first_chapter():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert binder_badge(FIRST_CHAPTER) in readme
    assert colab_badge(FIRST_CHAPTER) in readme
