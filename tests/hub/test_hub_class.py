"""A class on a real JupyterHub: two students, one nbgitpuller link, nobody loses work.

The published course is stood in for by a ``git clone`` of this repository's HEAD (commit
what you want tested) in a temporary folder, checked out as the course's branch. Then:

1. JupyterHub starts on 127.0.0.1 (hub_support.py): configurable-http-proxy from npm, the dummy
   authenticator, SimpleLocalProcessSpawner running this venv's single-user server.
2. Two students, each in their own Chromium context, click the nbgitpuller link for chapter 02
   (made by tools/hub_link.py) on a course page, land on the hub's login page, log in, and are
   taken through their new server's ``git-pull`` page to the chapter in JupyterLab. The course
   must be a git clone in each student's own home, the chapter open in it.
3. Both press Run All at once; every cell must run with no error output, and each kernel must run
   in that student's own copy. Each student moves the sliding-window slider and its PNG must change.
4. One student edits an exercise cell and saves. The instructor commits a change to chapter 03 in
   the published clone. Both students click the link again: the edit must still be there (on disk
   and on the page) and the instructor's change must have arrived (merged, and shown in chapter 03).
5. Every kernel, server, the proxy and the hub are stopped, also when a step fails; afterwards no
   process started for this test may still run (each carries a marker in its environment).

Screenshots of what each student saw go to artifacts/hub/, with timings.txt and the hub's log.
Run: ``npm ci`` once, then ``pytest tests/hub``. Locally it skips when Chromium, node or the npm
packages are missing; in CI (CI=true) that is a failure.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil
import pytest
from browser_support import (
    JS_HTML_TEXT,
    JS_IMAGE_DIGEST,
    JS_OUTPUT_PROBLEMS,
    _error_outputs,
    _menu,
    _move,
    _poll_change,
    _wait_run_all,
    list_kernels,
)
from hub_support import (
    ARTIFACTS,
    REPO,
    VENV_BIN,
    Hub,
    describe,
    marked_processes,
    record_timings,
    start_hub,
)

from tools.hub_link import nbgitpuller_link, repo_folder
from tools.notebook_cells import BRANCH, REPO_URL

pytestmark = pytest.mark.hub

STUDENTS = ("ada", "grace")
EDITOR = "ada"  # the student who edits a cell before the instructor's update
CHAPTER = "notebooks/02_corr2d.ipynb"
UPDATED = "notebooks/03_padding_and_stride.ipynb"
EXERCISE_MARK = "corr2d(X_diag, K_edge) is"  # the exercise cell the student answers
FOLDER = repo_folder(REPO_URL)  # what the published course is called, so what students get
OPEN_TIMEOUT_S = 300.0
RUN_ALL_TIMEOUT_S = float(os.environ.get("CONVLAB_BROWSER_TIMEOUT", "600"))
REDRAW_TIMEOUT_S = 10.0  # two kernels share the machine; the browser suite's bound is 2 s for one


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True)
    return done.stdout.strip()


def publish_course(dest: Path) -> None:
    """A clone of this repository's HEAD on the course's branch, standing in for the published course."""
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(dest)], check=True)
    _git(dest, "checkout", "--quiet", "-B", BRANCH)


def instructor_commits(source: Path, note: str) -> str:
    """The instructor adds a note to another chapter and commits it; returns the commit."""
    nb = nbformat.read(source / UPDATED, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(f"> **From your instructor:** {note}"))
    nbformat.write(nb, source / UPDATED)
    _git(source, "-c", "user.name=Instructor", "-c", "user.email=instructor@example.edu",
         "commit", "--quiet", "-am", "Chapter 03: a note for this week's class")
    return _git(source, "rev-parse", "HEAD")


@dataclass
class Student:
    name: str
    page: object
    shots: Path
    visited: list[str] = field(default_factory=list)
    n_shots: int = 0

    def shot(self, label: str, target=None) -> None:
        self.n_shots += 1
        (target or self.page).screenshot(path=str(self.shots / f"{self.name}_{self.n_shots:02d}_{label}.png"))

    def click_course_link(self, link: str) -> None:
        """The link as a student meets it: on the course's page, clicked."""
        self.page.set_content(f'<h1>Convolutional networks</h1><p><a id="chapter" href="{html.escape(link)}">'
                              "Chapter 02: cross-correlation (opens on the class hub)</a></p>")
        self.page.click("#chapter")

    def log_in(self) -> None:
        self.page.locator("#username_input").wait_for(timeout=60_000)
        self.page.fill("#username_input", self.name)
        self.page.fill("#password_input", "any password works on this test hub")
        self.shot("login_page")
        self.page.click("#login_submit")

    def wait_for_notebook(self, nb_name: str, timeout: float) -> None:
        """Until JupyterLab shows ``nb_name`` as the current tab with its cells on the page."""
        tab = self.page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current", has_text=nb_name)
        tab.wait_for(timeout=timeout * 1000)
        self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").first.wait_for(
            timeout=60_000)


