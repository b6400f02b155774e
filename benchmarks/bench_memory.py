"""How much memory and CPU each chapter needs, and how many students one server holds.

    make bench      # or: .venv/bin/python benchmarks/bench_memory.py [--server-gb 64] [--headroom-gb 8]

Each chapter notebook runs top to bottom in a fresh kernel (nbclient, like Run All, from the
notebook's own folder). While it runs, the memory of the kernel process and its children is read
from /proc every 20 ms:
* peak RSS: the highest resident memory, at least the kernel's own high-water mark (VmHWM);
* of it private: the highest anonymous memory (RssAnon: heap, tensors, Python objects). The rest
  of RSS is the libraries' code and data files (torch alone maps hundreds of MiB); every kernel on
  one server maps the same installed files, so that part is in memory once for the whole class.
CPU time is user + system time of the kernel and its children, kernel start-up included. An empty
notebook and an idle JupyterLab server (one per student on a hub) are measured too.

Sizing: one student = one JupyterLab server + one kernel at the heaviest chapter (private memory
each), plus the shared libraries once; the server's memory minus a headroom (the operating system,
the hub, the proxy, the disk cache) is divided by that. The count with nothing shared (each
kernel's whole RSS its own) is printed too: the pessimistic bound. A student who keeps several
chapters' kernels open needs one kernel's private memory per open chapter.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
MIB = 2**20
SAMPLE_S = 0.02


def _tree(proc: psutil.Process) -> list[psutil.Process]:
    """The process and the children that run a program of their own.

    A child still running the kernel's own command line is a fork that has not yet exec'd
    (libraries start helpers such as ``ldconfig -p`` that way): its pages are the kernel's,
    and counting them twice would report a peak that never used that much memory.
    """
    try:
        own = proc.cmdline()
        children = proc.children(recursive=True)
    except psutil.Error:
        return []
    found = [proc]
    for child in children:
        try:
            if child.cmdline() != own:
                found.append(child)
        except psutil.Error:
            continue
    return found


def _status(pid: int) -> dict[str, int]:
    """Memory lines of /proc/<pid>/status in bytes (VmRSS, VmHWM, RssAnon, RssFile, ...)."""
    out = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                out[key] = int(value.split()[0]) * 1024
    return out


def _memory(procs: list[psutil.Process]) -> tuple[int, int]:
    """(RSS, private) of a group of processes, in bytes.

    Private memory is RssAnon: the heap, tensors and Python objects of that process alone. The rest
    of RSS is mostly the libraries' code (torch alone maps hundreds of MiB), which the kernels of
    every student on one server share, read from the same installed files.
    """
    rss = private = 0
    for p in procs:
        try:
            st = _status(p.pid)
            rss += st["VmRSS"]
            private += st.get("RssAnon", st["VmRSS"])
        except (OSError, KeyError):  # gone meanwhile, or no /proc (not Linux)
            try:
                rss += p.memory_info().rss
                private += p.memory_info().rss
            except psutil.Error:
                pass
    return rss, private


def _cpu_seconds(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return total


class PeakSampler(threading.Thread):
    """Samples the memory of a process and its children until stopped; keeps the peaks."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.proc = psutil.Process(pid)
        self.peak_rss = self.peak_private = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            rss, private = _memory(_tree(self.proc))
            self.peak_rss, self.peak_private = max(self.peak_rss, rss), max(self.peak_private, private)
            self._done.wait(SAMPLE_S)

    def stop(self) -> tuple[int, int]:
        """(peak RSS, peak private memory); RSS is at least the kernel's own high-water mark (VmHWM)."""
        self._done.set()
        self.join()
        try:
            hwm = _status(self.proc.pid).get("VmHWM", 0)
        except OSError:
            hwm = 0
        return max(self.peak_rss, hwm), self.peak_private


