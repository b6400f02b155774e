"""The offline HTML book (``make book``), opened page by page in headless Chromium from file://.

Every request that is not a file:// one is aborted and counted as a failure: the book must work with
no network. Each page must show no console error and no failed load; on a chapter every formula is
typeset by MathJax (no raw ``$…$`` left, no MathJax error), every widget is drawn (none left as
an error), every ConvLab widget the book cannot drive without a kernel carries a note in the page's
language above it with its controls disabled, and every front-end slider (a
``convlab-frontend-control`` slider in a ``convlab-frontend`` widget: focus, ArrowRight) changes
the picture that is visible. A screenshot of each page goes to artifacts/book/.

    make book && CONVLAB_BOOK=_build/book pytest tests/book     # test a build you have
    pytest tests/book                                            # build into a temporary folder first
"""

from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path

import nbformat
import pytest
from book_support import ARTIFACTS, REPO, record_timing

from tools import book
from tools.editions import formulas

pytestmark = [pytest.mark.book, pytest.mark.browser]

CHANGE_TIMEOUT_MS = 2000
RENDER_TIMEOUT_MS = 30000
CJK = re.compile(r"[\u4e00-\u9fff]")
RAW_MATH = re.compile(r"\$\$?[^$\s][^$]*?\$|\\\(.+?\\\)|\\\[.+?\\\]", re.S)
STATE_RX = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">\s*(.*?)\s*</script>', re.S)
VIEW_RX = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">\s*(.*?)\s*</script>', re.S)
WIDGET_ERRORS = ("Error displaying widget", "Could not create a view", "Failed to create view",
                 "Loading widget", "Error rendering", "Class .* not found")

CHAPTERS = book.chapters()
GLOSSARY = book.glossary_page()
PAGES = ["index.html", *(p.dest for p in CHAPTERS), *([GLOSSARY.dest] if GLOSSARY else [])]
SOURCES = {p.dest: p for p in CHAPTERS} | ({GLOSSARY.dest: GLOSSARY} if GLOSSARY else {})


def _page_id(dest: str) -> str:
    return dest.removesuffix(".html")


# ---------------------------------------------------------------- the built HTML, read as text
def widget_roots(text: str) -> list[list[str]]:
    """The css classes of every widget a page displays (its root model's ``_dom_classes``), in order."""
    states = [json.loads(s) for s in STATE_RX.findall(text)]
    models = {k: v for s in states for k, v in s.get("state", {}).items()}
    roots = []
    for view in VIEW_RX.findall(text):
        model = models.get(json.loads(view)["model_id"], {})
        roots.append(model.get("state", {}).get("_dom_classes", []))
    return roots


def source_formulas(page: book.Page) -> int:
    """How many $…$ / $$…$$ formulas the page's markdown holds (code spans and blocks excluded)."""
    if page.src.endswith(".ipynb"):
        cells = nbformat.read(REPO / page.src, as_version=4).cells
        texts = [c.source for c in cells if c.cell_type == "markdown"]
    else:
        texts = [(REPO / page.src).read_text(encoding="utf-8")]
    count = 0
    for text in texts:
        text = re.sub(r"```.*?```", " ", text, flags=re.S)
        count += len(formulas(re.sub(r"`[^`]*`", " ", text)))
    return count


# ---------------------------------------------------------------- in the browser
VISIBLE_IMAGES = """w => Array.from(w.querySelectorAll('img'))
    .filter(i => i.offsetParent !== null && i.getClientRects().length > 0 && i.naturalWidth > 0)
    .map(i => i.src)"""

RAW_TEXT = """() => Array.from(document.querySelectorAll('.jp-RenderedMarkdown')).map(cell => {
    const copy = cell.cloneNode(true);
    copy.querySelectorAll('code, pre, script, style, .MathJax_Preview').forEach(e => e.remove());
    return copy.textContent;
})"""

# Interactive elements of a widget that the book cannot drive: outside every front-end control,
# not disabled. (A slider of ipywidgets 8 is a noUiSlider div; 7's a jQuery UI one.)
LIVE_KERNEL_CONTROLS = """w => Array.from(w.querySelectorAll(
        'button, select, input, textarea, .noUi-target, .ui-slider'))
    .filter(e => !e.closest('.convlab-frontend-control') && !e.closest('.convlab-frames'))
    .filter(e => !(e.disabled || e.hasAttribute('disabled') || e.classList.contains('ui-slider-disabled')))
    .map(e => e.outerHTML.slice(0, 120))"""


