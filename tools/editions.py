"""The English and Chinese editions of a chapter are the same notebook in two languages.

``drift(en, zh)`` lists every way a Chinese chapter departs from its English twin beyond its language:

* cell count, order and types, and nbval tags;
* code cells (only the setup cell differs, by the edition's language and folder);
* every LaTeX formula of an English markdown cell must appear verbatim in its Chinese twin;
* a Chinese markdown cell must be mostly Chinese (share of CJK characters among the letters of its
  prose, after code, formulas, links and HTML are removed);
* outputs must be the same (except in cells nbval itself does not compare), except exercise feedback
  (lines that start with ✅ or ❌), which speaks the edition's language but must agree on right and wrong.

``tests/test_editions.py`` runs it on every chapter; ``make sync`` copies the English code cells into
the Chinese edition (``copy_code``).
"""

from __future__ import annotations

import re

import nbformat

from tools.notebook_cells import setup_cell

#: A Chinese markdown cell needs at least this share of CJK characters among its prose's letters.
MIN_CJK_SHARE = 0.4
#: Cells whose English prose has fewer letters than this (a short heading, a lone formula) are not measured.
MIN_LETTERS = 24
TAGS = ("nbval-ignore-output", "nbval-skip", "raises-exception")

FORMULA = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$", re.S)
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")
_NOT_PROSE = [
    re.compile(r"```.*?```", re.S),               # fenced code
    re.compile(r"`[^`]*`"),                       # inline code
    FORMULA,
    re.compile(r"\]\([^)]*\)"),                   # link targets
    re.compile(r"<[^>]+>"),                       # HTML tags
    re.compile(r"https?://\S+"),
]
FEEDBACK = re.compile(r"^(\s*)([✅❌]).*$", re.M)


def formulas(markdown: str) -> list[str]:
    """Every $…$ and $$…$$ formula of a markdown text, as written."""
    return [m.group(0) for m in FORMULA.finditer(markdown)]


def prose(markdown: str) -> str:
    for rx in _NOT_PROSE:
        markdown = rx.sub(" ", markdown)
    return markdown


def cjk_share(markdown: str) -> tuple[float, int]:
    """(CJK characters / (CJK characters + Latin letters), Latin letters) of a markdown text's prose."""
    text = prose(markdown)
    cjk, latin = len(CJK.findall(text)), len(LATIN.findall(text))
    return (cjk / (cjk + latin) if cjk + latin else 1.0), latin


def normalise_outputs(cell) -> list[tuple]:
    """A cell's outputs with what may differ between editions taken out: pictures, widget model ids,
    and the language of exercise feedback (only its ✅/❌ mark is kept)."""
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":  # the kernel splits a stream into pieces wherever timing has it
            text = o.text if isinstance(o.text, str) else "".join(o.text)
            if out and out[-1][:2] == ("stream", o.name):
                out[-1] = ("stream", o.name, out[-1][2] + text)
            else:
                out.append(("stream", o.name, text))
        elif o.output_type == "error":
            out.append(("error", o.ename))
        else:
            data = o.get("data", {})
            text = data.get("text/plain")
            out.append((o.output_type, tuple(sorted(k for k in data if k != "text/html")),
                        _text(text) if text is not None else None))
    return [("stream", o[1], _text(o[2])) if o[0] == "stream" else o for o in out]


def _text(value) -> str:
    text = value if isinstance(value, str) else "".join(value)
    return FEEDBACK.sub(r"\1\2", text)


def drift(en: nbformat.NotebookNode, zh: nbformat.NotebookNode) -> list[str]:
    """Every difference between the editions other than their language (empty: in step)."""
    problems = []
    kinds = ([c.cell_type for c in en.cells], [c.cell_type for c in zh.cells])
    if kinds[0] != kinds[1]:
        return [f"cell count or types differ: en {len(kinds[0])} cells {kinds[0]}, zh {len(kinds[1])} cells {kinds[1]}"]
    first_code = next((i for i, c in enumerate(en.cells) if c.cell_type == "code"), None)
    for i, (a, b) in enumerate(zip(en.cells, zh.cells)):
        tags = [set(c.metadata.get("tags", [])) & set(TAGS) for c in (a, b)]
        if tags[0] != tags[1]:
            problems.append(f"cell {i}: nbval tags differ: en {sorted(tags[0])}, zh {sorted(tags[1])}")
        if a.cell_type == "code":
            if i == first_code:
                if b.source != setup_cell("zh"):
                    problems.append(f"cell {i}: the zh setup cell is not tools/notebook_cells.setup_cell('zh')")
            elif a.source != b.source:
                problems.append(f"cell {i}: code differs between the editions")
            elif "nbval-ignore-output" not in tags[0] and normalise_outputs(a) != normalise_outputs(b):
                problems.append(f"cell {i}: outputs differ between the editions")
            elif any(_feedback_lines(b)) and not all(CJK.search(line) for line in _feedback_lines(b)):
                problems.append(f"cell {i}: exercise feedback in the zh edition is not in Chinese")
        elif a.cell_type == "markdown":
            missing = [f for f in formulas(a.source) if f not in b.source]
            if missing:
                problems.append(f"cell {i}: formulas missing from the zh cell: {missing}")
            share, latin = cjk_share(b.source)
            if cjk_share(a.source)[1] >= MIN_LETTERS and share < MIN_CJK_SHARE:
                problems.append(f"cell {i}: mostly untranslated ({share:.0%} CJK, {latin} Latin letters)")
    return problems


def _feedback_lines(cell) -> list[str]:
    lines = []
    for o in cell.get("outputs", []):
        text = o.get("text") if o.output_type == "stream" else o.get("data", {}).get("text/plain")
        if text:
            lines += [m.group(0) for m in FEEDBACK.finditer(text if isinstance(text, str) else "".join(text))]
    return lines


def copy_code(en: nbformat.NotebookNode, zh: nbformat.NotebookNode) -> list[str]:
    """Make the zh chapter's code cells (all but the setup cell) and nbval tags those of the English one.

    Returns what changed. Outputs are left alone: re-execute the zh chapter after a change.
    """
    kinds = ([c.cell_type for c in en.cells], [c.cell_type for c in zh.cells])
    if kinds[0] != kinds[1]:
        raise ValueError("the editions' cells do not line up (count or types differ): add or remove the same "
                         "cells in both first")
    changed = []
    first_code = next((i for i, c in enumerate(en.cells) if c.cell_type == "code"), None)
    for i, (a, b) in enumerate(zip(en.cells, zh.cells)):
        if a.cell_type == "code" and i != first_code and a.source != b.source:
            b.source = a.source
            changed.append(f"cell {i} code")
        en_tags = [t for t in a.metadata.get("tags", []) if t in TAGS]
        zh_tags = [t for t in b.metadata.get("tags", []) if t in TAGS]
        if en_tags != zh_tags:
            b.metadata["tags"] = [t for t in b.metadata.get("tags", []) if t not in TAGS] + en_tags
            if not b.metadata["tags"]:
                del b.metadata["tags"]
            changed.append(f"cell {i} tags")
    return changed
