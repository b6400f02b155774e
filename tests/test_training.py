"""utils.training: the seeded loop (utils.train), evaluation, the confusion matrix and the live view (small data, a few seconds)."""

from __future__ import annotations

import pytest
import torch
from d2l import torch as d2l
from torch import nn

from utils.data import load_digits
from utils.models import lenet
from utils.training import History, TrainingView, confusion_matrix, evaluate_accuracy, predict, train


@pytest.fixture(scope="module")
def small_digits():
    return load_digits(batch_size=32, n_train=200, n_test=100, seed=0)


def test_confusion_matrix():
    y = torch.tensor([0, 1, 2, 2, 1])
    logits = torch.tensor([[5.0, 0, 0], [0, 3, 0], [0, 9, 1], [0, 0, 2], [1, 0, 0]])
    y_pred = logits.argmax(1)
    C = confusion_matrix(y, y_pred, num_classes=3)
    expected = torch.zeros(3, 3, dtype=torch.int64)
    for t, p in zip(y.tolist(), y_pred.tolist()):
        expected[t, p] += 1
    assert torch.equal(C, expected) and int(C.trace()) == 3 and int(C.sum()) == 5
    with pytest.raises(ValueError, match="same length"):
        confusion_matrix(y, y_pred[:2], 3)
    with pytest.raises(ValueError, match="labels must lie in \\[0, 2\\]"):
        confusion_matrix(y, y_pred + 1, 3)
    with pytest.raises(TypeError, match="1-D tensor of labels"):
        confusion_matrix([0, 1], y_pred, 3)
    with pytest.raises(ValueError, match="num_classes must be positive"):
        confusion_matrix(y, y_pred, 0)


class Constant(nn.Module):
    """Always predicts class ``k`` (a net stuck at chance, like the book recipe here)."""

    def __init__(self, k: int) -> None:
        super().__init__()
        self.k = k
        self.dummy = nn.Parameter(torch.zeros(1))

    def forward(self, X):
        out = torch.zeros(len(X), 10)
        out[:, self.k] = 1
        return out + 0 * self.dummy


def test_predict_and_evaluate_on_a_stuck_net(small_digits):
    _, test_iter = small_digits
    y, y_pred = predict(Constant(3), test_iter)
    assert len(y) == 100 and set(y_pred.tolist()) == {3}
    assert evaluate_accuracy(Constant(3), test_iter) == pytest.approx(0.1)  # stratified: 10 per class
    net = lenet()
    y, y_pred = predict(net, test_iter)
    assert evaluate_accuracy(net, test_iter) == pytest.approx(float((y_pred == y).float().mean()))
    with pytest.raises(ValueError, match="no batches"):
        predict(Constant(3), [])


def test_train_learns_and_is_repeatable(small_digits):
    train_iter, test_iter = small_digits
    runs = [train(lenet("relu", "max"), train_iter, test_iter, 3, 2e-3, optimizer="adam",
                  init="kaiming", seed=7, device="cpu") for _ in range(2)]
    h = runs[0]
    assert isinstance(h, History) and h.epochs == 3 and h.num_epochs == 3 and h.device == "cpu"
    assert len(h.train_loss) == len(h.train_acc) == len(h.seconds) == 3
    assert h.train_loss[-1] < h.train_loss[0]
    assert h.test_acc[-1] > 0.3  # far above chance (0.1) after 21 Adam steps
    assert runs[1].train_loss == h.train_loss and runs[1].test_acc == h.test_acc  # seeded
    assert "epoch 3/3" in h.summary() and "test acc" in h.summary()


def test_train_with_schedule_and_shifts_runs(small_digits):
    train_iter, test_iter = small_digits
    h = train(lenet("relu", "max", batch_norm=True), train_iter, test_iter, 2, 3e-3, optimizer="adam",
              init="kaiming", schedule="onecycle", max_shift=2, device="cpu")
    assert h.epochs == 2 and all(0 <= a <= 1 for a in h.test_acc)


def test_fewer_than_five_batches_per_epoch():
    # d2l.train_ch6 computes `(i + 1) % (num_batches // 5)`: with 1 batch per epoch that is a
    # ZeroDivisionError; our loop takes any number of batches.
    train_iter, test_iter = load_digits(batch_size=256, n_train=100, n_test=50)
    assert len(train_iter) == 1
    h = train(lenet(), train_iter, test_iter, 2, 0.9, device="cpu")
    assert h.epochs == 2
    with pytest.raises(ZeroDivisionError):
        d2l.train_ch6(lenet(), train_iter, test_iter, 1, 0.9, "cpu")


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"num_epochs": 0}, ValueError, "num_epochs must be positive"),
    ({"num_epochs": 1.5}, TypeError, "num_epochs must be an int"),
    ({"lr": -0.1}, ValueError, "lr must be positive"),
    ({"lr": "0.1"}, TypeError, "lr must be a number"),
    ({"optimizer": "rmsprop"}, ValueError, "optimizer must be 'sgd' or 'adam', got 'rmsprop'"),
    ({"init": "zeros"}, ValueError, "init must be 'xavier', 'kaiming' or 'default'"),
    ({"schedule": "cosine"}, ValueError, "schedule must be None or 'onecycle'"),
    ({"max_shift": -1}, ValueError, "max_shift must be non-negative"),
])
def test_train_errors(small_digits, kwargs, error, match):
    args = {"num_epochs": 1, "lr": 0.1, **kwargs}
    with pytest.raises(error, match=match):
        train(lenet(), *small_digits, device="cpu", **args)


def test_training_view_updates_one_output_in_place(small_digits):
    shown = []

    class Handle:
        def __init__(self, obj):
            self.objs = [obj]

        def update(self, obj):
            self.objs.append(obj)

    def fake_display(obj, display_id):
        assert display_id is True
        shown.append(Handle(obj))
        return shown[-1]

    view = TrainingView("tiny", display_fn=fake_display, updates_per_epoch=2)
    h = train(lenet("relu", "max"), *small_digits, 2, 2e-3, optimizer="adam", device="cpu", view=view)
    assert len(shown) == 2  # one progress line and one figure: nothing else is ever displayed
    progress, plot = shown
    assert len(plot.objs) == 1 + h.epochs  # the empty axes, then one redraw per epoch
    last = plot.objs[-1]._repr_mimebundle_()
    assert set(last) == {"image/png", "text/plain"} and "test acc" in last["text/plain"]
    assert view.png.startswith(b"\x89PNG") and view.redraws == 1 + h.epochs
    bundle = progress.objs[-1]._repr_mimebundle_()
    assert "<progress value='2.00' max='2'" in bundle["text/html"]
    assert len(progress.objs) <= 1 + h.epochs * (2 + 1) + h.epochs  # a few per epoch, never per batch
    assert len(view.figure.axes) == 2 and len(view.figure.axes[1].lines) == 2
    assert "TrainingView(" in repr(view)


def test_training_view_outside_ipython_is_silent(small_digits, capsys):
    view = TrainingView("quiet")
    train(lenet(), *small_digits, 1, 0.5, device="cpu", view=view)
    assert capsys.readouterr().out == ""
    assert view.png.startswith(b"\x89PNG")


def test_default_device_is_d2l_try_gpu(small_digits, monkeypatch):
    calls = []
    monkeypatch.setattr(d2l, "try_gpu", lambda: calls.append("try_gpu") or torch.device("cpu"))
    h = train(lenet(), *small_digits, 1, 0.5)
    assert calls == ["try_gpu"] and h.device == "cpu"
