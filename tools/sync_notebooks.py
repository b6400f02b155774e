"""Write the shared setup cell and the Colab/Binder badges into every chapter notebook.

    python tools/sync_notebooks.py            # rewrite notebooks/[0-9]*.ipynb in place
    python tools/sync_notebooks.py --check    # only report; exit 1 if anything is out of date
    python tools/sync_notebooks.py notebooks/02_corr2d.ipynb

The text comes from tools/notebook_cells.py (REPO_URL, BRANCH, SETUP_CELL). Outputs and
execution counts are kept: the setup cell prints nothing locally, so strict nbval is unaffected.
Only when a notebook has no setup cell at all is one inserted (unexecuted: run `make execute`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `tools` importable
    sys.path.insert(0, str(ROOT))
from tools.notebook_cells import SETUP_CELL, badge_line, is_badge_line  # noqa: E402

SETUP_MARKER = "# ConvLab setup"


def sync_notebook(nb: nbformat.NotebookNode, rel_path: str) -> list[str]:
    """Bring ``nb`` up to date in place; return what changed (empty list: nothing)."""
    changes: list[str] = []
    badges = badge_line(rel_path)

    markdown = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if markdown is None:
        markdown = nbformat.v4.new_markdown_cell(f"# {Path(rel_path).stem}")
        nb.cells.insert(0, markdown)
        changes.append("added a title cell")
    lines = markdown.source.split("\n")
    old = [i for i, line in enumerate(lines) if is_badge_line(line)]
    if old:
        if lines[old[0]] != badges or len(old) > 1:
            lines[old[0]] = badges
            for i in reversed(old[1:]):
                del lines[i]
            changes.append("updated badges")
    else:
        title = next((i for i, line in enumerate(lines) if line.startswith("# ")), -1)
        lines[title + 1:title + 1] = ["", badges] if title >= 0 else [badges, ""]
        changes.append("added badges")
    markdown.source = "\n".join(lines)

    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    first = code_cells[0] if code_cells else None
    if first is not None and first.source.lstrip().startswith(SETUP_MARKER):
        if first.source != SETUP_CELL:
            first.source = SETUP_CELL
            changes.append("updated setup cell")
    else:
        where = nb.cells.index(first) if first is not None else len(nb.cells)
        nb.cells.insert(where, nbformat.v4.new_code_cell(SETUP_CELL))
        changes.append("inserted setup cell (unexecuted: run `make execute`)")
    return changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="report only; exit 1 if out of date")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    stale = 0
    for path in paths:
        path = path.resolve()
        rel = path.relative_to(ROOT).as_posix()
        before = path.read_text(encoding="utf-8")
        nb = nbformat.reads(before, as_version=4)
        changes = sync_notebook(nb, rel)
        after = nbformat.writes(nb) + "\n"
        if after == before:
            continue
        stale += 1
        print(f"{rel}: {', '.join(changes) or 'reformatted'}")
        if not args.check:
            path.write_text(after, encoding="utf-8")
    if not stale:
        print(f"{len(paths)} notebook(s) up to date")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
