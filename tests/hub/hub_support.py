"""A real JupyterHub for the end-to-end class test, started from this venv on 127.0.0.1.

* JupyterHub from PyPI (this venv's ``jupyterhub``) with ``configurable-http-proxy`` from the npm
  registry (``npm ci`` puts it in node_modules/, pinned by the committed package-lock.json).
* The dummy authenticator (any password) for the students the test names, and
  ``SimpleLocalProcessSpawner``: each student's single-user server is this venv's
  ``jupyterhub-singleuser``, running in its own home folder under the test's temporary folder.
* A service token (admin of servers, access to them) lets the test read and stop kernels and
  servers the way an administrator would.
* Every process the hub starts (proxy, servers, kernels) carries a marker in its environment,
  so :func:`marked_processes` finds each one, and the test proves none outlives it. The hub gets
  SIGTERM if pytest dies, and then stops the servers and the proxy itself.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sysconfig
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from browser_support import LAB_SETTINGS, _die_with_parent, _free_port, wait_until_answering

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "hub"
VENV_BIN = Path(sysconfig.get_path("scripts"))
PROXY = REPO / "node_modules" / ".bin" / "configurable-http-proxy"
MARKER_VAR = "CONVLAB_HUB_TEST"
SERVICE = "convlab-hub-test"

_CONFIG = """\
# Written by tests/hub/hub_support.py for one test run.
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.db_url = {db_url!r}
c.JupyterHub.cookie_secret_file = {cookie!r}
c.JupyterHub.pid_file = {pid_file!r}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"

c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = {users!r}

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {home_template!r}
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = {args!r}
c.Spawner.default_url = "/lab"
c.Spawner.environment = {environment!r}
c.Spawner.start_timeout = 240
c.Spawner.http_timeout = 240

c.JupyterHub.services = [{{"name": {service!r}, "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{
    "name": {service!r},
    "scopes": ["admin:servers", "access:servers", "read:users"],
    "services": [{service!r}],
}}]
"""


TIMINGS: list[str] = []


def record_timings(lines: list[str]) -> None:
    """Keep the lines for the terminal summary and artifacts/hub/timings.txt."""
    TIMINGS[:] = lines
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "timings.txt").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


@dataclass
class Hub:
    tmp: Path
    port: int
    token: str
    marker: str
    proc: subprocess.Popen
    log: Path
    users: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def home(self, user: str) -> Path:
        return self.tmp / "homes" / user

    def api(self, method: str, path: str, timeout: float = 30) -> object:
        """Call the hub's REST API (``/hub/api/...``) or a user's server (``/user/<name>/api/...``)."""
        req = urllib.request.Request(f"{self.url}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def kernels(self, user: str) -> list[dict]:
        return self.api("GET", f"/user/{user}/api/kernels")

    def server_running(self, user: str) -> bool:
        return bool(self.api("GET", f"/hub/api/users/{user}").get("servers"))

    def stop(self) -> list[str]:
        """Stop every kernel, every server and the hub (which stops the proxy).

        Returns a line per process that outlived all of this and had to be killed.
        """
        def stop_server(user: str) -> None:
            try:
                if not self.server_running(user):
                    return
                for kernel in self.kernels(user):
                    self.api("DELETE", f"/user/{user}/api/kernels/{kernel['id']}")
                self.api("DELETE", f"/hub/api/users/{user}/server", timeout=60)
                deadline = time.monotonic() + 60
                while self.server_running(user) and time.monotonic() < deadline:
                    time.sleep(0.25)
            except (urllib.error.URLError, OSError, ValueError):
                pass  # whatever is left is stopped with the hub, or killed below

        # Each server takes seconds to stop (SIGINT, then its own shutdown): stop them all at once.
        with ThreadPoolExecutor(max_workers=max(1, len(self.users))) as pool:
            list(pool.map(stop_server, self.users))
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the hub stops its proxy and any server left
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return kill_leftovers(self.marker)


def marked_processes(marker: str) -> list[psutil.Process]:
    """Every running process whose environment carries this run's marker (what ``ps e`` shows)."""
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if proc.environ().get(MARKER_VAR) == marker and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess, OSError):
            continue
    return found


