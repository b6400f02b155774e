"""Training LeNet: the model, a seeded training loop, evaluation, a live view.

The loop is d2l's ``train_ch6`` (same metrics, same Xavier init by default)
with what this course needs on top: a seed, a choice of optimiser, any
number of batches per epoch (``train_ch6`` divides by zero below 5), and a
live view that updates one figure in place instead of printing per batch.
It does not need d2l, so it also runs where d2l is not installed.
"""

from __future__ import annotations

import base64
import html
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch
from matplotlib.figure import Figure
from torch import nn

from ._checks import check_choice, check_int, check_positive_number, check_shape
from .data import random_shift

__all__ = [
    "BOOK_RECIPE",
    "MODERN_RECIPE",
    "History",
    "Recipe",
    "TrainingView",
    "accuracy",
    "confusion_matrix",
    "default_device",
    "evaluate_accuracy",
    "layer_shapes",
    "lenet",
    "predict",
    "train",
]

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU}
POOLS = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}
OPTIMIZERS = ("sgd", "adam")
SCHEDULES = (None, "onecycle")
INITS = ("xavier", "kaiming", "default")


def lenet(activation: str = "sigmoid", pool: str = "avg", *, batch_norm: bool = False) -> nn.Sequential:
    """LeNet-5 as in d2l: input X: (batch, 1, 28, 28) → logits (batch, 10).

    conv 5×5 (6 channels, padding 2) → act → pool 2×2 → conv 5×5 (16) → act →
    pool 2×2 → flatten → 120 → act → 84 → act → 10. The book uses
    ``activation="sigmoid", pool="avg"``; the modern variant ``"relu", "max"``
    and, with ``batch_norm=True``, a batch-norm layer before every activation
    (d2l's "LeNet with batch normalization").
    """
    check_choice(activation, "activation", tuple(ACTIVATIONS))
    check_choice(pool, "pool", tuple(POOLS))
    act, pooling = ACTIVATIONS[activation], POOLS[pool]

    def norm(kind: type[nn.Module], n: int) -> list[nn.Module]:
        return [kind(n)] if batch_norm else []

    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), *norm(nn.BatchNorm2d, 6), act(),
        pooling(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), *norm(nn.BatchNorm2d, 16), act(),
        pooling(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), *norm(nn.BatchNorm1d, 120), act(),
        nn.Linear(120, 84), *norm(nn.BatchNorm1d, 84), act(),
        nn.Linear(84, 10),
    )


