"""Training LeNet: a seeded training loop, evaluation, a confusion matrix, a live view.

The pieces d2l already has come from d2l (``try_gpu``, ``accuracy``, ``Timer``,
``Accumulator``, ``evaluate_accuracy_gpu``). The loop is our own copy of d2l's
``train_ch6`` because that one raises ZeroDivisionError with fewer than 5
batches per epoch and its ``Animator`` clears the cell's output, which strict
nbval cannot compare; ours adds a seed, a choice of optimiser, a learning-rate
schedule and augmentation, and reports to a :class:`TrainingView` that
updates one figure in place.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch
from matplotlib.figure import Figure
from torch import nn

from ._checks import check_choice, check_int, check_positive_number
from .data import random_shift

__all__ = [
    "History",
    "TrainingView",
    "confusion_matrix",
    "evaluate_accuracy",
    "predict",
    "train",
]

OPTIMIZERS = ("sgd", "adam")
SCHEDULES = (None, "onecycle")
INITS = ("xavier", "kaiming", "default")


def _d2l() -> Any:
    # imported on first use: d2l pulls in pandas and torchvision, seconds that chapters 01-05 never need
    from d2l import torch as d2l

    return d2l


def predict(net: nn.Module, data_iter: Iterable, device: torch.device | str | None = None
            ) -> tuple[torch.Tensor, torch.Tensor]:
    """True and predicted labels over ``data_iter``, both (n,) int64 on the CPU."""
    if device is None:
        param = next(net.parameters(), None)
        device = param.device if param is not None else "cpu"
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
    """Fraction of correct predictions over ``data_iter``: d2l's ``evaluate_accuracy_gpu``."""
    return _d2l().evaluate_accuracy_gpu(net, data_iter, device)


def confusion_matrix(y: torch.Tensor, y_pred: torch.Tensor, num_classes: int = 10) -> torch.Tensor:
    """C: (num_classes, num_classes), ``C[i, j]`` = how many ``i`` were predicted as ``j``.

    torch has no confusion matrix; one ``bincount`` over ``i * num_classes + j`` is all it takes.
    """
    num_classes = check_int(num_classes, "num_classes", 1)
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
    shuffling. ``device=None`` is ``d2l.try_gpu()``: the GPU if present, else the CPU.
    """
    num_epochs = check_int(num_epochs, "num_epochs", 1)
    check_positive_number(lr, "lr")
    check_choice(optimizer, "optimizer", OPTIMIZERS)
    check_choice(init, "init", INITS)
    check_choice(schedule, "schedule", SCHEDULES)
    max_shift = check_int(max_shift, "max_shift", 0)
    d2l = _d2l()
    device = torch.device(device) if device is not None else d2l.try_gpu()
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
    history = History(num_epochs=num_epochs, device=str(device))
    if view is not None:
        view.start(history)
    for epoch in range(num_epochs):
        net.train()
        metric, timer = d2l.Accumulator(3), d2l.Timer()  # sum of losses, correct predictions, examples
        for i, (X, y) in enumerate(train_iter):
            timer.start()
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
                metric.add(float(loss) * X.shape[0], d2l.accuracy(y_hat, y), X.shape[0])
            timer.stop()
            if view is not None:
                view.batch(epoch, i + 1, num_batches)
        if metric[2] == 0:
            raise ValueError("train_iter yielded no batches")
        history.train_loss.append(metric[0] / metric[2])
        history.train_acc.append(metric[1] / metric[2])
        history.seconds.append(timer.sum())
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