def _wait_kernel_ready(hub: Hub, student: Student, timeout: float) -> None:
    """Until the student's server has an idle kernel with the page connected, and the page shows idle."""
    deadline = time.monotonic() + timeout
    while True:
        kernels = list_kernels(lambda: hub.kernels(student.name), deadline)
        ready = any(k.get("connections", 0) >= 1 and k.get("execution_state") == "idle" for k in kernels)
        status = student.page.evaluate(
            "() => document.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status')")
        if ready and status == "idle" and not student.page.locator(".jp-Dialog").count():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{student.name}: no idle kernel connected within {timeout} s: {kernels}")
        time.sleep(0.25)


def _save(student: Student, path: Path) -> nbformat.NotebookNode:
    """File > Save, then read what landed in the student's home."""
    before = path.stat().st_mtime_ns
    _menu(student.page, "File", "docmanager:save")
    deadline = time.monotonic() + 30
    while path.stat().st_mtime_ns == before or student.page.locator(".lm-TabBar-tab.jp-mod-dirty").count():
        if time.monotonic() > deadline:
            raise AssertionError(f"{student.name}: JupyterLab did not save {path.name} within 30 s")
        time.sleep(0.2)
    return nbformat.read(path, as_version=4)


def _processes_by_kind(marker: str) -> dict[str, list]:
    kinds: dict[str, list] = {"proxy": [], "server": [], "kernel": []}
    for proc in marked_processes(marker):
        try:
            cmd = " ".join(proc.cmdline())
            parent = proc.parent()
            if parent is not None and parent.cmdline() == proc.cmdline():
                continue  # a fork that has not exec'd yet: not a process of its own
        except psutil.Error:  # gone meanwhile
            continue
        if "configurable-http-proxy" in cmd:
            kinds["proxy"].append(proc)
        elif "jupyterhub-singleuser" in cmd:
            kinds["server"].append(proc)
        elif "ipykernel" in cmd:
            kinds["kernel"].append(proc)
    return kinds