@dataclass(frozen=True)
class Recipe:
    """Everything that decides a training run besides the data."""

    name: str
    activation: str
    pool: str
    optimizer: str
    lr: float
    batch_size: int
    num_epochs: int
    init: str = "xavier"
    batch_norm: bool = False
    schedule: str | None = None
    max_shift: int = 0

    def model(self) -> nn.Sequential:
        return lenet(self.activation, self.pool, batch_norm=self.batch_norm)

    def train_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``train`` this recipe fixes."""
        return {"num_epochs": self.num_epochs, "lr": self.lr, "optimizer": self.optimizer,
                "init": self.init, "schedule": self.schedule, "max_shift": self.max_shift}


# d2l 7.6: sigmoid + average pooling, plain SGD with a large step, 10 epochs, batch 256.
BOOK_RECIPE = Recipe("book", "sigmoid", "avg", "sgd", 0.9, 256, 10, "xavier")
# The same layers with ReLU, max pooling and batch norm, Kaiming init, Adam with a
# one-cycle learning rate, small batches, and training digits shifted by up to 2 pixels.
MODERN_RECIPE = Recipe("modern", "relu", "max", "adam", 3e-3, 64, 12, "kaiming",
                       batch_norm=True, schedule="onecycle", max_shift=2)


def default_device() -> torch.device:
    """The first GPU if there is one, else the CPU (what ``d2l.try_gpu()`` returns)."""
    return torch.device("cuda:0") if torch.cuda.is_available() else torch.device("cpu")


def layer_shapes(net: nn.Sequential, input_shape: tuple[int, ...] = (1, 1, 28, 28)) -> list[tuple[str, tuple[int, ...]]]:
    """Each layer's name and output shape for an input of ``input_shape``.

    The d2l walk-through: (1, 1, 28, 28) → Conv2d (1, 6, 28, 28) → … → (1, 10).
    """
    if not isinstance(net, nn.Sequential):
        raise TypeError(f"net must be an nn.Sequential, got {type(net).__name__}")
    input_shape = check_shape(input_shape, "input_shape")
    param = next(net.parameters(), None)
    X = torch.zeros(input_shape, device=param.device if param is not None else "cpu")
    rows, was_training = [], net.training
    net.eval()  # batch norm cannot use batch statistics of a single example
    try:
        with torch.no_grad():
            for layer in net:
                X = layer(X)
                rows.append((type(layer).__name__, tuple(X.shape)))
    finally:
        net.train(was_training)
    return rows


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> int:
    """Number of correct predictions. y_hat: (n, q) logits or (n,) labels, y: (n,)."""
    if y_hat.ndim > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return int((y_hat.to(y.dtype) == y).sum())


def _device_of(net: nn.Module, device: torch.device | str | None) -> torch.device:
    if device is not None:
        return torch.device(device)
    param = next(net.parameters(), None)
    return param.device if param is not None else torch.device("cpu")


def predict(net: nn.Module, data_iter: Iterable, device: torch.device | str | None = None
            ) -> tuple[torch.Tensor, torch.Tensor]:
    """True and predicted labels over ``data_iter``, both (n,) int64 on the CPU."""
    device = _device_of(net, device)
    net.eval()
    ys, preds = [], []
    with torch.no_grad():
        for X, y in data_iter:
            preds.append(net(X.to(device)).argmax(dim=1).cpu())
            ys.append(y.cpu())
    if not ys:
        raise ValueError("data_iter yielded no batches")
    return torch.cat(ys), torch.cat(preds)


def evaluate_accuracy(net: nn.Module, data_iter: Iterable, device: torch.device | str | None = None) -> float:
    """Fraction of correct predictions over ``data_iter`` (d2l's ``evaluate_accuracy_gpu``)."""
    y, y_pred = predict(net, data_iter, device)
    return accuracy(y_pred, y) / len(y)


def confusion_matrix(y: torch.Tensor, y_pred: torch.Tensor, num_classes: int = 10) -> torch.Tensor:
    """C: (num_classes, num_classes), ``C[i, j]`` = how many ``i`` were predicted as ``j``."""
    for name, t in (("y", y), ("y_pred", y_pred)):
        if not isinstance(t, torch.Tensor) or t.ndim != 1:
            raise TypeError(f"{name} must be a 1-D tensor of labels, got {type(t).__name__}")
    if len(y) != len(y_pred):
        raise ValueError(f"y and y_pred must have the same length, got {len(y)} and {len(y_pred)}")
    if len(y) and (min(int(y.min()), int(y_pred.min())) < 0
                   or max(int(y.max()), int(y_pred.max())) >= num_classes):
        raise ValueError(f"labels must lie in [0, {num_classes - 1}]")
    flat = y.long() * num_classes + y_pred.long()
    return torch.bincount(flat, minlength=num_classes ** 2).reshape(num_classes, num_classes)


@dataclass
class History:
    """Per-epoch metrics of one run; ``seconds`` counts training time only (as d2l's Timer)."""

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    num_epochs: int = 0
    device: str = "cpu"

    @property
    def epochs(self) -> int:
        return len(self.test_acc)

    @property
    def total_seconds(self) -> float:
        return float(sum(self.seconds))

    def summary(self) -> str:
        """One line, rounded: loss, train acc, test acc (no timing: it varies run to run)."""
        if not self.epochs:
            return "no epochs trained yet"
        return (f"epoch {self.epochs}/{self.num_epochs}: loss {self.train_loss[-1]:.3f}, "
                f"train acc {self.train_acc[-1]:.3f}, test acc {self.test_acc[-1]:.3f}")


def _init_weights(net: nn.Module, init: str) -> None:
    for m in net.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            if init == "xavier":
                nn.init.xavier_uniform_(m.weight)
            elif init == "kaiming":
                nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)


