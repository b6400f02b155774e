"""Loop corr2d vs vectorised utils.corr2d vs F.conv2d, measured in one run on the same input.

    make bench            # or: .venv/bin/python benchmarks/bench_corr2d.py [--size 256] [--kernel 3]

Target: the vectorised version within 3× of F.conv2d.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from utils import corr2d  # noqa: E402


def corr2d_loop(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """The lesson's two-loop version (one Python step per output cell)."""
    k_h, k_w = K.shape
    Y = torch.zeros(X.shape[0] - k_h + 1, X.shape[1] - k_w + 1)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + k_h, j:j + k_w] * K).sum()
    return Y


def best_of(fns: dict, number: int, repeat: int = 7) -> dict:
    """Seconds per call for each fn: the best of `repeat` rounds of `number` calls.

    Rounds are interleaved (a, b, c, a, b, c, ...) so that a burst of load on the
    machine hits every contender alike and the ratios stay meaningful.
    """
    best = {name: float("inf") for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            best[name] = min(best[name], timeit.timeit(fn, number=number) / number)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--kernel", type=int, default=3)
    args = parser.parse_args()

    torch.manual_seed(0)
    X = torch.randn(args.size, args.size)
    K = torch.randn(args.kernel, args.kernel)
    X4, K4 = X.reshape(1, 1, *X.shape), K.reshape(1, 1, *K.shape)

    expected = F.conv2d(X4, K4)[0, 0]
    assert torch.allclose(corr2d(X, K), expected, atol=1e-4)
    assert torch.allclose(corr2d_loop(X, K), expected, atol=1e-4)

    fast = best_of({"torch": lambda: F.conv2d(X4, K4), "vec": lambda: corr2d(X, K)}, number=50)
    t_torch, t_vec = fast["torch"], fast["vec"]
    t_loop = best_of({"loop": lambda: corr2d_loop(X, K)}, number=1, repeat=1)["loop"]

    print(f"input {args.size}×{args.size}, kernel {args.kernel}×{args.kernel}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{'F.conv2d':<22}{t_torch * 1e3:10.3f} ms   1.0×")
    print(f"{'utils.corr2d':<22}{t_vec * 1e3:10.3f} ms   {t_vec / t_torch:.1f}× F.conv2d")
    print(f"{'loop corr2d':<22}{t_loop * 1e3:10.1f} ms   {t_loop / t_torch:.0f}× F.conv2d, "
          f"{t_loop / t_vec:.0f}× utils.corr2d")
    verdict = "PASS" if t_vec <= 3 * t_torch else "MISS"
    print(f"target: utils.corr2d within 3× of F.conv2d -> {verdict} ({t_vec / t_torch:.2f}×)")


if __name__ == "__main__":
    main()