def test_a_class_on_jupyterhub_with_nbgitpuller(hub_browser, tmp_path: Path) -> None:
    t_start = time.monotonic()
    timings: dict[str, float] = {}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in [*ARTIFACTS.glob("*.png"), *ARTIFACTS.glob("*.txt"), *ARTIFACTS.glob("*.log")]:
        old.unlink()

    source = tmp_path / "published" / FOLDER
    publish_course(source)
    edit_mark = f"my-answer-{os.urandom(4).hex()}"
    note_mark = f"instructor-note-{os.urandom(4).hex()}"
    edit_line = f'answer = "c"  # my guess before computing it ({edit_mark})'

    t0 = time.monotonic()
    hub = start_hub(tmp_path / "hub", list(STUDENTS))
    timings["hub start"] = time.monotonic() - t0
    # file:// rather than a plain path: git then clones the way it does over the network (shallow).
    link = nbgitpuller_link(hub.url, CHAPTER, repo_url=source.as_uri(), branch=BRANCH, root=source)
    problems: list[str] = []
    contexts, students = [], []
    try:
        for name in STUDENTS:
            context = hub_browser.new_context(viewport={"width": 1400, "height": 1000})
            contexts.append(context)
            page = context.new_page()
            page.on("dialog", lambda d: d.accept())
            student = Student(name, page, ARTIFACTS)
            page.on("framenavigated", lambda f, s=student: s.visited.append(f.url) if f is s.page.main_frame else None)
            students.append(student)

        # 1. Both click the link and log in; the hub starts both servers at once.
        t0 = time.monotonic()
        for s in students:
            s.click_course_link(link)
            s.log_in()
        for s in students:
            s.wait_for_notebook(Path(CHAPTER).name, OPEN_TIMEOUT_S)
        timings["log in, spawn, clone, open (both)"] = time.monotonic() - t0
        for s in students:
            paths = [u.split("?")[0].removeprefix(hub.url) for u in s.visited]
            for step in ("/hub/login", f"/user/{s.name}/git-pull", f"/user/{s.name}/lab"):
                assert any(p.startswith(step) for p in paths), f"{s.name} never went through {step}: {paths}"
            clone = hub.home(s.name) / FOLDER
            assert (clone / ".git").is_dir() and (clone / CHAPTER).is_file(), f"no course in {s.name}'s home"
            assert _git(clone, "remote", "get-url", "origin") == source.as_uri()
            assert _git(clone, "rev-parse", "HEAD") == _git(source, "rev-parse", "HEAD")

        # 2. Run All in both at once.
        t0 = time.monotonic()
        for s in students:
            _wait_kernel_ready(hub, s, timeout=120)
            s.shot("chapter02_opened")
        for s in students:
            _menu(s.page, "Run", "runmenu:run-all")
        states = {s.name: _wait_run_all(s.page, RUN_ALL_TIMEOUT_S) for s in students}
        unfinished = {n: st for n, st in states.items() if st.get("timed_out") or st["done"] != st["total"]}
        assert not unfinished, f"Run All did not finish (cells done of total): {unfinished}"
        timings["Run All chapter 02 (both at once)"] = time.monotonic() - t0
        kinds = _processes_by_kind(hub.marker)
        assert len(kinds["proxy"]) == 1 and len(kinds["server"]) == len(STUDENTS), {
            k: [describe(p) for p in v] for k, v in kinds.items()}
        for kind in ("server", "kernel"):
            for proc in kinds[kind]:
                timings[f"{proc.environ().get('JUPYTERHUB_USER', '?')}: {kind} RSS after Run All (MiB)"] = (
                    proc.memory_info().rss / 2**20)
        # Each kernel runs in its student's copy, and finds `utils` there only through the setup
        # cell's walk up from the notebook's folder: this Python cannot import it from anywhere else.
        no_utils = subprocess.run([str(VENV_BIN / "python"), "-c", "import utils"], cwd=hub.tmp,
                                  env={"PATH": os.environ.get("PATH", "")}, capture_output=True, text=True)
        assert "No module named 'utils'" in no_utils.stderr, no_utils.stderr
        kernel_homes = sorted(str(Path(p.cwd()).relative_to(hub.tmp / "homes")) for p in kinds["kernel"])
        assert kernel_homes == [f"{n}/{FOLDER}/notebooks" for n in sorted(STUDENTS)], kernel_homes
        for s in students:
            saved = _save(s, hub.home(s.name) / FOLDER / CHAPTER)
            problems += [f"{s.name}: error output: {e}" for e in _error_outputs(saved)]
            problems += [f"{s.name}: {p}" for p in s.page.evaluate(JS_OUTPUT_PROBLEMS)]
            s.shot("chapter02_after_run_all")

        # 3. The sliding-window widget redraws when its slider moves.
        for s in students:
            widget = s.page.locator(".jp-Notebook .convlab-sliding-window").first
            widget.scroll_into_view_if_needed()
            before_img, before_html = widget.evaluate(JS_IMAGE_DIGEST), widget.evaluate(JS_HTML_TEXT)
            assert before_img, f"{s.name}: the sliding-window widget shows no picture"
            how = _move(s.page, "slider", widget.locator(".widget-slider .noUi-handle").first)
            what, seconds, _, _ = _poll_change(s.page, widget, before_img, before_html, timeout=REDRAW_TIMEOUT_S)
            if what != "image":
                problems.append(f"{s.name}: sliding-window {how}: the picture did not change "
                                f"within {REDRAW_TIMEOUT_S} s ({what})")
            timings[f"{s.name}: slider redraw in the browser"] = seconds
            s.shot("sliding_window_after_move", widget)

        # 4. One student answers an exercise and saves; the instructor updates chapter 03.
        editor = next(s for s in students if s.name == EDITOR)
        cell = editor.page.locator(".jp-Notebook .jp-CodeCell", has_text=EXERCISE_MARK).first
        cell.scroll_into_view_if_needed()
        cell.locator(".cm-content").click()
        editor.page.keyboard.press("Control+Home")
        editor.page.keyboard.press("Shift+End")
        editor.page.keyboard.insert_text(edit_line)
        editor.page.keyboard.press("Escape")
        saved = _save(editor, hub.home(EDITOR) / FOLDER / CHAPTER)
        assert any(c.source.startswith(edit_line + "\n") for c in saved.cells), "the edit was not saved"
        editor.shot("exercise_edited_and_saved",
                    editor.page.locator(".jp-Notebook .jp-CodeCell", has_text=edit_mark).first)
        update = instructor_commits(source, f"bring your padding answers to Friday's class ({note_mark}).")

        # 5. Both click the link again: the update arrives, the edit stays.
        t0 = time.monotonic()
        for s in students:
            s.visited.clear()
            s.click_course_link(link)
        for s in students:
            s.wait_for_notebook(Path(CHAPTER).name, OPEN_TIMEOUT_S)
            assert any(f"/user/{s.name}/git-pull" in u for u in s.visited), f"{s.name}: no second pull"
        timings["second click: pull and merge (both)"] = time.monotonic() - t0
        kept = editor.page.locator(".jp-Notebook .jp-CodeCell", has_text=edit_mark).first
        kept.wait_for(timeout=30_000)
        kept.scroll_into_view_if_needed()
        editor.shot("after_update_edit_kept", kept)
        for s in students:
            clone = hub.home(s.name) / FOLDER
            subprocess.run(["git", "-C", str(clone), "merge-base", "--is-ancestor", update, "HEAD"], check=True)
            assert note_mark in (clone / UPDATED).read_text(encoding="utf-8"), f"{s.name}: no update"
            chapter = (clone / CHAPTER).read_text(encoding="utf-8")
            assert (edit_mark in chapter) == (s.name == EDITOR), f"{s.name}: the edit is where it should not be"
            s.page.goto(f"{hub.url}/user/{s.name}/lab/tree/{FOLDER}/{UPDATED}")
            s.wait_for_notebook(Path(UPDATED).name, OPEN_TIMEOUT_S)
            note = s.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownOutput", has_text=note_mark)
            note.first.wait_for(timeout=30_000)
            s.shot("chapter03_instructor_note")
        assert problems == [], "\n".join(problems)
    except Exception:
        for s in students:
            try:
                s.page.screenshot(path=str(ARTIFACTS / f"FAILED_{s.name}.png"), full_page=True)
            except Exception:  # noqa: BLE001 - the page may be gone; the failure below matters
                pass
        raise
    finally:
        t0 = time.monotonic()
        for context in contexts:
            context.close()
        leftovers = hub.stop()
        if leftovers:
            print("killed processes that outlived the test:", *leftovers, sep="\n  ")
        timings["stop kernels, servers, proxy, hub"] = time.monotonic() - t0
        shutil.copy(hub.log, ARTIFACTS / "jupyterhub.log")
        timings["total"] = time.monotonic() - t_start
        record_timings([f"{k:<48} {v:7.1f}" + ("" if k.endswith("(MiB)") else " s") for k, v in timings.items()])
    assert hub.proc.poll() is not None, "JupyterHub still running after stop"
    assert leftovers == [], "processes left running after the test (killed now):\n" + "\n".join(leftovers)
