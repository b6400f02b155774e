"""Build the offline HTML book of the course (``make book``) in ``_build/book/``.

    python tools/book.py [--out _build/book] [--hub https://hub.example.edu] [--jobs N] [--reuse-executed]

1. Execute a COPY of every chapter of both editions (``notebooks/NN_*.ipynb``, ``notebooks/zh/NN_*.ipynb``)
   with nbclient, widget state stored, into ``_build/book_executed/<language>/`` (beside the book, so
   that publishing ``_build/book`` does not publish them). The kernel is this Python (run it from the
   course's venv); the committed notebooks are never touched.
2. Export each with nbconvert's ``lab`` template plus a thin book layer (``TEMPLATE`` below) to
   ``en/NN_name.html`` and ``zh/NN_name.html``; the Chinese glossary becomes ``zh/glossary.html``.
3. Write ``index.html``: both editions, each chapter with its Colab and Binder launchers and the
   JupyterHub link (with ``--hub``; otherwise the command that prints it).

Nothing is fetched when a page is viewed. Everything a page loads lies in ``assets/``, copied from
``node_modules/`` (``npm ci`` installs it from package-lock.json): require.js, MathJax 2.7 (TeX input,
CommonHTML output and its TeX fonts only) and ``embed.js`` of ``@jupyter-widgets/html-manager``, which
draws the widgets from the stored state. So the book works from file:// and on any static host.

Widgets in the book: a ConvLab widget with pre-rendered frames (css class ``convlab-frontend``) moves
through them with no kernel, driven by its ``convlab-frontend-control`` controls. Every other control
is shown disabled, and a one-line note in the page's language says to open the chapter in Jupyter.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `tools` importable
    sys.path.insert(0, str(ROOT))
from tools.notebook_cells import (  # noqa: E402
    BINDER_BADGE_IMG,
    BRANCH,
    COLAB_BADGE_IMG,
    EDITIONS,
    REPO_URL,
    binder_url,
    colab_url,
)

DEFAULT_OUT = ROOT / "_build" / "book"
NODE_MODULES = ROOT / "node_modules"
GLOSSARY = "notebooks/zh/glossary.md"
EXECUTE_TIMEOUT_S = 900
KERNEL_NAME = "convlab-book"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
FRONTEND, FRONTEND_CONTROL = "convlab-frontend", "convlab-frontend-control"

# What each page loads, relative to a chapter page (en/…, zh/…).
MATHJAX_URL = "../assets/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
REQUIRE_JS_URL = "../assets/require.js"
WIDGET_RENDERER_URL = "../assets/html-manager/embed.js"

# node_modules/<package>/<path> → assets/<dest>: only what the pages load. MathJax's accessibility
# extensions are left out (they would fetch speech-rule-engine from a CDN); the book hides their menu.
MATHJAX_FILES = [
    "MathJax.js", "LICENSE", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "extensions",
    "jax/input/TeX", "jax/output/CommonHTML", "jax/output/PreviewHTML", "jax/element",
    "fonts/HTML-CSS/TeX/woff", "fonts/HTML-CSS/TeX/otf", "localization/en",
]
MATHJAX_SKIP = ("extensions/a11y",)
WIDGET_FONTS = (".woff2", ".woff", ".ttf", ".eot", ".svg")  # Font Awesome, beside embed.js (webpack's publicPath)

LANGUAGE_CODES = {"en": "en", "zh": "zh-CN"}
EDITION_NAMES = {"en": "English", "zh": "中文"}

# The book's words, in each edition's language.
TEXT = {
    "en": {
        "note_widget": "This widget needs a running kernel: open the chapter in Jupyter "
                       "(<a href='{colab}'>Colab</a>, <a href='{binder}'>Binder</a>) to move it. "
                       "The picture is its last state.",
        "note_controls": "The greyed-out controls need a running kernel: open the chapter in Jupyter "
                         "(<a href='{colab}'>Colab</a>, <a href='{binder}'>Binder</a>) to use them; "
                         "the others work here.",
        "index": "Contents", "colab": "Open in Colab", "binder": "Launch Binder", "hub": "JupyterHub",
        "other": "中文版", "glossary": "Glossary",
    },
    "zh": {
        "note_widget": "这个交互组件需要运行中的内核：请在 Jupyter 中打开本章"
                       "（<a href='{colab}'>Colab</a>、<a href='{binder}'>Binder</a>）来操作它。"
                       "这里显示的是它最后的画面。",
        "note_controls": "灰色的控件需要运行中的内核：请在 Jupyter 中打开本章"
                         "（<a href='{colab}'>Colab</a>、<a href='{binder}'>Binder</a>）来使用；"
                         "其余控件在这里就能用。",
        "index": "目录", "colab": "在 Colab 中打开", "binder": "在 Binder 中打开", "hub": "JupyterHub",
        "other": "English", "glossary": "术语表",
    },
}

BOOK_CSS = """
/* Frames of a front-end widget: one Tab page per frame, its tab bar hidden (ipywidgets 8 and 7). */
.convlab-frames > .widget-tab-bar, .convlab-frames > .lm-TabBar, .convlab-frames > .p-TabBar { display: none !important; }
.convlab-frames > .widget-tab-contents { border: none !important; padding: 0 !important; }
.jupyter-widgets, .convlab-book-note { font-family: var(--jp-ui-font-family); }
.convlab-book-note { margin: 4px 0 6px; padding: 4px 10px; border-left: 3px solid #d08c00;
  background: #fff7e0; font-size: 13px; line-height: 1.5; }
.convlab-book-nav { font-family: var(--jp-ui-font-family); display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; padding: 8px 16px;
  border-bottom: 1px solid #ddd; font-size: 14px; background: #fafafa; }
.convlab-book-nav a { text-decoration: none; }
.convlab-launch { display: inline-block; padding: 1px 8px; border: 1px solid #999; border-radius: 4px;
  font-size: 12px; color: #333; background: #f3f3f3; }
"""

# A MathJax 2.7 setup like nbconvert's, from assets/: no menu entries that would load files the book
# does not ship (other renderers, fonts, languages, the accessibility extensions).
MATHJAX_CONFIG = """
MathJax.Hub.Config({
  // An undefined macro is an error (shown as the source in a box, class noError), not quiet red text.
  TeX: { equationNumbers: { autoNumber: "AMS", useLabelIds: true }, noUndefined: { disabled: true } },
  tex2jax: { inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
             processEscapes: true, processEnvironments: true },
  displayAlign: "center",
  messageStyle: "none",
  CommonHTML: { linebreaks: { automatic: true } },
  MathMenu: { showRenderer: false, showFontMenu: false, showLocale: false }
});
MathJax.Hub.Register.StartupHook("MathMenu Ready", function () {
  var item = MathJax.Menu.menu.FindId("Accessibility");
  if (item) { item.hidden = true; }
}, 20);
"""

TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_mathjax -%}
<script type="text/x-mathjax-config">""" + MATHJAX_CONFIG + """</script>
<script src="{{ resources.mathjax_url }}"></script>
{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}<style type="text/css">""" + BOOK_CSS + """</style>{% endblock extra_css %}
{%- block body_header -%}
{{ super() }}
{{ resources.convlab.nav }}
{%- endblock body_header -%}
{#- lab/base.html.j2's widget view, with the book's note inside the output (above the widget). -#}
{%- block data_widget_view scoped %}
{% set div_id = uuid4() %}
{% set datatype = (output.data | filter_data_type)[0] %}
{% set note = output.metadata.get('convlab_book', {}).get('note') %}
<div id="{{ div_id }}" class="jupyter-widgets jp-OutputArea-output {{ extra_class }}">
{%- if note %}<p class="convlab-book-note convlab-book-note-{{ note }}">{{ resources.convlab.notes[note] }}</p>{% endif %}
<script type="text/javascript">
var element = document.getElementById('{{ div_id }}');
</script>
<script type="{{ datatype }}">
{{ output.data[datatype] | json_dumps | escape_html_script }}
</script>
</div>
{%- endblock data_widget_view -%}
"""


class BookError(RuntimeError):
    """A chapter that did not run or could not become a page."""


@dataclass(frozen=True)
class Page:
    """One page of the book: ``src`` relative to the repository root, ``dest`` relative to the book."""

    language: str
    src: str
    dest: str

    @property
    def stem(self) -> str:
        return PurePosixPath(self.src).stem


def chapters(root: Path = ROOT) -> list[Page]:
    """Every chapter of both editions, in order: English first, then Chinese."""
    pages = []
    for language, folder in EDITIONS.items():
        for nb in sorted((root / folder).glob("[0-9][0-9]_*.ipynb")):
            pages.append(Page(language, f"{folder}/{nb.name}", f"{language}/{nb.stem}.html"))
    return pages


def glossary_page(root: Path = ROOT) -> Page | None:
    return Page("zh", GLOSSARY, "zh/glossary.html") if (root / GLOSSARY).is_file() else None


def title_of(nb) -> str:
    """A chapter's title: the first ``# heading`` of its first markdown cell."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


# ---------------------------------------------------------------- widgets with no kernel
def _refs(value) -> list[str]:
    """The model ids a widget state value points at (``IPY_MODEL_<id>``), at any depth."""
    if isinstance(value, str):
        return [value[len("IPY_MODEL_"):]] if value.startswith("IPY_MODEL_") else []
    if isinstance(value, dict):
        return [r for v in value.values() for r in _refs(v)]
    if isinstance(value, list):
        return [r for v in value for r in _refs(v)]
    return []


def _descendants(state: dict, root_id: str) -> list[str]:
    seen, todo = [], [root_id]
    while todo:
        model_id = todo.pop()
        if model_id in seen or model_id not in state:
            continue
        seen.append(model_id)
        todo.extend(_refs(state[model_id].get("state", {})))
    return seen


def sync_play_links(nb) -> int:
    """Give every Play button, in ``nb``'s stored widget state, the value of the control it drives.

    ``jslink((play, "value"), (slider, "value"))`` copies the Play's value to the slider when the page
    draws the widgets. A notebook run without a browser (nbclient) never ran that link, so a slider
    that Python moved keeps its value while the Play still holds its first one; without this the book
    would show the slider back at the start under a picture drawn for where Python left it.
    """
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    synced = 0
    for model in state.values():
        if model.get("model_name") not in ("LinkModel", "DirectionalLinkModel"):
            continue
        (source, source_attr), (target, target_attr) = model["state"]["source"], model["state"]["target"]
        play, driven = state.get(source[len("IPY_MODEL_"):], {}), state.get(target[len("IPY_MODEL_"):], {})
        driven = driven.get("state", {})
        if play.get("model_name") == "PlayModel" and target_attr in driven:
            play["state"][source_attr] = driven[target_attr]
            synced += 1
    return synced


def mark_kernel_widgets(nb) -> dict[str, int]:
    """Disable, in ``nb``'s stored widget state, every control the book cannot drive without a kernel,
    and tag each displayed widget that has such controls with the note it needs.

    A control is a model with a ``disabled`` trait (sliders, Play, toggle buttons, dropdowns …). It
    works in the book only if it has the class ``convlab-frontend-control`` inside a widget of class
    ``convlab-frontend`` (its frames are rendered and linked in the browser). The note goes in the
    output's metadata (``convlab_book.note``: ``widget`` when nothing moves, ``controls`` when some
    controls do); the template puts it above the widget. Returns counts for the build's summary.
    """
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    counts = {"widgets": 0, "frontend": 0, "kernel_controls": 0, "frontend_controls": 0}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if not view or view.get("model_id") not in state:
                continue
            root_id = view["model_id"]
            frontend = FRONTEND in state[root_id].get("state", {}).get("_dom_classes", [])
            counts["widgets"] += 1
            counts["frontend"] += frontend
            kernel = live = 0
            for model_id in _descendants(state, root_id):
                model = state[model_id].get("state", {})
                if "disabled" not in model:
                    continue
                if frontend and FRONTEND_CONTROL in model.get("_dom_classes", []):
                    live += 1
                else:
                    model["disabled"] = True
                    kernel += 1
            counts["kernel_controls"] += kernel
            counts["frontend_controls"] += live
            if kernel:
                output.setdefault("metadata", {})["convlab_book"] = {"note": "controls" if live else "widget"}
    return counts


# ---------------------------------------------------------------- HTML
def _check_no_mermaid(nb, where: str) -> None:
    for cell in nb.cells:
        mermaid = cell.cell_type == "markdown" and "```mermaid" in cell.source
        mermaid = mermaid or any("text/vnd.mermaid" in o.get("data", {}) for o in cell.get("outputs", []))
        if mermaid:
            raise ValueError(f"{where}: the book ships no mermaid (it would load it from a CDN); "
                             "draw the diagram as an image instead")


def exporter(language: str):
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab", template_file="convlab_book.html.j2",
        extra_loaders=[DictLoader({"convlab_book.html.j2": TEMPLATE})],
        mathjax_url=MATHJAX_URL, require_js_url=REQUIRE_JS_URL, widget_renderer_url=WIDGET_RENDERER_URL,
        language_code=LANGUAGE_CODES[language], theme="light",
    )


def _rel(from_dest: str, to_dest: str) -> str:
    return os.path.relpath(to_dest, os.path.dirname(from_dest) or ".").replace(os.sep, "/")


def rewrite_links(text: str, page: Page, dests: dict[str, str]) -> str:
    """Make a page's relative links point into the book: a chapter or the glossary to its page there,
    any other file of the repository to GitHub; launcher badges (images on the web) become text."""
    for img, label in ((COLAB_BADGE_IMG, TEXT[page.language]["colab"]), (BINDER_BADGE_IMG, TEXT[page.language]["binder"])):
        text = re.sub(r'<img[^>]*src="' + re.escape(img) + r'"[^>]*>', f'<span class="convlab-launch">{label}</span>', text)

    def fix(match: re.Match) -> str:
        attr, url = match.group(1), html.unescape(match.group(2))
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^#|^/", url) or not url:
            return match.group(0)
        path, _, fragment = url.partition("#")
        target = os.path.normpath(os.path.join(os.path.dirname(page.src), path)).replace(os.sep, "/")
        if target in dests:
            new = _rel(page.dest, dests[target])
        elif (ROOT / target).exists() and not target.startswith(".."):
            new = f"{REPO_URL}/blob/{BRANCH}/{target}"
        else:
            return match.group(0)
        return f'{attr}="{html.escape(new + ("#" + fragment if fragment else ""))}"'

    return re.sub(r'(href)="([^"]*)"', fix, text)


EXTERNAL_LOAD = re.compile(
    r'<(?:img|script|link|iframe|source|audio|video|embed)\b[^>]*\b(?:src|href)\s*=\s*["\']?(?:https?:)?//[^"\'\s>]+'
    r'|url\(\s*["\']?(?:https?:)?//[^)]+\)|@import\s+["\']?(?:url\()?\s*["\']?(?:https?:)?//[^;]+',
    re.I)


def external_loads(text: str) -> list[str]:
    """Anything a page would fetch from the network when viewed (script, image, style sheet, font …)."""
    return [m.group(0)[:160] for m in EXTERNAL_LOAD.finditer(text)]


def nav_html(page: Page, title: str, other: Page | None) -> str:
    words = TEXT[page.language]
    links = [f'<a href="{_rel(page.dest, "index.html")}">← ConvLab · {words["index"]}</a>']
    if page.src.endswith(".ipynb"):
        links += [f'<a href="{html.escape(colab_url(page.src))}">{words["colab"]}</a>',
                  f'<a href="{html.escape(binder_url(page.src))}">{words["binder"]}</a>']
    if page.language == "zh" and page.dest != "zh/glossary.html":
        links.append(f'<a href="glossary.html">{words["glossary"]}</a>')
    if other is not None:
        links.append(f'<a href="{_rel(page.dest, other.dest)}" lang="{LANGUAGE_CODES[other.language]}">{words["other"]}</a>')
    return f'<nav class="convlab-book-nav" aria-label="{html.escape(title)}">{" ".join(links)}</nav>'


def render(nb, page: Page, out: Path, dests: dict[str, str], other: Page | None) -> dict[str, int]:
    """Write ``page`` (an executed notebook ``nb``) as HTML under ``out``; return its widget counts."""
    _check_no_mermaid(nb, page.src)
    sync_play_links(nb)
    counts = mark_kernel_widgets(nb)
    title = title_of(nb)
    nb.metadata["title"] = f"{title} · ConvLab" if title else "ConvLab"
    launch = {"colab": html.escape(colab_url(page.src if page.src.endswith(".ipynb") else _chapter_of(page))),
              "binder": html.escape(binder_url(page.src if page.src.endswith(".ipynb") else _chapter_of(page)))}
    resources = {"metadata": {"name": page.stem},
                 "convlab": {"nav": nav_html(page, title, other),
                             "notes": {k: TEXT[page.language][f"note_{k}"].format(**launch) for k in ("widget", "controls")}}}
    body, _ = exporter(page.language).from_notebook_node(nb, resources=resources)
    body = rewrite_links(body, page, dests)
    found = external_loads(body)
    if found:
        raise ValueError(f"{page.dest} would load from the network when viewed: {found[:5]}")
    dest = out / page.dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(body, encoding="utf-8")
    return counts


def _chapter_of(page: Page) -> str:
    folder = EDITIONS[page.language]
    first = sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb"))
    return f"{folder}/{first[0].name}" if first else "notebooks/01_from_fc_to_conv.ipynb"


# ---------------------------------------------------------------- executing
def executed_dir(out: Path) -> Path:
    """Where the executed copies of the chapters go: beside the book (``_build/book_executed``)."""
    return out.with_name(out.name + "_executed")


def kernel_spec(out: Path) -> Path:
    """A kernelspec for this very Python, so the chapters run in the course's venv whatever kernels
    this machine has installed (a user's own "python3" would otherwise win); inline matplotlib as in
    JupyterLab, even where MPLBACKEND=Agg is set for the tests; front-end frames on, even where
    CONVLAB_FRAMES=off is set for `make execute` (the book's sliders move by them)."""
    where = executed_dir(out) / "kernel"
    spec = where / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        # Errors only: each kernel would otherwise warn that it talks over local TCP, which is the default.
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", "--IPKernelApp.log_level=ERROR"],
        "display_name": "ConvLab book", "language": "python",
        "env": {"MPLBACKEND": "module://matplotlib_inline.backend_inline", "CONVLAB_FRAMES": "on"},
    }, indent=1), encoding="utf-8")
    return where


def build_chapter(page: Page, out: str, dests: dict[str, str], other: Page | None, reuse: bool) -> dict:
    """Execute a copy of one chapter (unless ``reuse`` and the copy exists), then write its page."""
    import nbformat
    from nbclient import NotebookClient

    out_dir = Path(out)
    src = ROOT / page.src
    executed = executed_dir(out_dir) / page.language / f"{page.stem}.ipynb"
    executed.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if reuse and executed.is_file():
        nb = nbformat.read(executed, as_version=4)
        ran = False
    else:
        nb = nbformat.read(src, as_version=4)
        NotebookClient(nb, timeout=EXECUTE_TIMEOUT_S, kernel_name=KERNEL_NAME, store_widget_state=True,
                       resources={"metadata": {"path": str(src.parent)}}).execute()
        nbformat.write(nb, executed)
        ran = True
    run_s = time.perf_counter() - start
    counts = render(nb, page, out_dir, dests, other)
    return {"page": page.dest, "executed": ran, "run_s": run_s, "total_s": time.perf_counter() - start, **counts}


# ---------------------------------------------------------------- assets and index
def copy_assets(out: Path, node_modules: Path = NODE_MODULES) -> None:
    needed = {"@jupyter-widgets/html-manager/dist/embed.js", "mathjax/MathJax.js", "requirejs/require.js"}
    missing = [p for p in sorted(needed) if not (node_modules / p).is_file()]
    if missing:
        raise FileNotFoundError(f"{', '.join(missing)} not in {node_modules}: run `npm ci` in {ROOT} first "
                                "(it installs them from package-lock.json)")
    assets = out / "assets"
    if assets.exists():
        shutil.rmtree(assets)
    widgets = assets / "html-manager"
    widgets.mkdir(parents=True)
    dist = node_modules / "@jupyter-widgets/html-manager/dist"
    for f in sorted(dist.iterdir()):
        if f.name in ("embed.js", "embed.js.LICENSE.txt") or f.suffix in WIDGET_FONTS:
            shutil.copy2(f, widgets / f.name)
    shutil.copy2(node_modules / "requirejs/require.js", assets / "require.js")
    mathjax = node_modules / "mathjax"
    for rel in MATHJAX_FILES:
        src, dest = mathjax / rel, assets / "mathjax" / rel
        if src.is_dir():
            shutil.copytree(src, dest, ignore=lambda d, names: [
                n for n in names if (Path(d) / n).relative_to(mathjax).as_posix() in MATHJAX_SKIP])
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)


