"""Server-side redraw latency of every ConvLab widget, per control step.

    make bench      # or: .venv/bin/python benchmarks/bench_widgets.py [--steps 20] [--check]

Each widget (every public factory in utils.widgets, found automatically) is built with its
defaults; then each control is stepped one notch at a time, the way a slider drag arrives
from the browser, and the time of ``control.value = v`` is measured: that call runs the
whole redraw (draw into the Figure, render the PNG, update the HTML) before returning.
The split into drawing and PNG encoding is reported too.
Target: ≤ 100 ms per step. --check exits 1 when a widget's mean is over it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.widget_moves import step_moves, widget_factories  # noqa: E402
from utils.widgets import figure_png  # noqa: E402

TARGET_MS = 100.0


def bench(factory, steps: int) -> dict[str, float]:
    w = factory()
    for name, value in step_moves(w, 2):  # warm-up: fonts, caches
        w.controls[name].value = value
    total, cpu, encode = [], [], []
    for name, value in step_moves(w, steps):
        t0, c0 = time.perf_counter(), time.process_time()
        w.controls[name].value = value
        total.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        t0 = time.perf_counter()
        figure_png(w.figure, w._dpi)
        encode.append(time.perf_counter() - t0)
    ms = [1000 * t for t in total]
    return {"mean": statistics.fmean(ms), "median": statistics.median(ms), "max": max(ms),
            "cpu": 1000 * statistics.fmean(cpu), "png": 1000 * statistics.fmean(encode), "size": len(bytes(w.image.value)) / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20, help="control steps per widget (default 20)")
    parser.add_argument("--check", action="store_true", help=f"exit 1 if a mean is over {TARGET_MS:.0f} ms")
    args = parser.parse_args(argv)
    print(f"Widget redraw per control step, {args.steps} steps each (target <= {TARGET_MS:.0f} ms)")
    print("(wall-clock per step; 'cpu' is this process's CPU time, a steadier figure on a busy machine;\n"
          " 'png' is the part spent rendering the figure to PNG)")
    print(f"{'widget':<26}{'mean ms':>9}{'median':>9}{'max ms':>9}{'cpu ms':>9}{'png ms':>9}{'png KiB':>9}")
    over = []
    for name, factory in sorted(widget_factories().items()):
        r = bench(factory, args.steps)
        flag = "" if r["mean"] <= TARGET_MS else "  OVER TARGET"
        if flag:
            over.append(name)
        print(f"{name:<26}{r['mean']:9.1f}{r['median']:9.1f}{r['max']:9.1f}{r['cpu']:9.1f}{r['png']:9.1f}{r['size']:9.1f}{flag}")
    print("all within target" if not over else f"over target: {', '.join(over)}")
    return 1 if (args.check and over) else 0


if __name__ == "__main__":
    sys.exit(main())
