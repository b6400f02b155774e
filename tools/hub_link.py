"""Print the nbgitpuller link that puts the course into each student's home on a JupyterHub.

    python tools/hub_link.py --hub https://hub.example.edu
    python tools/hub_link.py --hub https://hub.example.edu --nb notebooks/05_pooling.ipynb
    make hub-link HUB=https://hub.example.edu [NB=notebooks/05_pooling.ipynb]

A student who clicks the link logs in to the hub; nbgitpuller (installed in the hub's image)
then clones the course (``REPO_URL`` at ``BRANCH``, from course.json) into ``~/<repo name>/``
and opens the chapter in JupyterLab. Every later click merges the instructor's new commits and
keeps the student's own edits. The link is nbgitpuller's documented format
(https://nbgitpuller.readthedocs.io/en/latest/link.html)::

    <hub>/hub/user-redirect/git-pull?repo=…&branch=…&targetpath=…&urlpath=lab/tree/…

``user-redirect`` sends each student to their own server, so one link serves the whole class.
Only the standard library is needed: an instructor can run this without the course's venv.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `tools` importable
    sys.path.insert(0, str(ROOT))
from tools.notebook_cells import BRANCH, FIRST_CHAPTER, REPO_URL  # noqa: E402


def check_hub(hub: str) -> str:
    """The hub's base address (``https://hub.example.edu`` or ``https://example.edu/prefix``), no trailing ``/``."""
    if not isinstance(hub, str):
        raise TypeError(f"hub must be a str, got {type(hub).__name__}")
    parts = urlsplit(hub.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"hub must be the hub's address, like https://hub.example.edu, got {hub!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"hub must be the hub's address without '?' or '#' parts, got {hub!r}")
    segments = [s for s in parts.path.split("/") if s]
    if "hub" in segments or "user" in segments:
        raise ValueError("hub must be the hub's base address (what comes before /hub/ or /user/ in the "
                         f"browser's address bar), like https://hub.example.edu, got {hub!r}")
    return f"{parts.scheme}://{parts.netloc}" + "".join(f"/{s}" for s in segments)


def repo_folder(repo_url: str) -> str:
    """The folder nbgitpuller clones ``repo_url`` into: the last part of its path, without ``.git``."""
    if not isinstance(repo_url, str) or not repo_url.strip("/"):
        raise ValueError(f"repo_url must be a git repository's address, got {repo_url!r}")
    parts = urlsplit(repo_url)
    path = parts.path if parts.scheme and parts.netloc else repo_url  # a URL, or a local path
    name = path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    if not name or name in (".", ".."):
        raise ValueError(f"repo_url must end in the repository's name, got {repo_url!r}")
    return name


def notebook_path(nb: str | os.PathLike[str], root: Path = ROOT) -> str:
    """``nb`` as a POSIX path relative to the repository root; it must be a notebook that exists there."""
    if not isinstance(nb, (str, os.PathLike)):
        raise TypeError(f"nb must be a path to a notebook, got {type(nb).__name__}")
    root = Path(root).resolve()
    path = (root / nb).resolve()
    try:
        rel = path.relative_to(root)
    except ValueError:
        raise ValueError(f"nb must be a notebook inside the course ({root}), got {os.fspath(nb)!r}") from None
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"nb must be a notebook of the course, like {FIRST_CHAPTER}; "
                         f"there is no notebook {rel.as_posix()!r} in {root}")
    return PurePosixPath(*rel.parts).as_posix()


def nbgitpuller_link(hub: str, nb: str | os.PathLike[str] = FIRST_CHAPTER, *, repo_url: str = REPO_URL,
                     branch: str = BRANCH, root: Path = ROOT) -> str:
    """The nbgitpuller link that clones ``repo_url`` at ``branch`` and opens ``nb`` in JupyterLab."""
    if not isinstance(branch, str) or not branch.strip():
        raise ValueError(f"branch must be a git branch name, got {branch!r}")
    folder = repo_folder(repo_url)
    query = urlencode({
        "repo": repo_url,
        "branch": branch,
        "targetpath": folder,
        # urlpath is itself a URL path (nbgitpuller appends it to the user's server address).
        "urlpath": "lab/tree/" + quote(f"{folder}/{notebook_path(nb, root)}"),
    })
    return f"{check_hub(hub)}/hub/user-redirect/git-pull?{query}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.example.edu")
    parser.add_argument("--nb", default=FIRST_CHAPTER,
                        help=f"the chapter the link opens, relative to the repository root (default {FIRST_CHAPTER})")
    args = parser.parse_args(argv)
    try:
        link = nbgitpuller_link(args.hub, args.nb)
    except (TypeError, ValueError) as exc:
        parser.error(str(exc))
    print(link)
    return 0


if __name__ == "__main__":
    sys.exit(main())