def train(
    net: nn.Module,
    train_iter: Iterable,
    test_iter: Iterable,
    num_epochs: int,
    lr: float,
    *,
    optimizer: str = "sgd",
    init: str = "xavier",
    device: torch.device | str | None = None,
    schedule: str | None = None,
    max_shift: int = 0,
    seed: int | None = 0,
    view: TrainingView | None = None,
) -> History:
    """Train ``net`` with cross-entropy, evaluating on ``test_iter`` after every epoch.

    Batches X: (batch, 1, 28, 28), y: (batch,). ``optimizer`` is ``"sgd"``
    (d2l's ``train_ch6``) or ``"adam"``; ``init`` is ``"xavier"`` (d2l),
    ``"kaiming"`` (He init, suits ReLU) or ``"default"`` (PyTorch's).
    ``schedule="onecycle"`` warms the learning rate up to ``lr`` and anneals
    it to almost 0; ``max_shift > 0`` shifts every training image by a random
    number of pixels in [-max_shift, max_shift] (data augmentation). With a
    ``seed`` the run is repeatable: it seeds the weights and the loader's
    shuffling. ``device=None`` picks the GPU if present, else the CPU.
    """
    num_epochs = check_int(num_epochs, "num_epochs", 1)
    check_positive_number(lr, "lr")
    check_choice(optimizer, "optimizer", OPTIMIZERS)
    check_choice(init, "init", INITS)
    check_choice(schedule, "schedule", SCHEDULES)
    max_shift = check_int(max_shift, "max_shift", 0)
    device = torch.device(device) if device is not None else default_device()
    aug_gen = torch.Generator()
    if seed is not None:
        torch.manual_seed(seed)
        aug_gen.manual_seed(seed)
        gen = getattr(train_iter, "generator", None)
        if isinstance(gen, torch.Generator):
            gen.manual_seed(seed)
    _init_weights(net, init)
    net.to(device)
    opt_cls = torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam
    opt = opt_cls(net.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    num_batches = len(train_iter) if hasattr(train_iter, "__len__") else 0
    sched = None
    if schedule == "onecycle":
        if not num_batches:
            raise ValueError("schedule='onecycle' needs a train_iter with a length")
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=num_epochs * num_batches)
    history = History(num_epochs=int(num_epochs), device=str(device))
    if view is not None:
        view.start(history)
    for epoch in range(num_epochs):
        net.train()
        loss_sum, correct, n, seconds = 0.0, 0, 0, 0.0
        for i, (X, y) in enumerate(train_iter):
            tic = time.perf_counter()
            if max_shift:
                X = random_shift(X, max_shift, generator=aug_gen)
            X, y = X.to(device), y.to(device)
            opt.zero_grad()
            y_hat = net(X)
            loss = loss_fn(y_hat, y)
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()
            with torch.no_grad():
                loss_sum += float(loss) * X.shape[0]
                correct += accuracy(y_hat, y)
                n += X.shape[0]
            seconds += time.perf_counter() - tic
            if view is not None:
                view.batch(epoch, i + 1, num_batches)
        if n == 0:
            raise ValueError("train_iter yielded no batches")
        history.train_loss.append(loss_sum / n)
        history.train_acc.append(correct / n)
        history.seconds.append(seconds)
        history.test_acc.append(evaluate_accuracy(net, test_iter, device))
        if view is not None:
            view.update(history)
    return history


DisplayFn = Callable[..., Any]


