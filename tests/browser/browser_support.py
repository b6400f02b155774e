"""Helpers for the real-browser suite: a JupyterLab server per test, one headless Chromium.

The server runs from this venv on 127.0.0.1 with token auth on, on a free port, with its
root in a temporary folder that holds output-free COPIES of the chapter notebooks (under
notebooks/) next to a symlink to the repository's utils/ (and data/), so each notebook's
setup cell finds ``utils`` exactly as it does in the repository. Jupyter's config, data,
runtime, settings and workspace folders are temporary too, so nothing on this machine
leaks in and nothing is left behind.

Chromium is Debian's (``/usr/bin/chromium``, or $CONVLAB_CHROMIUM) driven by Python
playwright; ``playwright install`` (which downloads a browser) is never used. Without a
browser the suite skips locally with a message saying how to get one; in CI (CI=true) it fails.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "browser"
CHROMIUM = os.environ.get("CONVLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() == "true"
CHANGE_TIMEOUT_S = 2.0  # a kernel-side redraw, in the browser, must show within this

# Requests allowed to fail: the course runs offline, and the Colab / Binder badge images in
# each chapter's first cell live on those hosts. Chromium logs each failed load as a console
# error ("Failed to load resource: net::ERR_NAME_NOT_RESOLVED", without the URL), so as many of
# those console lines as there were such failed badge requests are dropped; every other failed
# request (its URL is reported) and every other console error fails the test.
BENIGN_FAILED_HOSTS = ("https://colab.research.google.com/", "https://mybinder.org/")
FAILED_LOAD = "Failed to load resource: "

# JupyterLab settings for the test server: every cell stays in the DOM (no virtual
# scrolling, so every widget can be found), and no news / update checks reach the network.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False,
    },
}


# ---------------------------------------------------------------- what the browser, hub and book tests share
def cannot_run(suite: str, reason: str) -> None:
    """Skip locally; in CI (CI=true) the suite must run, so there it fails."""
    message = f"{suite}: {reason}"
    if IN_CI:
        pytest.fail(f"{message}. In CI (CI=true) this must run, so this is a failure.", pytrace=False)
    pytest.skip(message)


@contextmanager
def launched_chromium(suite: str, missing: list[str] | None = None):
    """Debian's Chromium through Python playwright (never `playwright install`), or cannot_run."""
    missing = list(missing or [])
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"Chromium at {CHROMIUM} (install Debian's: `apt-get install chromium`, or set "
                       "CONVLAB_CHROMIUM=/path/to/chromium; never `playwright install`)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing.append("Python playwright (pip install -r requirements-dev.txt)")
    if missing:
        cannot_run(suite, "missing " + "; ".join(missing))
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def write_timings(terminalreporter, title: str, lines: list[str]) -> None:
    """The timing lines a suite recorded, as a section of pytest's terminal summary."""
    if lines:
        terminalreporter.section(title)
        for line in lines:
            terminalreporter.write_line(line)


# ---------------------------------------------------------------- timings report
_TIMINGS: list[str] = []


def record_timing(line: str) -> None:
    """Keep one line for the terminal summary and artifacts/browser/timings.txt (rewritten each run)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    mode = "a" if _TIMINGS else "w"
    _TIMINGS.append(line)
    with open(ARTIFACTS / "timings.txt", mode, encoding="utf-8") as fh:
        fh.write(line + "\n")


# ---------------------------------------------------------------- JupyterLab server
@dataclass
class LabServer:
    root: Path
    port: int
    token: str
    proc: subprocess.Popen
    log: Path
    notebooks: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, method: str, path: str, timeout: float = 10) -> object:
        req = urllib.request.Request(f"{self.base}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def url(self, nb_name: str) -> str:
        """JupyterLab showing notebooks/<nb_name> (a name as ``notebook_name`` gives it)."""
        return f"{self.base}/lab/tree/notebooks/{nb_name}?reset&token={self.token}"

    def shutdown(self) -> list[str]:
        """Shut every kernel down, then the server; return the kernels that were still running."""
        left: list[str] = []
        try:
            for kernel in self.api("GET", "/api/kernels"):
                self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=30)
            left = [k["id"] for k in self.api("GET", "/api/kernels")]
            self.api("POST", "/api/shutdown")
        except (urllib.error.URLError, OSError, ValueError):
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return left


def _die_with_parent() -> None:
    """In the server's process: get SIGTERM if pytest dies (killed, Ctrl+C twice), so no
    JupyterLab or kernel outlives the test run. Linux only; elsewhere a no-op."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def notebook_name(nb: Path) -> str:
    """Where a chapter lives under notebooks/: ``02_corr2d.ipynb``, ``zh/02_corr2d.ipynb`` (the
    Chinese edition keeps its folder: its glossary link and language depend on it)."""
    try:
        return nb.resolve().relative_to(REPO / "notebooks").as_posix()
    except ValueError:
        return nb.name


