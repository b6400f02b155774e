"""Fixtures for the real-browser suite (see browser_support.py for the server it starts)."""

from __future__ import annotations

import pytest
from browser_support import _TIMINGS, launched_chromium, write_timings


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    write_timings(terminalreporter, "browser timings (also in artifacts/browser/timings.txt)", _TIMINGS)


# ---------------------------------------------------------------- browser
@pytest.fixture(scope="session")
def browser():
    with launched_chromium("real-browser suite") as chromium:
        yield chromium