def open_offline(browser, path: Path):
    """A page from file:// with every other request aborted; returns (page, problems)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    page = context.new_page()
    problems: list[str] = []

    def route(r) -> None:
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            problems.append(f"network request (blocked): {r.request.url}")
            r.abort()

    context.route("**/*", route)
    page.on("request", lambda r: None if r.url.startswith(("file:", "data:", "blob:"))
            else problems.append(f"network request: {r.url}"))
    page.on("websocket", lambda ws: problems.append(f"websocket: {ws.url}"))
    page.on("requestfailed", lambda r: problems.append(f"failed load: {r.url} ({r.failure})"))
    page.on("console", lambda m: problems.append(f"console error: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"uncaught error: {exc}"))
    page.goto(path.as_uri(), wait_until="load")
    return page, problems


def move_slider(page, widget, control) -> float | None:
    """Focus a slider's handle, press an arrow key; ms until the visible picture changed (None: it did not)."""
    handle = control.query_selector(".noUi-handle, .ui-slider-handle")
    assert handle is not None, f"no slider handle in {control.evaluate('e => e.outerHTML.slice(0, 200)')}"
    now, top = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
    key = "ArrowLeft" if now is not None and now == top else "ArrowRight"
    before = widget.evaluate(VISIBLE_IMAGES)
    handle.focus()
    start = time.perf_counter()
    page.keyboard.press(key)
    try:
        page.wait_for_function(f"([w, before]) => ({VISIBLE_IMAGES})(w).join() !== before.join()",
                               arg=[widget, before], polling="raf", timeout=CHANGE_TIMEOUT_MS)
    except Exception:  # playwright's TimeoutError: the picture did not change
        return None
    return (time.perf_counter() - start) * 1000


# ---------------------------------------------------------------- tests
def test_every_page_is_built(book_dir):
    missing = [p for p in PAGES if not (book_dir / p).is_file()]
    assert not missing, f"{book_dir} lacks {missing}: rebuild it with `make book`"