class TrainingView:
    """A live view of training that updates ONE output in place.

    Curves of loss and accuracy are redrawn once per epoch into a single PNG
    (a ``matplotlib.figure.Figure``, never pyplot) and a progress line is
    refreshed a few times per epoch, both through IPython display handles
    (``display(..., display_id=True)``), which JupyterLab, Colab and VS Code
    all update in place. The saved notebook keeps just the final picture, so
    nbval sees no flood of outputs. Pass ``display_fn`` to capture updates
    (tests); outside IPython nothing is shown.
    """

    def __init__(self, title: str = "training", *, figsize: tuple[float, float] = (7.0, 2.6),
                 dpi: int = 80, updates_per_epoch: int = 4, display_fn: DisplayFn | None = None) -> None:
        self.title = title
        self.figure = Figure(figsize=figsize, layout="constrained")
        self.dpi = dpi
        self.updates_per_epoch = max(int(updates_per_epoch), 1)
        self._display_fn = display_fn
        self._plot = self._progress = None
        self.history: History | None = None
        self.png = b""
        self.progress_text = ""
        self.redraws = 0

    def _display(self, obj: Any) -> Any:
        if self._display_fn is not None:
            return self._display_fn(obj, display_id=True)
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:
            return None
        shell = get_ipython()
        if getattr(shell, "kernel", None) is None:  # plain Python or a terminal: show nothing
            return None
        return display(obj, display_id=True)

    def start(self, history: History) -> None:
        self.history = history
        self.progress_text = f"{self.title}: starting {history.num_epochs} epochs on {history.device}"
        self._progress = self._display(_Progress(self.progress_text, 0, history.num_epochs))
        self._redraw()
        self._plot = self._display(_Png(self.png, self.progress_text))

    def batch(self, epoch: int, i: int, num_batches: int) -> None:
        """Refresh the progress line every ``1/updates_per_epoch`` of an epoch (cheap: text only)."""
        if self.history is None or not num_batches:
            return
        step = max(num_batches // self.updates_per_epoch, 1)
        if i % step and i != num_batches:
            return
        done = epoch + i / num_batches
        self.progress_text = (f"{self.title}: epoch {epoch + 1}/{self.history.num_epochs}, "
                              f"batch {i}/{num_batches}")
        if self._progress is not None:
            self._progress.update(_Progress(self.progress_text, done, self.history.num_epochs))

    def update(self, history: History) -> None:
        """Redraw the curves after an epoch."""
        self.history = history
        self.progress_text = (f"{self.title}: {history.summary()}, "
                              f"{history.total_seconds:.1f} s on {history.device}")
        self._redraw()
        if self._progress is not None:
            self._progress.update(_Progress(self.progress_text, history.epochs, history.num_epochs))
        if self._plot is not None:
            self._plot.update(_Png(self.png, self.progress_text))

    def _redraw(self) -> None:
        from .widgets._base import figure_png

        h = self.history
        fig = self.figure
        fig.clear()
        ax_loss, ax_acc = fig.subplots(1, 2)
        epochs = list(range(1, h.epochs + 1)) if h is not None else []
        xmax = max(h.num_epochs if h is not None else 1, 1)
        if epochs:
            ax_loss.plot(epochs, h.train_loss, "o-", color="#1f77b4", label="train loss")
            ax_acc.plot(epochs, h.train_acc, "o--", color="#9467bd", label="train acc")
            ax_acc.plot(epochs, h.test_acc, "s-", color="#2ca02c", label="test acc")
            ax_loss.legend(loc="upper right", fontsize=8)
            ax_acc.legend(loc="lower right", fontsize=8)
        ax_loss.set(xlim=(0.5, xmax + 0.5), xlabel="epoch", title="loss")
        ax_acc.set(xlim=(0.5, xmax + 0.5), ylim=(0, 1.02), xlabel="epoch", title="accuracy")
        for ax in (ax_loss, ax_acc):
            ax.grid(alpha=0.3)
        fig.suptitle(self.title, fontsize=11)
        self.png = figure_png(fig, self.dpi)
        self.redraws += 1

    def __repr__(self) -> str:
        return f"TrainingView({self.progress_text!r})"


class _Png:
    """A PNG with a text fallback, for display handles."""

    def __init__(self, png: bytes, text: str) -> None:
        self.png, self.text = png, text

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        return {"image/png": base64.b64encode(self.png).decode("ascii"), "text/plain": self.text}


class _Progress:
    """A progress bar line (HTML with a text fallback)."""

    def __init__(self, text: str, done: float, total: int) -> None:
        self.text, self.done, self.total = text, float(done), max(int(total), 1)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        bar = (f"<progress value='{self.done:.2f}' max='{self.total}' style='width:16em'></progress> "
               f"<code>{html.escape(self.text)}</code>")
        return {"text/html": bar, "text/plain": self.text}
