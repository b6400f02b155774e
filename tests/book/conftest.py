"""Fixtures for the offline book's test: the built book and a headless Chromium.

The book is built into a temporary folder by ``tools/book.py`` (it executes every chapter: minutes),
unless ``CONVLAB_BOOK`` names a book already built, e.g. ``make book`` then
``CONVLAB_BOOK=_build/book pytest tests/book``. Chromium is the real-browser suite's (Debian's
``/usr/bin/chromium`` or $CONVLAB_CHROMIUM, driven by Python playwright; never ``playwright install``).
Without Chromium or node_modules (``npm ci``) the test skips locally; in CI (CI=true) it fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from book_support import REPO, TIMINGS, record_timing  # noqa: E402
from browser_support import cannot_run, launched_chromium, write_timings  # noqa: E402

BUILD_TIMEOUT_S = 3600


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    write_timings(terminalreporter, "book timings (also in artifacts/book/timings.txt)", TIMINGS)


@pytest.fixture(scope="session")
def book_dir(tmp_path_factory) -> Path:
    """The built book: $CONVLAB_BOOK, or a fresh build in a temporary folder."""
    given = os.environ.get("CONVLAB_BOOK")
    if given:
        path = Path(given).resolve()
        if not (path / "index.html").is_file():
            pytest.fail(f"CONVLAB_BOOK={given}: no built book there (no index.html); run `make book` first",
                        pytrace=False)
        return path
    if not (REPO / "node_modules" / "@jupyter-widgets" / "html-manager" / "dist" / "embed.js").is_file():
        cannot_run("offline book test",
                   "node_modules lacks the book's assets; run `npm ci` (package-lock.json pins them)")
    out = tmp_path_factory.mktemp("book")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(REPO / "tools" / "book.py"), "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    if proc.returncode != 0:
        pytest.fail(f"tools/book.py failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}",
                    pytrace=False)
    record_timing(f"book built in {time.perf_counter() - start:.0f} s")
    return out


@pytest.fixture(scope="session")
def browser():
    with launched_chromium("offline book test") as chromium:
        yield chromium
