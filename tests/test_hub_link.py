"""tools/hub_link.py: the nbgitpuller link an instructor hands to a class on JupyterHub.

The end-to-end check that a real hub with nbgitpuller follows these links is tests/hub/.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tools import hub_link
from tools.notebook_cells import BRANCH, FIRST_CHAPTER, REPO_URL

ROOT = Path(__file__).resolve().parents[1]
HUB = "https://hub.example.edu"


def _parts(link: str) -> tuple[str, str, dict[str, str]]:
    parts = urlsplit(link)
    query = parse_qs(parts.query, strict_parsing=True)
    assert all(len(v) == 1 for v in query.values()), query
    return f"{parts.scheme}://{parts.netloc}", parts.path, {k: v[0] for k, v in query.items()}


def test_default_link_clones_the_course_and_opens_chapter_01_in_jupyterlab():
    base, path, query = _parts(hub_link.nbgitpuller_link(HUB))
    folder = REPO_URL.rstrip("/").rsplit("/", 1)[-1]
    assert (base, path) == (HUB, "/hub/user-redirect/git-pull")
    assert query == {"repo": REPO_URL, "branch": BRANCH, "targetpath": folder,
                     "urlpath": f"lab/tree/{folder}/{FIRST_CHAPTER}"}
    assert FIRST_CHAPTER == "notebooks/01_from_fc_to_conv.ipynb"


@pytest.mark.parametrize("nb", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("[0-9]*.ipynb")))
def test_every_chapter_has_a_link(nb):
    _, _, query = _parts(hub_link.nbgitpuller_link(HUB, nb))
    assert query["urlpath"].endswith("/" + nb)


def test_link_follows_the_repository_address_it_is_given():
    _, _, query = _parts(hub_link.nbgitpuller_link(HUB, "notebooks/05_pooling.ipynb",
                                                   repo_url="https://github.com/someone/cnn-course.git",
                                                   branch="spring-2027"))
    assert query == {"repo": "https://github.com/someone/cnn-course.git", "branch": "spring-2027",
                     "targetpath": "cnn-course", "urlpath": "lab/tree/cnn-course/notebooks/05_pooling.ipynb"}


def test_hub_under_a_prefix_and_trailing_slash():
    link = hub_link.nbgitpuller_link("https://example.edu/jupyter/", "notebooks/05_pooling.ipynb")
    assert link.startswith("https://example.edu/jupyter/hub/user-redirect/git-pull?")
    link = hub_link.nbgitpuller_link("http://127.0.0.1:8000/")
    assert link.startswith("http://127.0.0.1:8000/hub/user-redirect/git-pull?")


def test_every_value_survives_the_round_trip(tmp_path):
    """Reserved characters in the address and the notebook's name are encoded, not mangled."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "my notes & more.ipynb").write_text("{}")
    repo = "file:///srv/courses/a b/cnn?x=1&y=2"
    link = hub_link.nbgitpuller_link(HUB, "notes/my notes & more.ipynb", repo_url=repo, branch="main", root=tmp_path)
    assert " " not in link and link.count("?") == 1
    _, _, query = _parts(link)
    assert query["repo"] == repo
    assert query["targetpath"] == "cnn?x=1&y=2"
    # urlpath is a URL path of its own, so the notebook's name is percent-encoded inside it.
    assert query["urlpath"] == "lab/tree/cnn%3Fx%3D1%26y%3D2/notes/my%20notes%20%26%20more.ipynb"
    assert unquote(query["urlpath"]) == "lab/tree/cnn?x=1&y=2/notes/my notes & more.ipynb"


@pytest.mark.parametrize("hub", [
    "hub.example.edu", "ftp://hub.example.edu", "https://", "https:///path", "",
    "https://hub.example.edu/?next=/lab", "https://hub.example.edu/#top",
    "https://hub.example.edu/hub/login", "https://hub.example.edu/user/alice/lab",
])
def test_bad_hub_address_is_refused_clearly(hub):
    with pytest.raises(ValueError, match="hub must be the hub's"):
        hub_link.nbgitpuller_link(hub)


def test_hub_must_be_a_string():
    with pytest.raises(TypeError, match="hub must be a str"):
        hub_link.nbgitpuller_link(None)


@pytest.mark.parametrize("nb", ["notebooks/99_missing.ipynb", "README.md", "notebooks", "../outside.ipynb",
                                "/etc/passwd"])
def test_missing_or_foreign_notebook_is_refused_clearly(nb):
    with pytest.raises(ValueError, match="nb must be a notebook"):
        hub_link.nbgitpuller_link(HUB, nb)


def test_notebook_must_be_a_path():
    with pytest.raises(TypeError, match="nb must be a path"):
        hub_link.nbgitpuller_link(HUB, 5)


@pytest.mark.parametrize(("repo_url", "branch", "match"), [
    ("", "main", "repo_url must be"), ("https://github.com/", "main", "repo_url must end"),
    ("https://github.com/a/.git", "main", "repo_url must end"), (REPO_URL, "", "branch must be"),
])
def test_bad_repository_address_is_refused(repo_url, branch, match):
    with pytest.raises(ValueError, match=match):
        hub_link.nbgitpuller_link(HUB, repo_url=repo_url, branch=branch)


def test_command_line_prints_only_the_link(capsys):
    assert hub_link.main(["--hub", HUB, "--nb", "notebooks/05_pooling.ipynb"]) == 0
    out = capsys.readouterr().out
    assert out == hub_link.nbgitpuller_link(HUB, "notebooks/05_pooling.ipynb") + "\n"


def test_command_line_error_names_the_problem(capsys):
    with pytest.raises(SystemExit) as exc:
        hub_link.main(["--hub", "hub.example.edu"])
    assert exc.value.code == 2
    assert "hub must be the hub's address" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        hub_link.main(["--hub", HUB, "--nb", "notebooks/05_pool.ipynb"])
    assert "no notebook 'notebooks/05_pool.ipynb'" in capsys.readouterr().err


def test_runs_as_a_script_from_anywhere(tmp_path):
    """`make hub-link` runs the file directly; it must find the course from any working directory."""
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "hub_link.py"), "--hub", HUB],
                          cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout == hub_link.nbgitpuller_link(HUB) + "\n"
