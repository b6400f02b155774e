"""Helpers for the real-browser suite: a JupyterLab server per test, one headless Chromium.

The server runs from this venv on 127.0.0.1 with token auth on, on a free port, with its
root in a temporary folder that holds output-free COPIES of the chapter notebooks (under
notebooks/) next to a symlink to the repository's utils/ (and data/), so each notebook's
setup cell finds ``utils`` exactly as it does in the repository. Jupyter's config, data,
runtime, settings and workspace folders are temporary too, so nothing on this machine
leaks in and nothing is left behind.

Chromium is Debian's (``/usr/bin/chromium``, or $CONVLAB_CHROMIUM) driven by Python
playwright; ``playwright install`` (which downloads a browser) is never used. Without a
browser the suite skips locally with a message saying how to get one; in CI (CI=true) it fails.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "browser"
CHROMIUM = os.environ.get("CONVLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() == "true"

# JupyterLab settings for the test server: every cell stays in the DOM (no virtual
# scrolling, so every widget can be found), and no news / update checks reach the network.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False,
    },
}


# ---------------------------------------------------------------- timings report
_TIMINGS: list[str] = []


def record_timing(line: str) -> None:
    """Keep one line for the terminal summary and artifacts/browser/timings.txt (rewritten each run)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    mode = "a" if _TIMINGS else "w"
    _TIMINGS.append(line)
    with open(ARTIFACTS / "timings.txt", mode, encoding="utf-8") as fh:
        fh.write(line + "\n")


# ---------------------------------------------------------------- JupyterLab server
@dataclass
class LabServer:
    root: Path
    port: int
    token: str
    proc: subprocess.Popen
    log: Path
    notebooks: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, method: str, path: str, timeout: float = 10) -> object:
        req = urllib.request.Request(f"{self.base}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def url(self, nb_name: str) -> str:
        return f"{self.base}/lab/tree/notebooks/{nb_name}?reset&token={self.token}"

    def shutdown(self) -> list[str]:
        """Shut every kernel down, then the server; return the kernels that were still running."""
        left: list[str] = []
        try:
            for kernel in self.api("GET", "/api/kernels"):
                self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=30)
            left = [k["id"] for k in self.api("GET", "/api/kernels")]
            self.api("POST", "/api/shutdown")
        except (urllib.error.URLError, OSError, ValueError):
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return left


def _die_with_parent() -> None:
    """In the server's process: get SIGTERM if pytest dies (killed, Ctrl+C twice), so no
    JupyterLab or kernel outlives the test run. Linux only; elsewhere a no-op."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def output_free_copy(src: Path, dest: Path) -> None:
    """Copy a notebook without outputs or execution counts, so Run All must make them all."""
    nb = nbformat.read(src, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(nb, dest)


def start_lab(tmp: Path, notebooks: list[Path], timeout: float = 90) -> LabServer:
    root = tmp / "root"
    (root / "notebooks").mkdir(parents=True)
    for name in ("utils", "data"):
        if (REPO / name).exists():
            (root / name).symlink_to(REPO / name, target_is_directory=True)
    for nb in notebooks:
        output_free_copy(nb, root / "notebooks" / nb.name)
    settings = tmp / "lab-settings"
    for rel, value in LAB_SETTINGS.items():
        path = settings / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")
    env = dict(os.environ)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
        env[var] = str(tmp / sub)
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    env.pop("JUPYTER_PATH", None)
    port, token = _free_port(), secrets.token_hex(24)
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
        "--LabApp.news_url=", "--LabApp.extension_manager=readonly",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.getuid() == 0:
        cmd.append("--allow-root")
    log = tmp / "jupyterlab.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_parent)
    server = LabServer(root=root, port=port, token=token, proc=proc, log=log,
                       notebooks=[nb.name for nb in notebooks])
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            server.api("GET", "/api/status", timeout=2)
            return server
        except (urllib.error.URLError, OSError, ValueError) as exc:
            if time.monotonic() > deadline:
                server.shutdown()
                raise RuntimeError(f"JupyterLab did not answer in {timeout} s:\n{log.read_text()[-3000:]}") from exc
            time.sleep(0.25)
