"""The library stacks the course is tested on, their lock files, and the compatibility run.

    python tools/stacks.py lock [STACK ...]   # resolve each stack afresh into locks/<stack>.txt
    python tools/stacks.py test [STACK ...]   # throwaway venv per stack: unit tests + strict nbval

Stacks (the Python each one needs must be installed: pyenv's interpreters are found too):

* ``main``    – Python 3.11 with the newest releases requirements*.txt admit: what `make test` and CI use.
* ``colab``   – Python 3.12 with Colab's preinstalled packages (locks/colab.in) and the rest resolved.
* ``colab313`` – Python 3.13, Colab's newer runtime (locks/colab313.in: torch 2.11).
* ``minimum`` – Python 3.10 (``requires-python``'s floor) with every lower bound of requirements.txt
  and of the test tools pinned exactly, so the bounds we declare are versions that something tests.

A lock file is ``pip freeze`` of a fresh venv; its first line names the Python it was made with.
Every install, locked or not, adds d2l with ``--no-deps`` (its own pins break modern Python).
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ROOT / "locks"
D2L = "d2l==1.0.3"
#: The test tools a compatibility stack needs (no lint, browser or hub there).
TEST_TOOLS = ("pytest", "pytest-xdist", "nbval", "hypothesis", "pyyaml")
#: What the compatibility run executes in each stack: the tests that need no browser or hub, and
#: strict nbval of every chapter of both editions.
UNIT_ARGS = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "auto", "tests",
             "-m", "not browser and not hub and not book"]


@dataclass(frozen=True)
class Stack:
    name: str
    python: str  # "3.12"
    dev: bool    # install every dev tool (main) or only TEST_TOOLS (compatibility stacks)
    about: str

    @property
    def lock(self) -> Path:
        return LOCKS / f"{self.name}.txt"


STACKS = {
    "main": Stack("main", "3.11", True, "Python 3.11, newest releases: make test and CI"),
    "colab": Stack("colab", "3.12", False, "Python 3.12, Colab's preinstalled versions"),
    "colab313": Stack("colab313", "3.13", False, "Python 3.13, Colab's newer runtime"),
    "minimum": Stack("minimum", "3.10", False, "Python 3.10, every declared lower bound"),
}
COMPAT = ("colab", "colab313", "minimum")


def requirements(path: Path) -> dict[str, str]:
    """{name: specifier} of a requirements file (comments and blank lines skipped)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", line)
            if not m:
                raise ValueError(f"{path.name}: cannot parse requirement {line!r}")
            out[m.group(1).lower().replace("_", "-")] = m.group(2).replace(" ", "")
    return out


def lower_bounds() -> list[str]:
    """Every runtime and test-tool lower bound as an exact pin (``torch>=2.9`` → ``torch==2.9``)."""
    pins = []
    dev = requirements(ROOT / "requirements-dev.txt")
    for name, spec in [*requirements(ROOT / "requirements.txt").items(),
                       *((n, dev[n]) for n in TEST_TOOLS)]:
        if not spec.startswith(">="):
            raise ValueError(f"{name} needs a >= lower bound to be tested, got {spec!r}")
        pins.append(f"{name}=={spec[2:]}")
    return pins


def find_python(version: str) -> str:
    """An interpreter for ``version`` ("3.12"): one of pyenv's, else a working ``python3.12`` on PATH."""
    try:
        pyenv_root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pyenv_root = os.path.expanduser("~/.pyenv")
    candidates = sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"))
    on_path = shutil.which(f"python{version}")
    if on_path and subprocess.run([on_path, "-c", "pass"], capture_output=True).returncode == 0:
        candidates.append(on_path)  # (a pyenv shim for a version that is not active fails this)
    if not candidates:
        raise SystemExit(f"no Python {version} found: install it (e.g. `pyenv install {version}`) or put "
                         f"python{version} on PATH")
    return candidates[0]


def lock_python(lock: Path) -> str | None:
    """The Python version a lock file was made with (its first line: ``# python 3.11 …``)."""
    m = re.match(r"# python (\d+\.\d+)", lock.read_text(encoding="utf-8").split("\n", 1)[0])
    return m.group(1) if m else None


