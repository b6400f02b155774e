"""Every chapter notebook has the shape the course promises (checked on the committed files).

* its first cell is markdown with the Colab + Binder badges for that notebook;
* its first code cell is exactly the shared setup cell of tools/notebook_cells.py for its edition's
  language, with no output (`make sync` writes both; `make sync REPO_URL=… BRANCH=…` re-points them);
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

from tools.notebook_cells import (
    FIRST_CHAPTER,
    badge_line,
    binder_badge,
    colab_badge,
    language_of,
    raw_url,
    setup_cell,
)
from tools.sync_notebooks import chapters, sync_notebook, sync_readme

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = chapters(ROOT)  # both editions
MAX_IGNORED = 3
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

pytestmark = pytest.mark.skipif(not NOTEBOOKS, reason="no chapter notebooks yet")


def nb_id(path: Path) -> str:
    return path.relative_to(ROOT / "notebooks").as_posix()


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_opens_with_title_and_badges(path):
    nb = load(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown", "a chapter opens with its markdown title"
    assert first.source.startswith("# "), "the first line is the chapter title"
    assert badge_line(rel(path)) in first.source.split("\n"), (
        "the first cell lacks this notebook's Colab/Binder badges: run `make sync`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_first_code_cell_is_the_shared_setup_cell(path):
    nb = load(path)
    cells = code_cells(nb)
    assert cells, "no code at all"
    setup = cells[0]
    expected = setup_cell(language_of(rel(path)))
    assert setup.source == expected, "the first code cell differs from tools/notebook_cells.py: run `make sync`"
    assert setup.outputs == [], "the setup cell must print nothing (nbval compares its output)"
    assert [c for c in cells[1:] if c.source == expected] == [], "the setup cell appears twice"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_kernelspec(path):
    assert load(path).metadata.get("kernelspec") == KERNELSPEC


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_committed_executed_top_to_bottom(path):
    cells = [c for c in code_cells(load(path)) if c.source.strip()]
    counts = [c.execution_count for c in cells]
    missing = [i for i, n in enumerate(counts) if n is None]
    assert not missing, f"code cells {missing} were never run: `make execute NB={rel(path)}`"
    assert counts == sorted(counts) and len(set(counts)) == len(counts) and counts[0] == 1, (
        f"execution counts {counts} are not one top-to-bottom run: `make execute NB={rel(path)}`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_few_cells_escape_nbval(path):
    excused = [i for i, c in enumerate(load(path).cells)
               if {"nbval-ignore-output", "nbval-skip"} & set(tags(c))]
    assert len(excused) <= MAX_IGNORED, (
        f"{len(excused)} cells (#{excused}) are excused from nbval; at most {MAX_IGNORED}: "
        "print stable things (shapes, rounded numbers) instead")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_sync_has_nothing_to_do(path):
    nb = load(path)
    assert sync_notebook(nb, rel(path)) == [], "`make sync` would change this notebook"


LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|<(?:img|a)\s[^>]*?(?:src|href)=[\"']([^\"']+)[\"']")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
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


def test_readme_points_at_the_courses_address():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert binder_badge(FIRST_CHAPTER) in readme
    assert colab_badge(FIRST_CHAPTER) in readme
    assert raw_url("requirements.txt") in readme  # the TLJH install line
    assert sync_readme(readme) == readme, "`make sync` would change the README"


# ---------------------------------------------------------------- outputs that name no version
# The same committed outputs must pass strict nbval on Colab's stack and on next year's releases.
VERSIONED = ("torch", "torchvision", "numpy", "matplotlib", "ipywidgets", "ipython", "ipykernel", "mlxtend",
             "pandas", "scipy", "pillow", "d2l", "jupyterlab")
NAMED_VERSION = re.compile(
    r"\b(?:python|cuda|cudnn|" + "|".join(VERSIONED) + r")\b[\s:=,'\"()v]{0,4}\d+\.\d+", re.I)
VERSION_CODE = re.compile(r"__version__|sys\.version|version_info|metadata\.version\(|platform\.python_version")


def output_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type == "error":
            parts += [out.ename, out.evalue]
        for mime in ("text/plain", "text/html", "text/markdown", "text/latex"):
            value = out.get("data", {}).get(mime)
            if value:
                parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


def installed_versions() -> dict[str, str]:
    import platform
    from importlib import metadata

    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_no_output_names_a_version(path):
    versions = {name: re.compile(rf"(?<![\d.]){re.escape(v)}(?![\d.])") for name, v in installed_versions().items()
                if v.count(".") >= 2}  # "2.14.1": three parts, so that ordinary numbers never match
    bad = []
    for i, cell in enumerate(load(path).cells):
        if cell.cell_type != "code":
            continue
        text = output_text(cell)
        if VERSION_CODE.search(cell.source) and cell.outputs:
            bad.append(f"cell {i} looks up a version and shows output: keep version checks in a silent cell")
        if m := NAMED_VERSION.search(text):
            bad.append(f"cell {i} prints {m.group(0)!r}")
        bad += [f"cell {i} prints the installed {name} version" for name, rx in versions.items() if rx.search(text)]
    assert not bad, bad


def test_version_check_catches_what_it_should():
    cell = nbformat.v4.new_code_cell("import torch\nprint(torch.__version__)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="torch 2.9.1\n")]
    assert NAMED_VERSION.search(output_text(cell))
    assert VERSION_CODE.search(cell.source)
    for harmless in ("torch.Size([1, 6, 28, 28])", "numpy array of 3.5 mean", "python list of 2 items",
                     "tensor([2.1400, 1.0000])"):
        assert not NAMED_VERSION.search(harmless), harmless


# The notebooks are the textbook: nothing in them is written for the people who maintain the course.
NOTES_TO_OURSELVES = re.compile(
    r"\bseeds'|\bseed's\b|\bthe seeds\b|\bstudy notes?\b|measured while writing|asserted in this notebook|\bthis test\b|"
    r"\bnbval\b|\bissue #?\d+|学习笔记|本笔记本断言", re.IGNORECASE)
MAX_WORDS = 200  # a markdown cell longer than this is split


def student_text(cell) -> str:
    """What the student reads in a cell: markdown, or a code cell's comments."""
    if cell.cell_type == "markdown":
        return cell.source
    return "\n".join(line.split("#", 1)[1] for line in cell.source.splitlines() if "#" in line)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=nb_id)
def test_text_speaks_only_to_the_student(path):
    bad = [f"cell {i}: {m.group(0)!r}" for i, cell in enumerate(load(path).cells)
           if (m := NOTES_TO_OURSELVES.search(student_text(cell)))]
    assert not bad, bad


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.parent.name != "zh"], ids=nb_id)
def test_markdown_cells_are_short_enough_to_read(path):
    long = []
    for i, cell in enumerate(load(path).cells):
        if cell.cell_type == "markdown":
            prose = re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|\(https?://[^)]*\)", " ", cell.source, flags=re.S)
            if (n := len(re.findall(r"[A-Za-z]+", prose))) > MAX_WORDS:
                long.append(f"cell {i}: {n} words")
    assert not long, f"split these cells (at most {MAX_WORDS} words each): {long}"


def test_notes_to_ourselves_are_caught():
    for note in ("as in the seeds' examples", "the study notes say", "Measured while writing this chapter",
                 "**Asserted in this notebook:** it matches", "see issue 12", "本笔记本断言"):
        assert NOTES_TO_OURSELVES.search(note), note
    for fine in ("torch.manual_seed(0)", "a seeded run", "the test accuracy", "随机种子"):
        assert not NOTES_TO_OURSELVES.search(fine), fine