def run_notebook(path: Path, timeout: float) -> dict[str, float]:
    """Run ``path`` in a fresh kernel; return its peak RSS (bytes), CPU seconds and wall seconds."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        sampler = PeakSampler(pid)
        sampler.start()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        cpu = _cpu_seconds(_tree(psutil.Process(pid)))
        peak, private = sampler.stop()
    return {"peak": peak, "private": private, "cpu": cpu, "wall": time.perf_counter() - t0}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def idle_lab_server(timeout: float = 90) -> tuple[int, int]:
    """(RSS, private) of a JupyterLab server that has served the lab page and runs no kernel."""
    with tempfile.TemporaryDirectory() as tmp:
        port, token = _free_port(), secrets.token_hex(16)
        env = dict(os.environ, JUPYTER_CONFIG_DIR=f"{tmp}/config", JUPYTER_RUNTIME_DIR=f"{tmp}/runtime")
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={ROOT}", "--LabApp.news_url=",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if os.getuid() == 0:
            cmd.append("--allow-root")
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    for page in ("/api/status", "/lab", "/api/kernelspecs", "/api/contents/notebooks"):
                        req = urllib.request.Request(f"http://127.0.0.1:{port}{page}",
                                                     headers={"Authorization": f"token {token}"})
                        urllib.request.urlopen(req, timeout=10).read()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("JupyterLab server did not start") from None
                    time.sleep(0.25)
            time.sleep(1.0)
            return _memory(_tree(psutil.Process(proc.pid)))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every chapter in notebooks/")
    parser.add_argument("--server-gb", type=float, default=64.0, help="the hub server's memory in GB (default 64)")
    parser.add_argument("--headroom-gb", type=float, default=8.0,
                        help="kept free for the OS, hub, proxy and disk cache, in GB (default 8)")
    parser.add_argument("--server-mib", type=float,
                        help="one student's server in MiB, counted as private (default: measured, an idle "
                             "JupyterLab server; tests/hub records one with a browser attached)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per cell (default 1800)")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args(argv)
    notebooks = [p.resolve() for p in args.notebooks] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    for p in notebooks:
        if p.suffix != ".ipynb" or not p.is_file():
            parser.error(f"notebooks must be .ipynb files, got {p}")

    print(f"Each chapter in a fresh kernel, one after another; {os.cpu_count()} CPU cores, "
          f"Python {sys.version.split()[0]}\n", flush=True)
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")]), empty)
        rows["(empty kernel)"] = run_notebook(empty, args.timeout)
    print(f"| {'chapter':<30} | peak RSS | of it private | CPU time | wall time |")
    print(f"|{'-' * 32}|---------:|--------------:|---------:|----------:|")

    def line(name: str, r: dict[str, float]) -> None:
        print(f"| {name:<30} | {r['peak'] / MIB:4.0f} MiB | {r['private'] / MIB:9.0f} MiB | {r['cpu']:6.1f} s "
              f"| {r['wall']:7.1f} s |", flush=True)

    line("(empty kernel)", rows["(empty kernel)"])
    for path in notebooks:
        rows[path.name] = run_notebook(path, args.timeout)
        line(path.name, rows[path.name])
    server_rss, server_private = idle_lab_server()
    print(f"\nOne student's JupyterLab server (lab page served, no kernel): {server_rss / MIB:.0f} MiB RSS, "
          f"{server_private / MIB:.0f} MiB private")
    if args.server_mib is not None:
        server_rss = server_private = int(args.server_mib * MIB)
        print(f"Sizing with a server of {args.server_mib:.0f} MiB (--server-mib)")

    chapters = {k: v for k, v in rows.items() if not k.startswith("(")}
    heaviest = max(chapters, key=lambda k: chapters[k]["private"])
    top = chapters[heaviest]
    usable = (args.server_gb - args.headroom_gb) * 2**30  # RAM is sold in binary gigabytes
    shared = top["peak"] - top["private"]  # the libraries' pages: in memory once for the whole class
    per_student = server_private + top["private"]
    students = int((usable - shared) // per_student)
    students_unshared = int(usable // (server_rss + top["peak"]))
    print(f"Heaviest chapter: {heaviest} (peak RSS {top['peak'] / MIB:.0f} MiB, {top['private'] / MIB:.0f} MiB private)")
    print(f"One student at the heaviest chapter: {server_private / MIB:.0f} + {top['private'] / MIB:.0f} "
          f"= {per_student / MIB:.0f} MiB private, plus {shared / MIB:.0f} MiB of libraries shared by all")
    print(f"A {args.server_gb:g} GB server, keeping {args.headroom_gb:g} GB for the OS, hub, proxy and disk cache, "
          f"holds {students} students at once, each with one kernel at the heaviest chapter "
          f"({students_unshared} if every kernel's whole RSS were its own).")
    if args.json:
        args.json.write_text(json.dumps({
            "rows": rows, "server": {"peak": server_rss, "private": server_private}, "heaviest": heaviest,
            "headroom_gb": args.headroom_gb, "server_gb": args.server_gb, "students": students,
            "students_unshared": students_unshared}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
