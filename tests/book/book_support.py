"""What the book's fixtures and tests share: where artifacts go, and the timings report."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "book"
TIMINGS: list[str] = []


def record_timing(line: str) -> None:
    """Keep one line for the terminal summary and artifacts/book/timings.txt (rewritten each run)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(ARTIFACTS / "timings.txt", "a" if TIMINGS else "w", encoding="utf-8") as fh:
        fh.write(line + "\n")
    TIMINGS.append(line)
