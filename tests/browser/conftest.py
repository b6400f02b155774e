"""Fixtures for the real-browser suite (see browser_support.py for the server it starts)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser_support import _TIMINGS, CHROMIUM, CHROMIUM_ARGS, IN_CI


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    if _TIMINGS:
        terminalreporter.section("browser timings (also in artifacts/browser/timings.txt)")
        for line in _TIMINGS:
            terminalreporter.write_line(line)


# ---------------------------------------------------------------- browser
def _no_browser(reason: str) -> None:
    message = (f"real-browser suite: {reason}. Install Debian's Chromium (`apt-get install chromium`) "
               "or set CONVLAB_CHROMIUM=/path/to/chromium; never `playwright install`.")
    if IN_CI:
        pytest.fail(f"{message} In CI (CI=true) this suite must run, so this is a failure.", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        _no_browser(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is in requirements.txt
        _no_browser(f"Python playwright is not importable ({exc})")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


