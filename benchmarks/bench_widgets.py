"""Server-side cost of every ConvLab widget: building its front-end frames, and redrawing per step.

    make bench      # or: .venv/bin/python benchmarks/bench_widgets.py [--steps 20] [--check]

Each widget (every public factory in utils.widgets, found automatically) is built with its
defaults, which renders every front-end frame (``build s``, ``frames``, ``KiB`` of PNG in all).
Then each control is stepped one notch at a time, the way a slider drag arrives from the
browser (ipywidgets' ``set_state`` on a running event loop, as in a kernel), and the time of
that call is measured: for a kernel-side control it draws the visible frame (draw into the
Figure, render the PNG, update the HTML) before returning; a front-end control's frame is
there already. The split into drawing and PNG encoding is reported too.
Target: ≤ 100 ms per kernel-side step. --check exits 1 when a widget's mean is over it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.widget_moves import browser_move, step_moves, widget_factories  # noqa: E402
from utils.widgets import figure_png  # noqa: E402

TARGET_MS = 100.0


async def bench(factory, steps: int) -> dict[str, object]:
    t0 = time.perf_counter()
    w = factory()
    build = time.perf_counter() - t0
    frames = [bytes(f.image.value) for f in w.frames.values()]
    row: dict[str, object] = {"frontend": ", ".join(w.frontend) or "-", "frames": len(frames) if w.frontend else 0,
                              "kib": sum(map(len, frames)) / 1024 if w.frontend else 0.0, "build": build}
    for name, value in step_moves(w, 2):  # warm-up: fonts, caches
        browser_move(w.controls[name], value)
    kernel, front, cpu, encode = [], [], [], []
    for name, value in step_moves(w, steps):
        t0, c0 = time.perf_counter(), time.process_time()
        browser_move(w.controls[name], value)
        elapsed = time.perf_counter() - t0
        if name in w.frontend:
            front.append(1000 * elapsed)
            continue
        kernel.append(1000 * elapsed)
        cpu.append(1000 * (time.process_time() - c0))
        t0 = time.perf_counter()
        figure_png(w.figure, w._dpi)
        encode.append(1000 * (time.perf_counter() - t0))
    if kernel:
        row.update(mean=statistics.fmean(kernel), median=statistics.median(kernel), max=max(kernel),
                   cpu=statistics.fmean(cpu), png=statistics.fmean(encode))
    row["front"] = statistics.fmean(front) if front else None
    w.close()
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20, help="control steps per widget (default 20)")
    parser.add_argument("--check", action="store_true", help=f"exit 1 if a mean is over {TARGET_MS:.0f} ms")
    args = parser.parse_args(argv)
    print(f"Widget build and redraw per control step, {args.steps} steps each (target <= {TARGET_MS:.0f} ms)")
    print("(build: every front-end frame rendered; kernel-side steps: wall-clock per step, 'cpu' is this\n"
          " process's CPU time, a steadier figure on a busy machine, 'png' the part spent rendering the PNG;\n"
          " 'front ms': a front-end step in the kernel: nothing to draw when its frame is there, one draw\n"
          " when the kernel-side step just before made it stale)")
    print(f"{'widget':<24}{'front-end controls':<23}{'frames':>7}{'KiB':>6}{'build s':>8}"
          f"{'mean ms':>9}{'median':>8}{'max ms':>8}{'cpu ms':>8}{'png ms':>8}{'front ms':>9}")
    over = []
    for name, factory in sorted(widget_factories().items()):
        r = asyncio.run(bench(factory, args.steps))
        mean = r.get("mean")
        flag = "" if mean is None or mean <= TARGET_MS else "  OVER TARGET"
        if flag:
            over.append(name)
        kernel = (f"{mean:9.1f}" + "".join(f"{r[k]:8.1f}" for k in ("median", "max", "cpu", "png"))
                  if mean is not None else f"{'-':>9}" + f"{'-':>8}" * 4)
        front = f"{r['front']:9.1f}" if r["front"] is not None else f"{'-':>9}"
        print(f"{name:<24}{r['frontend']:<23}{r['frames']:>7}{r['kib']:>6.0f}{r['build']:>8.2f}{kernel}{front}{flag}")
    print("all within target" if not over else f"over target: {', '.join(over)}")
    return 1 if (args.check and over) else 0


if __name__ == "__main__":
    sys.exit(main())