INDEX_TEXT = {
    "en": {
        "heading": "English edition",
        "nokernel": "Works here with no kernel: the text, the formulas, every output as it was when the "
                    "book was built, and the widgets whose pictures were rendered in advance (their sliders "
                    "and play buttons move at once). Needs Jupyter: running or changing code, the exercise "
                    "checkers, and the widgets or controls marked “needs a running kernel”.",
        "read": "read", "hub_cmd": "On a JupyterHub with nbgitpuller, <code>make hub-link HUB=https://your.hub "
                "NB={nb}</code> prints the link that puts the course in each student's home.",
    },
    "zh": {
        "heading": "中文版",
        "nokernel": "无需内核即可使用：正文、公式、构建本书时的全部输出，以及预先渲染好画面的交互组件"
                    "（它们的滑块和播放按钮可以直接拖动）。需要 Jupyter 的内容：运行或修改代码、练习的自动检查，"
                    "以及标有“需要运行中的内核”的组件或控件。",
        "read": "阅读", "hub_cmd": "在装有 nbgitpuller 的 JupyterHub 上，<code>make hub-link HUB=https://your.hub "
                "NB={nb}</code> 会打印出把课程放进每位学生主目录的链接。",
    },
}


def write_index(out: Path, pages: list[Page], titles: dict[str, str], hub: str | None) -> None:
    from tools.hub_link import nbgitpuller_link

    sections = []
    for language in EDITIONS:
        words, text = TEXT[language], INDEX_TEXT[language]
        items = []
        for page in (p for p in pages if p.language == language):
            links = [f'<a href="{html.escape(colab_url(page.src))}">{words["colab"]}</a>',
                     f'<a href="{html.escape(binder_url(page.src))}">{words["binder"]}</a>']
            if hub:
                links.append(f'<a href="{html.escape(nbgitpuller_link(hub, page.src))}">{words["hub"]}</a>')
            items.append(f'<li><a class="chapter" href="{page.dest}">{html.escape(titles[page.dest])}</a>'
                         f'<span class="launch">{" · ".join(links)}</span></li>')
        if not items:
            continue
        extra = ""
        if language == "zh" and (out / "zh/glossary.html").is_file():
            extra = f'<p><a href="zh/glossary.html">{words["glossary"]}</a></p>'
        first = next(p for p in pages if p.language == language).src
        hub_line = "" if hub else f'<p class="hub">{text["hub_cmd"].format(nb=html.escape(first))}</p>'
        sections.append(
            f'<section lang="{LANGUAGE_CODES[language]}"><h2>{text["heading"]}</h2>'
            f'<p class="nokernel">{text["nokernel"]}</p><ol>{"".join(items)}</ol>{extra}{hub_line}</section>')
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>ConvLab · Convolutional neural networks, interactively</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif;
  max-width: 860px; margin: 2em auto; padding: 0 1em; line-height: 1.55; color: #222; }}
