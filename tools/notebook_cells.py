"""The one place that holds what every chapter notebook shares.

* ``REPO_URL`` / ``BRANCH``: where the course lives. The Colab and Binder badges and
  the Colab branch of the setup cell are all derived from them. An instructor who
  forks the course changes these two lines and runs ``make sync``.
* ``SETUP_CELL``: the first code cell of every chapter. Locally and on Binder it only
  puts the repository root on ``sys.path``; on Colab it also clones the course (for
  ``utils``), installs what Colab lacks and turns on the widget manager.
* ``badge_line(nb_path)``: the "Open in Colab" / "Binder" badges of one notebook.

``tools/sync_notebooks.py`` writes these into every notebook; ``tests/test_notebook_structure.py``
checks that every notebook carries them verbatim.
"""

from __future__ import annotations

from pathlib import PurePosixPath

REPO_URL = "https://github.com/convlab/convlab"
BRANCH = "main"

#: The first chapter: where the README's Binder badge opens JupyterLab.
FIRST_CHAPTER = "notebooks/01_from_fc_to_conv.ipynb"

#: Pinned exactly like the Makefile's `make venv` (d2l's own pins break modern Python).
D2L_SPEC = "d2l==1.0.3"

_SETUP_TEMPLATE = '''\
# ConvLab setup — the same first cell in every chapter.
import sys
from pathlib import Path

IS_COLAB = "google.colab" in sys.modules
if IS_COLAB:  # Colab lacks the course code and d2l; local installs and Binder have both.
    import importlib.util
    import os
    import subprocess

    REPO_URL = "{repo_url}"
    COURSE = Path("/content/convlab")
    if not (COURSE / "utils" / "__init__.py").is_file():
        subprocess.run(["git", "clone", "--depth", "1", "--branch", "{branch}", REPO_URL, str(COURSE)], check=True)
    missing = ["{d2l}"] + [pkg for pkg in ("mlxtend",) if importlib.util.find_spec(pkg) is None]
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", *missing], check=True)
    from google.colab import output

    output.enable_custom_widget_manager()  # ipywidgets sliders need it on Colab
    os.chdir(COURSE / "notebooks")

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "utils" / "__init__.py").is_file())
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))'''

COLAB_BADGE_IMG = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE_IMG = "https://mybinder.org/badge_logo.svg"


def github_slug(repo_url: str = REPO_URL) -> str:
    """``https://github.com/owner/name`` → ``owner/name`` (Colab and Binder need a GitHub repo)."""
    prefix = "https://github.com/"
    if not repo_url.startswith(prefix):
        raise ValueError(f"repo_url must start with {prefix!r}, got {repo_url!r}")
    slug = repo_url[len(prefix):].strip("/").removesuffix(".git")
    if slug.count("/") != 1 or not all(slug.split("/")):
        raise ValueError(f"repo_url must look like {prefix}owner/name, got {repo_url!r}")
    return slug


def setup_cell(repo_url: str = REPO_URL, branch: str = BRANCH) -> str:
    """The setup cell's source text for a course hosted at ``repo_url``."""
    github_slug(repo_url)  # validates
    return _SETUP_TEMPLATE.format(repo_url=repo_url, branch=branch, d2l=D2L_SPEC)


def colab_url(nb_path: str, repo_url: str = REPO_URL, branch: str = BRANCH) -> str:
    """Colab link for ``nb_path`` (relative to the repository root, e.g. notebooks/02_corr2d.ipynb)."""
    return f"https://colab.research.google.com/github/{github_slug(repo_url)}/blob/{branch}/{_posix(nb_path)}"


def binder_url(nb_path: str = FIRST_CHAPTER, repo_url: str = REPO_URL, branch: str = BRANCH) -> str:
    """mybinder.org link that builds the repository and opens ``nb_path`` in JupyterLab."""
    return f"https://mybinder.org/v2/gh/{github_slug(repo_url)}/{branch}?urlpath=lab/tree/{_posix(nb_path)}"


def colab_badge(nb_path: str, repo_url: str = REPO_URL, branch: str = BRANCH) -> str:
    return f"[![Open In Colab]({COLAB_BADGE_IMG})]({colab_url(nb_path, repo_url, branch)})"


def binder_badge(nb_path: str = FIRST_CHAPTER, repo_url: str = REPO_URL, branch: str = BRANCH) -> str:
    return f"[![Binder]({BINDER_BADGE_IMG})]({binder_url(nb_path, repo_url, branch)})"


def badge_line(nb_path: str, repo_url: str = REPO_URL, branch: str = BRANCH) -> str:
    """The badge line a chapter's first markdown cell carries (Colab, then Binder)."""
    return f"{colab_badge(nb_path, repo_url, branch)} {binder_badge(nb_path, repo_url, branch)}"


def is_badge_line(line: str) -> bool:
    """True for a line that holds the course badges (whatever repository they point at)."""
    return COLAB_BADGE_IMG in line or BINDER_BADGE_IMG in line


def _posix(nb_path: str) -> str:
    return str(PurePosixPath(*PurePosixPath(str(nb_path).replace("\\", "/")).parts))


SETUP_CELL = setup_cell()