def describe(proc: psutil.Process) -> str:
    try:
        return f"pid {proc.pid}: {' '.join(proc.cmdline())[:200]}"
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return f"pid {proc.pid}: (gone)"


def kill_leftovers(marker: str, grace: float = 15) -> list[str]:
    """Wait ``grace`` seconds for marked processes to exit; kill and describe any that do not."""
    deadline = time.monotonic() + grace
    while (left := marked_processes(marker)) and time.monotonic() < deadline:
        time.sleep(0.25)
    lines = [describe(p) for p in left]
    for proc in left:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(left, timeout=10)
    return lines


def start_hub(tmp: Path, users: list[str], timeout: float = 120) -> Hub:
    """Start the hub (and through it the proxy); return once its API answers through the proxy."""
    marker, token = secrets.token_hex(8), secrets.token_hex(32)
    port, hub_port, api_port = _free_port(), _free_port(), _free_port()
    settings = tmp / "lab-settings"
    for rel, value in LAB_SETTINGS.items():
        path = settings / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")
    (tmp / "homes").mkdir(parents=True, exist_ok=True)
    # The single-user server: offline JupyterLab (no news, no update checks), settings that
    # keep every cell in the page; root (containers, CI) must say so explicitly.
    args = [f"--LabApp.user_settings_dir={settings}", "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly"]
    if os.getuid() == 0:
        args.append("--ServerApp.allow_root=True")
    environment = {
        MARKER_VAR: marker,
        # JupyterHub passes almost nothing of its own environment on: git for nbgitpuller, and
        # this venv first, so kernels are the project's Python.
        "PATH": os.pathsep.join([str(VENV_BIN), "/usr/local/bin", "/usr/bin", "/bin"]),
        "LANG": "C.UTF-8",
    }
    config = tmp / "jupyterhub_config.py"
    config.write_text(_CONFIG.format(
        port=port, hub_port=hub_port, api_port=api_port, db_url=f"sqlite:///{tmp / 'jupyterhub.sqlite'}",
        cookie=str(tmp / "jupyterhub_cookie_secret"), pid_file=str(tmp / "jupyterhub.pid"),
        proxy=str(PROXY), users=set(users), home_template=str(tmp / "homes" / "{username}"),
        singleuser=str(VENV_BIN / "jupyterhub-singleuser"), args=args, environment=environment,
        service=SERVICE, token=token), encoding="utf-8")
    env = dict(os.environ, **{MARKER_VAR: marker})
    env["PATH"] = os.pathsep.join([str(VENV_BIN), env.get("PATH", "/usr/bin:/bin")])
    log = tmp / "jupyterhub.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([str(VENV_BIN / "jupyterhub"), "-f", str(config)], cwd=tmp, env=env,
                                stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, preexec_fn=_die_with_parent)
    hub = Hub(tmp=tmp, port=port, token=token, marker=marker, proc=proc, log=log, users=list(users))
    wait_until_answering("JupyterHub", proc, log, lambda: hub.api("GET", "/hub/api/", timeout=2),
                         stop=hub.stop, timeout=timeout)
    return hub


def missing_requirements() -> list[str]:
    """What this machine lacks to run the hub test, each with how to get it (empty: all there)."""
    missing = []
    for exe in ("jupyterhub", "jupyterhub-singleuser"):
        if not (VENV_BIN / exe).is_file():
            missing.append(f"{VENV_BIN / exe} (pip install jupyterhub)")
    try:
        import nbgitpuller  # noqa: F401
    except ImportError:
        missing.append("nbgitpuller (pip install nbgitpuller)")
    if not shutil.which("node"):
        missing.append("node (apt-get install nodejs npm)")
    if not PROXY.is_file():
        missing.append(f"{PROXY.relative_to(REPO)} (run `npm ci` in the repository root)")
    if not shutil.which("git"):
        missing.append("git")
    return missing