def output_free_copy(src: Path, dest: Path) -> None:
    """Copy a notebook without outputs or execution counts, so Run All must make them all."""
    nb = nbformat.read(src, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(nb, dest)


def start_lab(tmp: Path, notebooks: list[Path], timeout: float = 90) -> LabServer:
    root = tmp / "root"
    (root / "notebooks").mkdir(parents=True)
    for name in ("utils", "data"):
        if (REPO / name).exists():
            (root / name).symlink_to(REPO / name, target_is_directory=True)
    for nb in notebooks:
        dest = root / "notebooks" / notebook_name(nb)
        dest.parent.mkdir(parents=True, exist_ok=True)
        output_free_copy(nb, dest)
    settings = tmp / "lab-settings"
    for rel, value in LAB_SETTINGS.items():
        path = settings / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")
    env = dict(os.environ)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
        env[var] = str(tmp / sub)
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    env.pop("JUPYTER_PATH", None)
    port, token = _free_port(), secrets.token_hex(24)
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
        "--LabApp.news_url=", "--LabApp.extension_manager=readonly",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.getuid() == 0:
        cmd.append("--allow-root")
    log = tmp / "jupyterlab.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_parent)
    server = LabServer(root=root, port=port, token=token, proc=proc, log=log,
                       notebooks=[notebook_name(nb) for nb in notebooks])
    wait_until_answering("JupyterLab", proc, log, lambda: server.api("GET", "/api/status", timeout=2),
                         stop=server.shutdown, timeout=timeout)
    return server


def wait_until_answering(name: str, proc: subprocess.Popen, log: Path, ping, stop, timeout: float) -> None:
    """Poll ``ping()`` until it succeeds; if the server exits or stays silent, raise with its log's tail."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            stop()
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            ping()
            return
        except (urllib.error.URLError, OSError, ValueError) as exc:
            if time.monotonic() > deadline:
                stop()
                raise RuntimeError(f"{name} did not answer in {timeout} s:\n{log.read_text()[-3000:]}") from exc
            time.sleep(0.25)


# ---------------------------------------------------------------- page helpers (shared with tests/hub)
# A ConvLab widget with front-end frames holds one <img> per frame, all but the visible one hidden
# (display: none inside its frames Tab): every helper below reads the VISIBLE picture and text.
_JS_VISIBLE = """
  const shown = (e) => e.offsetParent !== null && e.getBoundingClientRect().width > 0;
  const visibleImg = (el) => [...el.querySelectorAll('img')].find(shown) || null;
"""

JS_RUN_STATE = """() => {
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')];
  const prompts = cells.map(c => (c.querySelector('.jp-InputArea-prompt')?.textContent || '').trim());
  const empty = cells.map(c => {
    const ed = c.querySelector('.jp-InputArea-editor .cm-content');
    return ed ? ed.textContent.trim() === '' : false; });
  const st = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return {total: cells.filter((c, i) => !empty[i]).length,
          done: prompts.filter((p, i) => !empty[i] && /^\\[\\d+\\]:$/.test(p)).length,
          running: prompts.filter(p => p === '[*]:').length,
          status: st ? st.getAttribute('data-status') : null};
}"""

JS_IMAGE_DIGEST = """async (el) => {""" + _JS_VISIBLE + """
  const img = visibleImg(el);
  if (!img || !img.src) return null;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const buf = await (await fetch(img.src)).arrayBuffer();
      const d = await crypto.subtle.digest('SHA-256', buf);
      return [...new Uint8Array(d)].map(b => b.toString(16).padStart(2, '0')).join('') + ':' + buf.byteLength;
    } catch (e) { await new Promise(r => setTimeout(r, 20)); }  // blob URL replaced meanwhile
  }
  return 'unreadable:' + img.src;
}"""

JS_IMAGE_SIZE = """(el) => {""" + _JS_VISIBLE + """
  const img = visibleImg(el);
  return img ? [img.naturalWidth, Math.round(img.getBoundingClientRect().width)] : [0, 0];
}"""

JS_HTML_TEXT = """(el) => {""" + _JS_VISIBLE + """
  return [...el.querySelectorAll('.widget-html-content')].filter(shown).map(e => e.innerHTML).join('|');
}"""

# Key press (or click) to new picture, measured in the page: from the event's timestamp (keydown,
# click, change) to the
# start of the first frame (requestAnimationFrame's time) in which the VISIBLE <img> is another
# one or has another src, decoded and laid out. Arm it, act, then read window.__convlabLatency
# (ms is null on timeout).
JS_ARM_LATENCY = """(el) => {""" + _JS_VISIBLE + """
  const first = visibleImg(el);
  const state = {t0: null, ms: null, done: false, before: first, beforeSrc: first ? first.src : null};
  window.__convlabLatency = state;
  const types = ['keydown', 'click', 'change'];  // a key, a button clicked, a value picked
  const start = (e) => {
    if (state.t0 === null) state.t0 = e.timeStamp;
    for (const t of types) document.removeEventListener(t, start, true);
  };
  for (const t of types) document.addEventListener(t, start, true);
  const deadline = performance.now() + %d;
  const tick = (frameTime) => {  // the start of the frame this callback runs in
    const img = visibleImg(el);
    if (state.t0 !== null && img && (img !== state.before || img.src !== state.beforeSrc)
        && img.complete && img.naturalWidth > 0) {
      state.ms = Math.max(frameTime, state.t0) - state.t0; state.done = true; return;
    }
    if (performance.now() > deadline) { state.done = true; return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""

# Milliseconds since any picture in the page last changed (a MutationObserver on every <img>'s src,
# installed by the first call, which answers 0).
JS_MS_SINCE_IMAGE_CHANGE = """() => {
  if (window.__convlabImageObserver === undefined) {
    window.__convlabImageChange = performance.now();
    window.__convlabImageObserver = new MutationObserver(() => { window.__convlabImageChange = performance.now(); });
    window.__convlabImageObserver.observe(document.body, {subtree: true, attributes: true, attributeFilter: ['src']});
  }
  return performance.now() - window.__convlabImageChange;
}"""

# The page's frame interval: the median time between requestAnimationFrame callbacks (ms).
JS_FRAME_INTERVAL = """() => new Promise(done => {
  const times = [];
  const tick = (t) => {
    times.push(t);
    if (times.length < 31) { requestAnimationFrame(tick); return; }
    const gaps = times.slice(1).map((x, i) => x - times[i]).sort((a, b) => a - b);
    done(gaps[15]);
  };
  requestAnimationFrame(tick);
})"""

# LaTeX that MathJax could not typeset: an unknown environment or a syntax error becomes
# <mjx-merror data-mjx-error=...>; an undefined macro (\\fracc) is shown as red text.
JS_MATH_ERRORS = """() => {
  const out = [];
  for (const e of document.querySelectorAll('.jp-Notebook mjx-merror, .jp-Notebook [data-mjx-error]'))
    out.push('LaTeX error: ' + (e.getAttribute('data-mjx-error') || e.textContent));
  for (const e of document.querySelectorAll('.jp-Notebook mjx-assistive-mml mtext[mathcolor="red"]'))
    out.push('undefined LaTeX macro: ' + e.textContent);
  return [...new Set(out)];
}"""

JS_OUTPUT_PROBLEMS = """() => {
  const out = [];
  for (const cell of document.querySelectorAll('.jp-Notebook .jp-CodeCell')) {
    const txt = (cell.querySelector('.jp-OutputArea')?.innerText || '');
    for (const bad of ['Error displaying widget', 'Error rendering view', 'Failed to display model',
                       'Model not found', 'Loading widget...']) {
      if (txt.includes(bad)) out.push(bad + ' in cell: ' +
        (cell.querySelector('.cm-content')?.textContent || '').slice(0, 80));
    }
  }
  return out;
}"""

# Chinese characters drawn with the notebook's own font: a missing CJK font shows every
# character as the same box, the box any unassigned code point gets.
JS_CJK_GLYPHS = """() => {
  const md = document.querySelector('.jp-Notebook .jp-RenderedMarkdown p') || document.body;
  const font = getComputedStyle(md).font;
  const canvas = document.createElement('canvas');
  canvas.width = 64; canvas.height = 40;
  const ctx = canvas.getContext('2d');
  const draw = (ch) => {
    ctx.clearRect(0, 0, 64, 40); ctx.font = font; ctx.fillText(ch, 4, 30);
    return Array.from(ctx.getImageData(0, 0, 64, 40).data).join(',');
  };
  const box = draw('\\u{10FFFD}');
  return {font, distinct: draw('卷') !== draw('积'), boxes: ['卷', '积', '层'].filter(c => draw(c) === box)};
}"""


def _menu(page, menu: str, command: str) -> None:
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{menu}$")).click()
    page.locator(f".lm-Menu-item[data-command='{command}']").first.click()


def list_kernels(get, deadline: float) -> list[dict]:
    """A server's kernel list, from ``get()``, asked again while the server answers 500.

    A kernel that is still starting has no last_activity yet, and jupyter_server answers the listing
    with 500 (the race of jupyter-server/enterprise_gateway#1395).
    """
    while True:
        try:
            return get()
        except urllib.error.HTTPError as exc:
            if exc.code != 500 or time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def _wait_kernel_ready(page, lab, timeout: float) -> None:
    """Until the server has a kernel with the page connected to it, and the page shows it idle.

    (The page's status reads "idle" for a moment before any kernel exists; Run All then
    would open a "Select Kernel" dialog.)
    """
    deadline = time.monotonic() + timeout
    while True:
        kernels = list_kernels(lambda: lab.api("GET", "/api/kernels"), deadline)
        ready = (len(kernels) == 1 and kernels[0].get("connections", 0) >= 1
                 and kernels[0].get("execution_state") == "idle")
        if ready and page.evaluate(
                "() => document.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status')"
        ) == "idle" and not page.locator(".jp-Dialog").count():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"no idle kernel connected within {timeout} s: {kernels}")
        time.sleep(0.25)


def _wait_run_all(page, timeout: float) -> dict:
    """Poll until every code cell ran (or execution stopped on an error); return the last state."""
    deadline = time.monotonic() + timeout
    idle_since = None
    while True:
        state = page.evaluate(JS_RUN_STATE)
        if state["done"] == state["total"] and state["running"] == 0 and state["status"] == "idle":
            return state
        # Run All stops at an error: nothing queued, kernel idle, cells left unexecuted.
        if state["running"] == 0 and state["status"] == "idle" and state["done"] > 0:
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since > 5:
                return state
        else:
            idle_since = None
        if time.monotonic() > deadline:
            return {**state, "timed_out": True}
        time.sleep(0.25)


def _save_and_read(page, lab, nb_name: str) -> nbformat.NotebookNode:
    path = lab.root / "notebooks" / nb_name
    before = path.stat().st_mtime_ns
    _menu(page, "File", "docmanager:save")
    deadline = time.monotonic() + 30
    while path.stat().st_mtime_ns == before or page.locator(".lm-TabBar-tab.jp-mod-dirty").count():
        if time.monotonic() > deadline:
            raise AssertionError("JupyterLab did not save the notebook within 30 s")
        time.sleep(0.2)
    return nbformat.read(path, as_version=4)


def _error_outputs(nb: nbformat.NotebookNode) -> list[str]:
    errors = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "raises-exception" in cell.metadata.get("tags", []):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}\n  {cell.source[:120]!r}")
    return errors


def _poll_change(page, el, before_img, before_html, timeout=CHANGE_TIMEOUT_S):
    """Wait until the widget's visible PNG (or HTML) differs; return (what changed, seconds, image, html)."""
    t0 = time.monotonic()
    while True:
        img = el.evaluate(JS_IMAGE_DIGEST)
        if img != before_img:
            return "image", time.monotonic() - t0, img, el.evaluate(JS_HTML_TEXT)
        elapsed = time.monotonic() - t0
        if elapsed > timeout:
            html = el.evaluate(JS_HTML_TEXT)
            return ("html" if html != before_html else None), elapsed, img, html
        time.sleep(0.03)


@dataclass
class Control:
    kind: str  # slider, toggle-buttons, dropdown, radio, checkbox
    box: object  # the control's widget element (it carries the css classes)
    target: object  # what a student acts on: a slider's handle, the select, the group
    label: str
    frontend: bool  # driven by the page alone (css class convlab-frontend-control)


def _controls(el) -> list[Control]:
    """Every control of one ConvLab widget, in page order."""
    found = []
    for kind, box_css, target_css in (("slider", ".widget-slider", ".noUi-handle"),
                                      ("toggle-buttons", ".widget-toggle-buttons", None),
                                      ("dropdown", ".widget-dropdown", "select"),
                                      ("radio", ".widget-radio", ".widget-radio-box"),
                                      ("checkbox", ".widget-checkbox", "input[type=checkbox]")):
        for box in el.locator(box_css).all():
            target = box.locator(target_css).first if target_css else box
            label = (box.locator(".widget-label").first.text_content() or "").strip() or kind
            frontend = "convlab-frontend-control" in (box.get_attribute("class") or "").split()
            found.append(Control(kind, box, target, label, frontend))
    return found


def _move(page, kind: str, control) -> str:
    """Change one control by one step, the way a student would; return a description."""
    if kind == "slider":
        now, hi = control.get_attribute("aria-valuenow"), control.get_attribute("aria-valuemax")
        key = "ArrowLeft" if now is not None and hi is not None and float(now) >= float(hi) else "ArrowRight"
        control.focus()
        page.keyboard.press(key)
        return f"slider {now} {key}"
    if kind == "toggle-buttons":
        buttons = control.locator("button")
        n = buttons.count()
        active = next((i for i in range(n) if "mod-active" in (buttons.nth(i).get_attribute("class") or "")), -1)
        target = (active + 1) % n
        buttons.nth(target).click()
        return f"toggle {active}->{target}"
    if kind == "dropdown":
        n = control.locator("option").count()
        current = control.evaluate("s => s.selectedIndex")
        target = (current + 1) % n
        control.select_option(index=target)
        return f"dropdown {current}->{target}"
    if kind == "radio":
        radios = control.locator("input[type=radio]")
        n = radios.count()
        current = next((i for i in range(n) if radios.nth(i).is_checked()), -1)
        target = (current + 1) % n
        radios.nth(target).check()
        return f"radio {current}->{target}"
    control.click()  # checkbox
    return "checkbox"


def wait_frames_sent(page, quiet_s: float = 1.0, timeout: float = 60.0) -> None:
    """Until no picture in the page has changed for ``quiet_s``: the kernel has sent every frame a
    kernel-side move made stale (it starts 0.5 s after the last move, then sends them back to back)."""
    deadline = time.monotonic() + timeout
    while page.evaluate(JS_MS_SINCE_IMAGE_CHANGE) < 1000 * quiet_s:
        if time.monotonic() > deadline:
            raise AssertionError(f"the page's pictures were still changing after {timeout} s")
        time.sleep(0.1)


def _measure_move(page, el, control: Control, timeout: float = CHANGE_TIMEOUT_S) -> tuple[str, float | None]:
    """Move ``control`` one step; return (description, ms from the key press or click to the new
    picture on screen, None when the picture did not change within ``timeout``)."""
    el.evaluate(JS_ARM_LATENCY % int(timeout * 1000))
    how = _move(page, control.kind, control.target)
    deadline = time.monotonic() + timeout + 1
    while True:
        state = page.evaluate("() => ({done: window.__convlabLatency.done, ms: window.__convlabLatency.ms})")
        if state["done"] or time.monotonic() > deadline:
            return how, state["ms"]
        time.sleep(0.01)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) of values, nearest rank: a value that was measured."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _console_errors(messages: list[str], failed_requests: list[str]) -> list[str]:
    """Console errors and failed requests that are not the offline badge images."""
    benign = [u for u in failed_requests if u.startswith(BENIGN_FAILED_HOSTS)]
    problems = [f"request failed: {u}" for u in failed_requests if u not in benign]
    budget = len(benign)
    for m in messages:
        if budget and FAILED_LOAD in m:
            budget -= 1
            continue
        problems.append(m)
    return problems
