"""Write the shared setup cell and the Colab/Binder badges into every chapter notebook and the README.

    python tools/sync_notebooks.py            # rewrite every chapter (both editions) and README.md in place
    python tools/sync_notebooks.py --check    # only report; exit 1 if anything is out of date
    python tools/sync_notebooks.py notebooks/02_corr2d.ipynb
    python tools/sync_notebooks.py --repo-url https://github.com/me/my-course --branch spring

The Chinese edition's code cells are copied from the English chapter (tools/editions.py).
``--repo-url``/``--branch`` first store the course's new address in course.json, then rewrite
everything derived from it. The text comes from tools/notebook_cells.py. Outputs and execution
counts are kept: the setup cell prints nothing, so strict nbval is unaffected. Only when a
notebook has no setup cell at all is one inserted (unexecuted: run `make execute`).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `tools` importable
    sys.path.insert(0, str(ROOT))
from tools import notebook_cells as nc  # noqa: E402
from tools.editions import copy_code  # noqa: E402

SETUP_MARKER = "# ConvLab setup"


def chapters(root: Path | None = None) -> list[Path]:
    """Every chapter notebook of every edition."""
    root = root or ROOT
    return [p for folder in nc.EDITIONS.values() for p in sorted((root / folder).glob("[0-9]*.ipynb"))]


def sync_notebook(nb: nbformat.NotebookNode, rel_path: str) -> list[str]:
    """Bring ``nb`` up to date in place; return what changed (empty list: nothing)."""
    changes: list[str] = []
    badges = nc.badge_line(rel_path)
    setup = nc.setup_cell(nc.language_of(rel_path))

    markdown = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if markdown is None:
        markdown = nbformat.v4.new_markdown_cell(f"# {Path(rel_path).stem}")
        nb.cells.insert(0, markdown)
        changes.append("added a title cell")
    lines, changed = _replace_badges(markdown.source.split("\n"), badges)
    if changed:
        changes.append("updated badges")
    elif changed is None:
        title = next((i for i, line in enumerate(lines) if line.startswith("# ")), -1)
        lines[title + 1:title + 1] = ["", badges] if title >= 0 else [badges, ""]
        changes.append("added badges")
    markdown.source = "\n".join(lines)

    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    first = code_cells[0] if code_cells else None
    if first is not None and first.source.lstrip().startswith(SETUP_MARKER):
        if first.source != setup:
            first.source = setup
            changes.append("updated setup cell")
    else:
        where = nb.cells.index(first) if first is not None else len(nb.cells)
        nb.cells.insert(where, nbformat.v4.new_code_cell(setup))
        changes.append("inserted setup cell (unexecuted: run `make execute`)")
    return changes


def _replace_badges(lines: list[str], badges: str) -> tuple[list[str], bool | None]:
    """Put ``badges`` where the first badge line is and drop any others.

    Returns (lines, changed): changed is None when there was no badge line at all.
    """
    old = [i for i, line in enumerate(lines) if nc.is_badge_line(line)]
    if not old:
        return lines, None
    if lines[old[0]] == badges and len(old) == 1:
        return lines, False
    lines = list(lines)
    lines[old[0]] = badges
    for i in reversed(old[1:]):
        del lines[i]
    return lines, True


RAW_REQUIREMENTS = re.compile(r"https://raw\.githubusercontent\.com/[\w.-]+/[\w.-]+/[^/\s]+/requirements\.txt")
REPO2DOCKER = re.compile(r"(jupyter-repo2docker\b[^\n]*?(?:\\\n\s*)?)https://github\.com/[\w.-]+/[\w.-]+")


def sync_readme(text: str) -> str:
    """The README with its badges (first chapter), TLJH requirements URL and repo2docker command
    pointing at the course's address."""
    lines, _ = _replace_badges(text.split("\n"), nc.badge_line(nc.FIRST_CHAPTER))
    text = "\n".join(lines)
    text = RAW_REQUIREMENTS.sub(nc.raw_url("requirements.txt"), text)
    return REPO2DOCKER.sub(lambda m: m.group(1) + nc.REPO_URL, text)


def _sync_file(path: Path, new_text, check: bool) -> bool:
    """Rewrite ``path`` with ``new_text(old_text, rel)``; return True if it was (or would be) changed."""
    rel = path.relative_to(ROOT).as_posix()
    before = path.read_text(encoding="utf-8")
    after, changes = new_text(before, rel)
    if after == before:
        return False
    print(f"{rel}: {', '.join(changes) or 'reformatted'}")
    if not check:
        path.write_text(after, encoding="utf-8")
    return True


def _notebook_text(before: str, rel: str) -> tuple[str, list[str]]:
    nb = nbformat.reads(before, as_version=4)
    changes = sync_notebook(nb, rel)
    return nbformat.writes(nb) + "\n", changes


def _zh_text(en_path: Path, zh_text: str) -> tuple[str, list[str]]:
    zh = nbformat.reads(zh_text, as_version=4)
    changes = copy_code(nbformat.read(en_path, as_version=4), zh)
    if changes:
        changes.append(f"re-execute it: make execute NB={en_path.parent.name}/zh/{en_path.name}")
    return nbformat.writes(zh) + "\n", changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="report only; exit 1 if out of date")
    parser.add_argument("--repo-url", help="store a new course address in course.json first")
    parser.add_argument("--branch", help="with or without --repo-url: the branch to publish from")
    args = parser.parse_args(argv)
    if args.repo_url or args.branch:
        if args.check:
            parser.error("--check reports on the stored address; it cannot also change it")
        try:
            nc.save_address(args.repo_url or nc.REPO_URL, args.branch or nc.BRANCH)
        except ValueError as exc:
            parser.error(str(exc))
        nc.REPO_URL, nc.BRANCH = nc.load_address()
        print(f"course.json: {nc.REPO_URL} (branch {nc.BRANCH})")
    paths = [p.resolve() for p in args.notebooks] or chapters()
    stale = sum(_sync_file(p, _notebook_text, args.check) for p in paths)
    for en in paths:  # the Chinese edition takes its code cells from the English one
        zh = en.parent / "zh" / en.name
        if en.parent == ROOT / nc.EDITIONS["en"] and zh.is_file():
            stale += _sync_file(zh, lambda text, _rel, en=en: _zh_text(en, text), args.check)
    readme = ROOT / "README.md"
    if not args.notebooks and readme.is_file():
        stale += _sync_file(readme, lambda text, _rel: (sync_readme(text), ["updated the course address"]), args.check)
    if not stale:
        print(f"{len(paths)} notebook(s) up to date")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