@pytest.mark.parametrize("dest", PAGES, ids=_page_id)
def test_page_works_offline(browser, book_dir, dest):
    path = book_dir / dest
    if not path.is_file():
        pytest.fail(f"{dest} is not in the book at {book_dir}", pytrace=False)
    text = path.read_text(encoding="utf-8")
    start = time.perf_counter()
    page, problems = open_offline(browser, path)
    try:
        notes = []
        if "MathJax.js" in text:
            page.wait_for_function("() => window.MathJax && MathJax.isReady === true", timeout=RENDER_TIMEOUT_MS)
            page.evaluate("() => new Promise(done => MathJax.Hub.Queue(() => done(true)))")
            raw = [m.group(0) for cell in page.evaluate(RAW_TEXT) for m in RAW_MATH.finditer(cell)]
            assert not raw, f"{dest}: formulas MathJax left untypeset: {raw[:5]}"
            errors = page.eval_on_selector_all(".noError, .mjx-noError, .MathJax_Error, .mjx-merror, merror",
                                               "es => es.map(e => e.textContent.slice(0, 80))")
            assert not errors, f"{dest}: MathJax could not typeset {errors[:5]}"
            assert "Math Processing Error" not in page.inner_text("body")
            typeset = page.eval_on_selector_all("script[type^='math/tex']", "es => es.length")
            expected = source_formulas(SOURCES[dest]) if dest in SOURCES else 0
            assert typeset >= expected, f"{dest}: {typeset} formulas typeset, the markdown has {expected}"
            notes.append(f"{typeset} formulas")

        roots = widget_roots(text)
        if roots:
            page.wait_for_function(
                "n => document.querySelectorAll('.widget-subarea > *').length >= n", arg=len(roots),
                timeout=RENDER_TIMEOUT_MS)
            drawn = page.eval_on_selector_all(".widget-subarea", "es => es.map(e => e.innerText)")
            bad = [t[:120] for t in drawn if any(re.search(err, t) for err in WIDGET_ERRORS)]
            assert not bad, f"{dest}: widgets not drawn: {bad}"
        convlab = [r for r in roots if "convlab-widget" in r]
        widgets = page.query_selector_all(".convlab-widget")
        assert len(widgets) == len(convlab), f"{dest}: {len(widgets)} ConvLab widgets on the page, {len(convlab)} stored"

        moved, times = 0, []
        for i, widget in enumerate(widgets):
            classes = widget.get_attribute("class").split()
            name = next((c for c in classes if c.startswith("convlab-") and c not in
                         ("convlab-widget", book.FRONTEND)), "convlab-?")
            output = widget.evaluate_handle("w => w.closest('.jp-OutputArea-output')")
            note = output.evaluate("o => { const n = o && o.querySelector('.convlab-book-note'); "
                                   "return n ? n.textContent : null; }")
            live_kernel = widget.evaluate(LIVE_KERNEL_CONTROLS)
            assert not live_kernel, f"{dest} {name}: controls that need a kernel are not disabled: {live_kernel[:3]}"
            frontend = book.FRONTEND in classes
            controls = widget.query_selector_all(".convlab-frontend-control") if frontend else []
            kernel_side = widget.evaluate(
                "w => w.querySelectorAll('button, select, input, .noUi-target, .ui-slider').length") > sum(
                c.evaluate("c => c.querySelectorAll('button, select, input, .noUi-target, .ui-slider').length")
                for c in controls)
            if kernel_side:
                assert note, f"{dest} {name}: needs a kernel but has no note saying so"
                in_chinese = bool(CJK.search(note))
                assert in_chinese == dest.startswith("zh/"), f"{dest} {name}: the note is in the wrong language: {note!r}"
            else:
                assert note is None, f"{dest} {name}: a note says it needs a kernel, but every control works here"
            if not frontend:
                continue
            assert widget.evaluate(VISIBLE_IMAGES), f"{dest} {name}: a front-end widget shows no picture"
            for control in controls:
                if "widget-slider" not in (control.get_attribute("class") or ""):
                    continue
                ms = move_slider(page, widget, control)
                label = control.evaluate("c => (c.querySelector('.widget-label') || {}).textContent || ''").strip()
                assert ms is not None, f"{dest} {name} #{i} slider {label!r}: the picture did not change"
                moved += 1
                times.append(ms)
        assert not problems, f"{dest}: " + "\n".join(dict.fromkeys(problems))
        if convlab:
            notes.append(f"{len(convlab)} widgets, {sum(book.FRONTEND in r for r in convlab)} front-end, "
                         f"{moved} sliders moved" + (f" (picture changed in ≤ {max(times):.0f} ms)" if times else ""))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{_page_id(dest).replace('/', '_')}.jpg", full_page=True,
                        type="jpeg", quality=70)
    finally:
        page.context.close()
    record_timing(f"{dest:<34} {time.perf_counter() - start:5.1f} s  {path.stat().st_size / 1024:7.0f} KB  "
                  + "; ".join(notes))


def test_links_stay_in_the_book(book_dir):
    """Every relative link and source of every page points at a file of the book; the index links every
    chapter, and each chapter's Colab and Binder launchers."""
    problems = []
    for page_path in sorted(book_dir.rglob("*.html")):
        text = page_path.read_text(encoding="utf-8")
        for url in re.findall(r'(?:href|src)="([^"]*)"', text):
            url = html.unescape(url)
            if not url or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^#", url):
                continue
            target = (page_path.parent / url.split("#")[0].split("?")[0]).resolve()
            if not target.is_file():
                problems.append(f"{page_path.relative_to(book_dir)} → {url}")
        loads = book.external_loads(text)
        problems += [f"{page_path.relative_to(book_dir)} loads {x}" for x in loads]
    assert not problems, "\n".join(problems[:20])
    index = html.unescape((book_dir / "index.html").read_text(encoding="utf-8"))
    for chapter in CHAPTERS:
        for link in (f'href="{chapter.dest}"', book.colab_url(chapter.src), book.binder_url(chapter.src)):
            assert link in index, f"index.html lacks {link}"
    if GLOSSARY:
        assert f'href="{GLOSSARY.dest}"' in index


@pytest.mark.parametrize("chapter", [p.dest for p in CHAPTERS], ids=_page_id)
def test_chapters_with_widgets_have_a_frontend_widget(book_dir, chapter):
    roots = [r for r in widget_roots((book_dir / chapter).read_text(encoding="utf-8")) if "convlab-widget" in r]
    if not roots:
        pytest.skip(f"{chapter} shows no ConvLab widget")
    assert any(book.FRONTEND in r for r in roots), f"{chapter}: none of its {len(roots)} widgets moves without a kernel"