def _run(cmd: list[str], **kw) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)


def _venv(stack: Stack, where: Path) -> Path:
    _run([find_python(stack.python), "-m", "venv", str(where)])
    py = where / "bin" / "python"
    _run([str(py), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    return py


def _install(py: Path, stack: Stack, constraints: list[str]) -> None:
    reqs = ["-r", str(ROOT / "requirements.txt")]
    if stack.dev:
        reqs += ["-r", str(ROOT / "requirements-dev.txt")]
    else:
        dev = requirements(ROOT / "requirements-dev.txt")
        reqs += [f"{n}{dev[n]}" for n in TEST_TOOLS]
    _run([str(py), "-m", "pip", "install", "-q", *reqs, *constraints])
    _run([str(py), "-m", "pip", "install", "-q", "--no-deps", D2L])


def make_lock(stack: Stack) -> None:
    """Resolve ``stack`` afresh in a throwaway venv and write locks/<stack>.txt."""
    with tempfile.TemporaryDirectory(prefix=f"convlab-lock-{stack.name}-") as tmp:
        py = _venv(stack, Path(tmp) / "venv")
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as seed:
            if stack.name == "minimum":
                seed.write("\n".join(lower_bounds()) + "\n")
            elif (LOCKS / f"{stack.name}.in").is_file():
                seed.write((LOCKS / f"{stack.name}.in").read_text(encoding="utf-8"))
            seed.flush()
            _install(py, stack, ["-c", seed.name])
        frozen = subprocess.run([str(py), "-m", "pip", "freeze", "--all", "--exclude", "pip"],
                                capture_output=True, text=True, check=True).stdout
        exact = subprocess.run([str(py), "-c", "import platform; print(platform.python_version(), "
                                "platform.system(), platform.machine())"],
                               capture_output=True, text=True, check=True).stdout.split()
    pins = sorted((line for line in frozen.splitlines() if "==" in line), key=str.lower)
    header = (f"# python {stack.python} ({' '.join(exact)}): {stack.about}.\n"
              f"# Made by `make lock` (tools/stacks.py); do not edit by hand.\n")
    stack.lock.write_text(header + "\n".join(pins) + "\n", encoding="utf-8")
    print(f"{stack.lock.relative_to(ROOT)}: {len(pins)} packages")


def test_stack(stack: Stack, keep: bool = False) -> float:
    """Build a throwaway venv from the stack's lock and run the unit tests and strict nbval in it."""
    if lock_python(stack.lock) != stack.python:
        raise SystemExit(f"{stack.lock.name} was not made with Python {stack.python}: run `make lock`")
    start = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix=f"convlab-{stack.name}-"))
    try:
        py = _venv(stack, tmp / "venv")
        _install(py, stack, ["-c", str(stack.lock)])
        env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("PYTHONPATH", None)
        _run([str(py), *UNIT_ARGS], cwd=ROOT, env=env)
        notebooks = [str(p.relative_to(ROOT)) for p in chapters()]
        _run([str(py), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", *notebooks], cwd=ROOT, env=env)
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return time.monotonic() - start


def chapters() -> list[Path]:
    sys.path.insert(0, str(ROOT))
    from tools.sync_notebooks import chapters as all_chapters

    return all_chapters()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=("lock", "test"))
    parser.add_argument("stacks", nargs="*", help=f"default: lock all, test {' '.join(COMPAT)}")
    parser.add_argument("--keep", action="store_true", help="keep the test venvs (their paths are printed)")
    args = parser.parse_args(argv)
    names = args.stacks or (list(STACKS) if args.action == "lock" else list(COMPAT))
    unknown = [n for n in names if n not in STACKS]
    if unknown:
        parser.error(f"unknown stack(s) {unknown}; known: {sorted(STACKS)}")
    if args.action == "lock":
        for name in names:
            make_lock(STACKS[name])
        return 0
    times = {}
    for name in names:
        times[name] = test_stack(STACKS[name], keep=args.keep)
        print(f"stack {name}: passed in {times[name]:.0f} s", flush=True)
    print("compatibility run: " + ", ".join(f"{n} {t:.0f} s" for n, t in times.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
