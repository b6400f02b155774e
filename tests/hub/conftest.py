"""Fixtures for the JupyterHub end-to-end test (see hub_support.py for the hub it starts).

The hub test reuses the real-browser suite's Chromium settings and page helpers
(tests/browser), so both drive JupyterLab the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from browser_support import launched_chromium, write_timings  # noqa: E402
from hub_support import TIMINGS, missing_requirements  # noqa: E402


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    write_timings(terminalreporter, "hub test timings (also in artifacts/hub/timings.txt)", TIMINGS)


@pytest.fixture(scope="session")
def hub_browser():
    """Debian's Chromium through Python playwright, once the hub's own requirements are there."""
    with launched_chromium("JupyterHub end-to-end test", missing_requirements()) as chromium:
        yield chromium
