"""tools/notebook_cells.py (the setup cell, badges, repository URL) and tools/sync_notebooks.py."""

from __future__ import annotations

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
    assert nc.colab_url(nb) == (
        "https://colab.research.google.com/github/convlab/convlab/blob/main/notebooks/02_corr2d.ipynb")
    assert nc.binder_url() == (
        "https://mybinder.org/v2/gh/convlab/convlab/main?urlpath=lab/tree/notebooks/01_from_fc_to_conv.ipynb")
    fork = "https://github.com/someone/cnn-course"
    line = nc.badge_line(nb, fork, "spring")
    assert "github/someone/cnn-course/blob/spring/notebooks/02_corr2d.ipynb" in line
    assert "gh/someone/cnn-course/spring?urlpath=lab/tree/notebooks/02_corr2d.ipynb" in line
    assert nc.is_badge_line(line) and not nc.is_badge_line("# 02 · Cross-correlation")
    assert f'REPO_URL = "{fork}"' in nc.setup_cell(fork)
    assert nc.SETUP_CELL.count(nc.REPO_URL) == 1


@pytest.mark.parametrize("bad", ["http://github.com/a/b", "https://gitlab.com/a/b", "https://github.com/a",
                                 "https://github.com/a/b/c", "https://github.com//b"])
def test_repo_url_must_be_a_github_repository(bad):
    with pytest.raises(ValueError, match="repo_url must"):
        nc.setup_cell(bad)


def test_setup_cell_compiles_and_is_what_the_lesson_expects():
    compile(nc.SETUP_CELL, "<setup>", "exec")
    assert nc.SETUP_CELL.startswith("# ConvLab setup — the same first cell in every chapter.\n")
    assert 'IS_COLAB = "google.colab" in sys.modules' in nc.SETUP_CELL


def run_setup(monkeypatch, tmp_path, colab: bool):
    """Execute the setup cell from tmp_path/notebooks with subprocess and chdir recorded."""
    (tmp_path / "utils").mkdir()
    (tmp_path / "utils" / "__init__.py").write_text("")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    calls, chdirs, managers = [], [], []
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append((cmd, kw)))
    monkeypatch.setattr(os, "chdir", chdirs.append)
    monkeypatch.setattr(sys, "path", list(sys.path))
    if colab:
        output = types.SimpleNamespace(enable_custom_widget_manager=lambda: managers.append(True))
        colab_mod = types.ModuleType("google.colab")
        colab_mod.output = output
        monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
        monkeypatch.setitem(sys.modules, "google.colab", colab_mod)
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    scope: dict = {}
    exec(compile(nc.SETUP_CELL, "<setup>", "exec"), scope)
    return scope, calls, chdirs, managers


def test_setup_cell_locally_only_finds_utils(monkeypatch, tmp_path):
    scope, calls, chdirs, managers = run_setup(monkeypatch, tmp_path, colab=False)
    assert scope["IS_COLAB"] is False
    assert scope["ROOT"] == tmp_path
    assert sys.path[0] == str(tmp_path)
    assert calls == [] and chdirs == [] and managers == []  # nothing installed, nothing printed


def test_setup_cell_on_colab_installs_what_colab_lacks(monkeypatch, tmp_path):
    scope, calls, chdirs, managers = run_setup(monkeypatch, tmp_path, colab=True)
    assert scope["IS_COLAB"] is True
    clone, pip = calls[0][0], calls[1][0]
    assert clone[:2] == ["git", "clone"] and nc.REPO_URL in clone and "/content/convlab" in clone
    assert pip[:6] == [sys.executable, "-m", "pip", "install", "-q", "--no-deps"]
    assert nc.D2L_SPEC in pip
    assert all(kw.get("check") for _cmd, kw in calls), "a failed install must stop the cell"
    assert managers == [True], "the custom widget manager must be enabled"
    assert chdirs == [Path("/content/convlab/notebooks")]


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
