"""tools/notebook_cells.py (the setup cell, badges, repository URL) and tools/sync_notebooks.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest

from tools import notebook_cells as nc
from tools.sync_notebooks import main as sync_main
from tools.sync_notebooks import sync_notebook

ROOT = Path(__file__).resolve().parents[1]


def test_urls_are_derived_from_the_one_repo_url():
    nb = "notebooks/02_corr2d.ipynb"
    slug = nc.github_slug()
    assert nc.colab_url(nb) == (
        f"https://colab.research.google.com/github/{slug}/blob/{nc.BRANCH}/notebooks/02_corr2d.ipynb")
    assert nc.binder_url() == (
        f"https://mybinder.org/v2/gh/{slug}/{nc.BRANCH}?urlpath=lab/tree/notebooks/01_from_fc_to_conv.ipynb")
    fork = "https://github.com/someone/cnn-course"
    line = nc.badge_line(nb, fork, "spring")
    assert "github/someone/cnn-course/blob/spring/notebooks/02_corr2d.ipynb" in line
    assert "gh/someone/cnn-course/spring?urlpath=lab/tree/notebooks/02_corr2d.ipynb" in line
    assert nc.is_badge_line(line) and not nc.is_badge_line("# 02 · Cross-correlation")
    assert f'REPO_URL, BRANCH = "{fork}", "spring"' in nc.setup_cell("en", fork, "spring")
    assert nc.SETUP_CELL.count(nc.REPO_URL) == 1
    assert nc.repo_name(fork) == "cnn-course"


def test_the_address_lives_in_course_json():
    stored = json.loads((ROOT / "course.json").read_text())
    assert (nc.REPO_URL, nc.BRANCH) == (stored["repo_url"], stored["branch"])
    # the default must not be someone else's project: github.com/convlab/convlab is a dialogue toolkit
    assert nc.github_slug().lower() != "convlab/convlab"


def test_save_and_load_address_round_trip(tmp_path):
    path = tmp_path / "course.json"
    nc.save_address("https://github.com/me/course.git/", "spring", path)
    assert nc.load_address(path) == ("https://github.com/me/course", "spring")


@pytest.mark.parametrize("bad", ["http://github.com/a/b", "https://gitlab.com/a/b", "https://github.com/a",
                                 "https://github.com/a/b/c", "https://github.com//b"])
def test_repo_url_must_be_a_github_repository(bad):
    with pytest.raises(ValueError, match="repo_url must"):
        nc.setup_cell("en", bad)


@pytest.mark.parametrize("bad", ["", "my branch", 'x"y', None])
def test_branch_must_be_a_plain_name(bad):
    with pytest.raises(ValueError, match="branch must"):
        nc.check_address("https://github.com/a/b", bad)


def test_language_and_folder():
    with pytest.raises(ValueError, match="language must be one of"):
        nc.setup_cell("fr")
    assert nc.language_of("notebooks/02_corr2d.ipynb") == "en"
    assert nc.language_of("notebooks/zh/02_corr2d.ipynb") == "zh"
    with pytest.raises(ValueError, match="nb_path must be a chapter"):
        nc.language_of("elsewhere/02_corr2d.ipynb")
    zh = nc.setup_cell("zh")
    assert 'os.environ["CONVLAB_LANGUAGE"] = "zh"' in zh and 'os.chdir(COURSE / "notebooks/zh")' in zh
    # the two editions' setup cells differ in exactly those two lines
    diff = [(a, b) for a, b in zip(nc.setup_cell("en").split("\n"), zh.split("\n")) if a != b]
    assert len(diff) == 2


def test_setup_cell_compiles_and_is_what_the_lesson_expects():
    compile(nc.SETUP_CELL, "<setup>", "exec")
    assert nc.SETUP_CELL.startswith("# ConvLab setup — the same first cell in every chapter.\n")
    assert 'IS_COLAB = "google.colab" in sys.modules' in nc.SETUP_CELL
    # Colab renders built-in widgets natively; its CDN widget manager has broken them before
    assert "enable_custom_widget_manager" not in nc.SETUP_CELL


def run_setup(monkeypatch, tmp_path, colab: bool):
    """Execute the setup cell from tmp_path/notebooks with subprocess and chdir recorded."""
    (tmp_path / "utils").mkdir()
    (tmp_path / "utils" / "__init__.py").write_text("")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    calls, chdirs = [], []

    def fake_run(cmd, **kw):
        calls.append((cmd, kw))
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setattr(os, "chdir", chdirs.append)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setitem(os.environ, "CONVLAB_LANGUAGE", "?")
    if colab:
        fake_colab(monkeypatch)
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    scope: dict = {}
    exec(compile(nc.SETUP_CELL, "<setup>", "exec"), scope)
    return scope, calls, chdirs


def fake_colab(monkeypatch):
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))


def test_setup_cell_locally_only_finds_utils(monkeypatch, tmp_path):
    scope, calls, chdirs = run_setup(monkeypatch, tmp_path, colab=False)
    assert scope["IS_COLAB"] is False
    assert scope["ROOT"] == tmp_path
    assert sys.path[0] == str(tmp_path)
    assert os.environ["CONVLAB_LANGUAGE"] == "en"
    assert calls == [] and chdirs == []  # nothing installed, nothing printed


def test_setup_cell_finds_utils_from_a_course_cloned_into_a_home(monkeypatch, tmp_path):
    # nbgitpuller puts the course in ~/<repo-name>/; the kernel starts in the chapter's folder
    home = tmp_path / "home" / "student"
    (home / nc.repo_name() / "utils").mkdir(parents=True)
    (home / nc.repo_name() / "utils" / "__init__.py").write_text("")
    (home / nc.repo_name() / "notebooks" / "zh").mkdir(parents=True)
    monkeypatch.chdir(home / nc.repo_name() / "notebooks" / "zh")
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setitem(os.environ, "CONVLAB_LANGUAGE", "?")
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    scope: dict = {}
    exec(compile(nc.setup_cell("zh"), "<setup>", "exec"), scope)
    assert scope["ROOT"] == home / nc.repo_name() and os.environ["CONVLAB_LANGUAGE"] == "zh"


def test_setup_cell_on_colab_installs_what_colab_lacks(monkeypatch, tmp_path):
    scope, calls, chdirs = run_setup(monkeypatch, tmp_path, colab=True)
    assert scope["IS_COLAB"] is True
    clone, pip = calls[0][0], calls[1][0]
    course = f"/content/{nc.repo_name()}"
    assert clone[:2] == ["git", "clone"] and nc.REPO_URL in clone and nc.BRANCH in clone and course in clone
    assert pip[:6] == [sys.executable, "-m", "pip", "install", "-q", "--no-deps"]
    assert nc.D2L_SPEC in pip
    assert chdirs == [Path(course) / "notebooks"]


FAILING_GIT = """#!/bin/sh
echo "fatal: repository '$7' not found" >&2
exit 128
"""


def test_setup_cell_on_colab_stops_with_a_short_message_when_the_clone_fails(monkeypatch, tmp_path):
    """A real IPython shell runs the cell with a stand-in google.colab and a git that fails."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "git").write_text(FAILING_GIT)
    (bin_dir / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setitem(os.environ, "CONVLAB_LANGUAGE", "?")
    monkeypatch.chdir(tmp_path)
    fake_colab(monkeypatch)
    course = Path("/content") / nc.repo_name()
    assert not (course / "utils").exists()
    pips = []
    real_run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: pips.append(cmd) if "pip" in cmd else real_run(cmd, **kw))

    shell = InteractiveShell.instance()
    try:
        with capture_output() as captured:
            result = shell.run_cell(nc.SETUP_CELL)
    finally:
        InteractiveShell.clear_instance()
    shown = captured.stdout + captured.stderr
    assert not result.success and type(result.error_in_exec).__name__ == "CourseSetupError"
    assert f"could not download the course from {nc.REPO_URL} (branch {nc.BRANCH})" in shown
    assert "repository" in shown and "not found" in shown  # git's own reason
    assert "set REPO_URL and BRANCH above" in shown  # how to point the course elsewhere
    assert "Traceback" not in shown and "CalledProcessError" not in shown and "----" not in shown
    assert len(shown.strip().splitlines()) <= 3
    assert pips == [], "nothing is installed after a failed clone"