h1 {{ margin-bottom: 0.2em; }}
ol {{ padding-left: 1.4em; }}
li {{ margin: 0.45em 0; }}
a.chapter {{ font-weight: 600; }}
.launch {{ display: block; font-size: 0.85em; }}
.nokernel {{ background: #f5f8ff; border-left: 3px solid #4a7bd0; padding: 0.5em 0.8em; }}
.hub {{ font-size: 0.9em; color: #444; }}
code {{ background: #f3f3f3; padding: 0 0.25em; }}
</style>
</head>
<body>
<h1>ConvLab</h1>
<p>Convolutional neural networks, one interactive chapter at a time · 卷积神经网络，交互式学习</p>
{"".join(sections)}
<p class="hub"><a href="{html.escape(REPO_URL)}">{html.escape(REPO_URL)}</a></p>
</body>
</html>
"""
    (out / "index.html").write_text(page, encoding="utf-8")


# ---------------------------------------------------------------- main
def build(out: Path = DEFAULT_OUT, hub: str | None = None, jobs: int | None = None, reuse: bool = False,
          only: list[str] | None = None, log=None) -> list[dict]:
    """Build the whole book in ``out``; return one summary row per page."""
    log = log or (lambda line: print(line, flush=True))
    if hub:
        from tools.hub_link import check_hub

        hub = check_hub(hub)
    start = time.perf_counter()
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    for old in [*EDITIONS, "assets"]:  # pages of an earlier build (the folder may hold other files)
        shutil.rmtree(out / old, ignore_errors=True)
    copy_assets(out)
    pages = chapters()
    if only:
        unknown = sorted(set(only) - {p.stem for p in pages})
        if unknown:
            raise ValueError(f"only must name chapters like 02_corr2d, got {unknown}")
        pages = [p for p in pages if p.stem in only]
    glossary = glossary_page()
    dests = {p.src: p.dest for p in pages} | ({glossary.src: glossary.dest} if glossary else {})
    twins = {(p.language, p.stem): p for p in pages}
    other = {p.dest: twins.get(("zh" if p.language == "en" else "en", p.stem)) for p in pages}
    spec = kernel_spec(out)
    os.environ["JUPYTER_PATH"] = os.pathsep.join([str(spec), *filter(None, [os.environ.get("JUPYTER_PATH")])])
    # A chapter's kernel mostly uses one core (chapter 06 sets torch to one thread), about 1 GB each.
    jobs = jobs or max(1, min(4, os.cpu_count() or 1))
    log(f"book: executing {len(pages)} chapters ({jobs} at a time) into {executed_dir(out)}")
    rows = []
    # Longest first (training chapters), so the pool ends together.
    order = sorted(pages, key=lambda p: ("lenet" not in p.stem, -(ROOT / p.src).stat().st_size))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(build_chapter, p, str(out), dests, other[p.dest], reuse): p for p in order}
        for future in as_completed(futures):
            try:
                row = future.result()
            except Exception as exc:  # a cell raised, a kernel died, a page could not be written
                pool.shutdown(wait=False, cancel_futures=True)
                raise BookError(f"{futures[future].src} did not build: {exc}") from exc
            rows.append(row)
            log(f"  {row['page']:<32} {'ran' if row['executed'] else 'reused'} {row['run_s']:6.1f} s, "
                f"widgets {row['widgets']} (front-end {row['frontend']}), "
                f"controls: front-end {row['frontend_controls']}, need a kernel {row['kernel_controls']}")
    titles = {}
    import nbformat

    for p in pages:
        titles[p.dest] = title_of(nbformat.read(ROOT / p.src, as_version=4)) or p.stem
    if glossary:
        source = (ROOT / glossary.src).read_text(encoding="utf-8")
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(source)])
        render(nb, glossary, out, dests, None)
        rows.append({"page": glossary.dest, "executed": False, "run_s": 0.0, "widgets": 0})
    write_index(out, pages, titles, hub)
    shutil.rmtree(executed_dir(out) / "kernel", ignore_errors=True)
    log(f"book: {len(pages)} chapters{' + glossary' if glossary else ''} in {out} "
        f"({time.perf_counter() - start:.0f} s); open {out / 'index.html'}")
    return sorted(rows, key=lambda r: r["page"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"where the book goes (default {DEFAULT_OUT.relative_to(ROOT)})")
    parser.add_argument("--hub", help="a JupyterHub's address: the index then links each chapter through nbgitpuller")
    parser.add_argument("--jobs", type=int, help="chapters executed at once (default: one per CPU, at most 4)")
    parser.add_argument("--reuse-executed", action="store_true",
                        help="reuse the executed copies in OUT_executed/ instead of running the chapters again")
    parser.add_argument("--only", nargs="+", metavar="NN_name",
                        help="build only these chapters (both editions), e.g. --only 02_corr2d")
    args = parser.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        parser.error(f"--jobs must be a positive integer, got {args.jobs}")
    try:
        build(args.out, hub=args.hub, jobs=args.jobs, reuse=args.reuse_executed, only=args.only)
    except (BookError, FileNotFoundError, ValueError) as exc:
        print(f"book: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
