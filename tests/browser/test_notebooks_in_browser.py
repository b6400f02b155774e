"""Every chapter notebook, run in JupyterLab in a real (headless) Chromium.

For each notebooks/[0-9]*.ipynb (an output-free copy, in a fresh JupyterLab server):
  1. open it, Run All, wait until every code cell has an execution count;
  2. fail on any error output (except in cells tagged ``raises-exception``), on LaTeX that
     MathJax cannot typeset, on a widget
     that could not be displayed, on a message in JupyterLab's log console (where errors
     raised by widget callbacks go), and on any uncaught browser console error;
  3. check that every ConvLab widget the committed notebook displays is on the page
     (found by its css classes ``convlab-widget convlab-<name>``), starts with a valid
     picture (no "No valid output") and shows its PNG at its natural width (not stretched
     blurry by the page layout);
  4. for every widget, move each control (slider: focus + arrow key; toggle buttons,
     dropdowns, radio buttons, checkboxes: pick another value) and require what is drawn
     to change within 2 s: the PNG bytes of its <img> (or, for a control that only
     changes the arithmetic, the HTML under it); at least one control per widget must
     change the picture. A screenshot of each widget after interaction is written to
     artifacts/browser/<notebook>/.
Kernels and the server are shut down after each test. Timings go to the terminal summary
and artifacts/browser/timings.txt.

Runs by default with ``pytest tests``; deselect locally with ``-m "not browser"``.
Only one notebook: ``CONVLAB_BROWSER_NOTEBOOKS=notebooks/02_corr2d.ipynb pytest tests/browser``.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import nbformat
import pytest
from browser_support import ARTIFACTS, REPO, record_timing, start_lab

pytestmark = pytest.mark.browser

RUN_ALL_TIMEOUT_S = float(os.environ.get("CONVLAB_BROWSER_TIMEOUT", "600"))
CHANGE_TIMEOUT_S = 2.0
# A widget's PNG is drawn at dpi 80 for the size it is meant to be seen at; stretching it
# wider than this (a flex container's default) makes it blurry.
MAX_UPSCALE = 1.1

# Requests allowed to fail: the course runs offline, and the Colab / Binder badge images in
# each chapter's first cell live on those hosts. Chromium logs each failed load as a console
# error ("Failed to load resource: net::ERR_NAME_NOT_RESOLVED", without the URL), so as many of
# those console lines as there were such failed badge requests are dropped; every other failed
# request (its URL is reported) and every other console error fails the test.
BENIGN_FAILED_HOSTS = ("https://colab.research.google.com/", "https://mybinder.org/")
FAILED_LOAD = "Failed to load resource: "


def _notebooks() -> list[Path]:
    chosen = os.environ.get("CONVLAB_BROWSER_NOTEBOOKS")
    if chosen:
        return [Path(p).resolve() for p in chosen.split(os.pathsep) if p]
    return sorted((REPO / "notebooks").glob("[0-9]*.ipynb"))


def _expected_widgets(nb_path: Path) -> list[str] | None:
    """css names of the ConvLab widgets the committed (executed) notebook displays, in order.

    None when the notebook is not committed executed (then there is nothing to compare to).
    """
    nb = nbformat.read(nb_path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    if not code or any(c.execution_count is None for c in code):
        return None
    names = []
    for cell in code:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            text = data.get("text/plain", "")
            if "application/vnd.jupyter.widget-view+json" in data and text.startswith("ConvLabWidget("):
                inner = text[len("ConvLabWidget("):].rstrip(")")
                names += [c.strip() for c in inner.split(",") if c.strip().startswith("convlab-")][:1]
    return names


# ------------------------------------------------------------------ page helpers (JS)
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

JS_IMAGE_DIGEST = """async (el) => {
  const img = el.querySelector('img.widget-image') || el.querySelector('img');
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

JS_IMAGE_SIZE = """(el) => {
  const img = el.querySelector('img.widget-image') || el.querySelector('img');
  return img ? [img.naturalWidth, Math.round(img.getBoundingClientRect().width)] : [0, 0];
}"""

JS_HTML_TEXT = """(el) => [...el.querySelectorAll('.widget-html-content')].map(e => e.innerHTML).join('|')"""

# LaTeX that MathJax could not typeset: an unknown environment or a syntax error becomes
# <mjx-merror data-mjx-error=...>; an undefined macro (\fracc) is shown as red text.
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


def _menu(page, menu: str, command: str) -> None:
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{menu}$")).click()
    page.locator(f".lm-Menu-item[data-command='{command}']").first.click()


def _wait_kernel_ready(page, lab, timeout: float) -> None:
    """Until the server has a kernel with the page connected to it, and the page shows it idle.

    (The page's status reads "idle" for a moment before any kernel exists; Run All then
    would open a "Select Kernel" dialog.)
    """
    deadline = time.monotonic() + timeout
    while True:
        kernels = lab.api("GET", "/api/kernels")
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
    """Wait until the widget's PNG (or HTML) differs; return (what changed, seconds)."""
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


def _controls(el) -> list[tuple[str, object]]:
    """(kind, locator) for every control of one ConvLab widget, in page order."""
    found = []
    for handle in el.locator(".widget-slider .noUi-handle").all():
        found.append(("slider", handle))
    for group in el.locator(".widget-toggle-buttons").all():
        found.append(("toggle-buttons", group))
    for select in el.locator(".widget-dropdown select").all():
        found.append(("dropdown", select))
    for group in el.locator(".widget-radio-box").all():
        found.append(("radio", group))
    for box in el.locator(".widget-checkbox input[type=checkbox]").all():
        found.append(("checkbox", box))
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


@pytest.mark.parametrize("nb_path", _notebooks(), ids=lambda p: p.name)
def test_notebook_in_browser(nb_path: Path, browser, tmp_path: Path) -> None:
    t_start = time.monotonic()
    expected = _expected_widgets(nb_path)
    shots = ARTIFACTS / nb_path.stem
    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob("*.png"):
        old.unlink()

    lab = start_lab(tmp_path, [nb_path])
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(f"uncaught: {e}"))
    failed_requests: list[str] = []
    page.on("requestfailed", lambda r: failed_requests.append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: failed_requests.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
    problems: list[str] = []
    widget_lines: list[str] = []
    timings: dict[str, float] = {}
    try:
        t0 = time.monotonic()
        page.goto(lab.url(nb_path.name))
        _wait_kernel_ready(page, lab, timeout=120)
        timings["open"] = time.monotonic() - t0

        t0 = time.monotonic()
        _menu(page, "Run", "runmenu:run-all")
        state = _wait_run_all(page, RUN_ALL_TIMEOUT_S)
        timings["run_all"] = time.monotonic() - t0
        if state.get("timed_out"):
            problems.append(f"Run All did not finish in {RUN_ALL_TIMEOUT_S:.0f} s: {state}")
        elif state["done"] != state["total"]:
            problems.append(f"Run All stopped: {state['done']} of {state['total']} code cells ran")

        saved = _save_and_read(page, lab, nb_path.name)
        problems += [f"error output: {e}" for e in _error_outputs(saved)]
        problems += page.evaluate(JS_OUTPUT_PROBLEMS)
        problems += page.evaluate(JS_MATH_ERRORS)

        t0 = time.monotonic()
        elements = page.locator(".jp-Notebook .convlab-widget").all()
        names = []
        for el in elements:
            classes = (el.get_attribute("class") or "").split()
            names.append(next((c for c in classes if c.startswith("convlab-") and c != "convlab-widget"), "?"))
        if expected is not None and names != expected:
            problems.append(f"widgets on the page {names} != widgets the committed notebook shows {expected}")

        latencies: list[float] = []
        for k, (el, name) in enumerate(zip(elements, names, strict=True)):
            el.scroll_into_view_if_needed()
            if "No valid output" in el.evaluate(JS_HTML_TEXT):
                problems.append(f"widget {k} {name}: the notebook shows it with no valid output")
            controls = _controls(el)
            if not controls:
                problems.append(f"widget {k} {name}: no control found")
            image_changed = False
            for kind, control in controls:
                if not control.is_visible() or not control.is_enabled():
                    continue
                before_img, before_html = el.evaluate(JS_IMAGE_DIGEST), el.evaluate(JS_HTML_TEXT)
                if before_img is None:
                    problems.append(f"widget {k} {name}: no image drawn")
                    break
                how = _move(page, kind, control)
                what, dt, _, _ = _poll_change(page, el, before_img, before_html)
                if what is None:
                    problems.append(f"widget {k} {name}: {how} changed nothing within {CHANGE_TIMEOUT_S} s")
                else:
                    latencies.append(dt)
                    image_changed |= what == "image"
                widget_lines.append(f"    {name:<28} {how:<28} -> {what or 'NO CHANGE'} in {dt * 1000:.0f} ms")
            if controls and not image_changed:
                problems.append(f"widget {k} {name}: no control changed the picture")
            natural, shown = el.evaluate(JS_IMAGE_SIZE)
            if natural and shown / natural > MAX_UPSCALE:
                problems.append(f"widget {k} {name}: its {natural}px-wide PNG is stretched to {shown}px "
                                f"(×{shown / natural:.2f}, blurry); keep the image at its natural width")
            widget_lines.append(f"    {name:<28} image {natural}px wide, shown at {shown}px")
            el.screenshot(path=str(shots / f"{k:02d}_{name}.png"))
        timings["widgets"] = time.monotonic() - t0

        # Errors raised inside widget callbacks do not reach cell outputs: JupyterLab sends
        # them to its log console. Open it and require it to hold no error or warning.
        _menu(page, "View", "logconsole:open")
        page.locator(".jp-LogConsole").first.wait_for(timeout=10_000)
        time.sleep(0.3)
        logged = page.evaluate("""() => [...document.querySelectorAll('.jp-LogConsole .jp-OutputArea-child')]
            .map(e => e.innerText.trim()).filter(t => t)""")
        problems += [f"log console: {t[:300]}" for t in logged]
        problems += _console_errors(console, failed_requests)
        n_widgets = len(elements)
        mean_ms = 1000 * sum(latencies) / len(latencies) if latencies else 0.0
        max_ms = 1000 * max(latencies) if latencies else 0.0
    except Exception:
        page.screenshot(path=str(shots / "FAILED_page.png"), full_page=True)
        print(lab.log.read_text(errors="replace")[-3000:])
        raise
    finally:
        context.close()
        left = lab.shutdown()
        assert lab.proc.poll() is not None, "JupyterLab server still running after shutdown"
    if left:
        problems.append(f"kernels still running after shutdown: {left}")
    total = time.monotonic() - t_start
    record_timing(f"{nb_path.name:<32} total {total:6.1f} s  (open {timings.get('open', 0):5.1f}, "
                  f"run all {timings.get('run_all', 0):6.1f}, widgets {timings.get('widgets', 0):5.1f}); "
                  f"{n_widgets} widget(s), browser redraw mean {mean_ms:.0f} ms / max {max_ms:.0f} ms")
    for line in widget_lines:
        record_timing(line)
    if problems:
        page_log = lab.log.read_text(errors="replace")[-2000:]
        pytest.fail(f"{nb_path.name} in Chromium:\n  " + "\n  ".join(problems)
                    + f"\n--- JupyterLab log (tail) ---\n{page_log}", pytrace=False)