def make_notebook(tmp_path, cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    path = tmp_path / "notebooks" / "09_x.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return nb, path


def test_sync_adds_badges_and_updates_an_old_setup_cell(tmp_path):
    old_setup = nbformat.v4.new_code_cell("# ConvLab setup — old text\nimport sys", execution_count=1)
    nb, _ = make_notebook(tmp_path, [nbformat.v4.new_markdown_cell("# 09 · Title\n\nText."), old_setup,
                                     nbformat.v4.new_code_cell("x = 1", execution_count=2)])
    changes = sync_notebook(nb, "notebooks/09_x.ipynb")
    assert changes == ["added badges", "updated setup cell"]
    lines = nb.cells[0].source.split("\n")
    assert lines[:3] == ["# 09 · Title", "", nc.badge_line("notebooks/09_x.ipynb")]
    assert nb.cells[1].source == nc.SETUP_CELL and nb.cells[1].execution_count == 1  # outputs kept
    assert sync_notebook(nb, "notebooks/09_x.ipynb") == []  # idempotent


def test_sync_repoints_old_badges_and_inserts_a_missing_setup_cell(tmp_path):
    old = nc.badge_line("notebooks/09_x.ipynb", "https://github.com/old/place")
    nb, _ = make_notebook(tmp_path, [nbformat.v4.new_markdown_cell(f"# T\n\n{old}\n\nText."),
                                     nbformat.v4.new_code_cell("x = 1")])
    changes = sync_notebook(nb, "notebooks/09_x.ipynb")
    assert changes[0] == "updated badges" and changes[1].startswith("inserted setup cell")
    assert nb.cells[0].source == f"# T\n\n{nc.badge_line('notebooks/09_x.ipynb')}\n\nText."
    assert [c.source for c in nb.cells[1:]] == [nc.SETUP_CELL, "x = 1"]


def test_sync_script_check_mode_reports_and_write_mode_fixes(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("tools.sync_notebooks.ROOT", tmp_path)
    _, path = make_notebook(tmp_path, [nbformat.v4.new_markdown_cell("# T"),
                                       nbformat.v4.new_code_cell(nc.SETUP_CELL)])
    before = path.read_text()
    assert sync_main(["--check", str(path)]) == 1
    assert path.read_text() == before  # --check writes nothing
    assert "added badges" in capsys.readouterr().out
    assert sync_main([str(path)]) == 0
    assert sync_main(["--check", str(path)]) == 0
    assert nc.badge_line("notebooks/09_x.ipynb") in path.read_text()


def test_make_sync_repoints_everything_at_a_new_address(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("tools.sync_notebooks.ROOT", tmp_path)
    monkeypatch.setattr(nc, "COURSE_FILE", tmp_path / "course.json")
    monkeypatch.setattr(nc, "REPO_URL", nc.REPO_URL)  # restored after the test
    monkeypatch.setattr(nc, "BRANCH", nc.BRANCH)
    nc.save_address("https://github.com/old/place", "main")
    _, path = make_notebook(tmp_path, [nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell("x = 1")])
    (tmp_path / "README.md").write_text(
        "# Course\n\n" + nc.badge_line(nc.FIRST_CHAPTER) + "\n\n"
        "curl … --user-requirements-txt-url https://raw.githubusercontent.com/old/place/main/requirements.txt\n"
        "jupyter-repo2docker --no-run --image-name r.edu/c:1 \\\n  https://github.com/old/place\n")
    assert sync_main(["--repo-url", "https://github.com/uni/cnn", "--branch", "spring"]) == 0
    assert json.loads((tmp_path / "course.json").read_text()) == {"repo_url": "https://github.com/uni/cnn",
                                                                   "branch": "spring"}
    text = path.read_text() + (tmp_path / "README.md").read_text()
    assert "github/uni/cnn/blob/spring/notebooks/09_x.ipynb" in text
    assert "gh/uni/cnn/spring?urlpath=lab/tree/notebooks/01_from_fc_to_conv.ipynb" in text
    assert "https://raw.githubusercontent.com/uni/cnn/spring/requirements.txt" in text
    assert "--image-name r.edu/c:1 \\\n  https://github.com/uni/cnn\n" in text
    assert 'REPO_URL, BRANCH = \\"https://github.com/uni/cnn\\", \\"spring\\"' in path.read_text()
    assert "old/place" not in text
    assert sync_main(["--check"]) == 0
    with pytest.raises(SystemExit):
        sync_main(["--repo-url", "https://gitlab.com/uni/cnn"])
    assert "repo_url must start with" in capsys.readouterr().err
