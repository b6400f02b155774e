"""Fixtures for the JupyterHub end-to-end test (see hub_support.py for the hub it starts).

The hub test reuses the real-browser suite's Chromium settings and page helpers
(tests/browser), so both drive JupyterLab the same way.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from browser_support import CHROMIUM, CHROMIUM_ARGS, IN_CI  # noqa: E402
from hub_support import TIMINGS, missing_requirements  # noqa: E402


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    if TIMINGS:
        terminalreporter.section("hub test timings (also in artifacts/hub/timings.txt)")
        for line in TIMINGS:
            terminalreporter.write_line(line)


def _cannot_run(reason: str) -> None:
    message = f"JupyterHub end-to-end test: {reason}"
    if IN_CI:
        pytest.fail(f"{message}. In CI (CI=true) this test must run, so this is a failure.", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def hub_browser():
    """Debian's Chromium through Python playwright (never `playwright install`)."""
    missing = missing_requirements()
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium, or set CONVLAB_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing.append("Python playwright (pip install playwright; never `playwright install`)")
    if missing:
        _cannot_run("missing " + "; ".join(missing))
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
