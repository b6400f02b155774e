"""Chapter-05 exercise checkers: every right answer in every invited form passes, typical mistakes get a
targeted hint, and bad question parameters raise a clear error."""


import pytest
import torch
from feedback_language import assert_speaks
from torch import nn

from utils import corr2d, pool2d
from utils.exercises import ch05

X16 = torch.arange(16.0).reshape(4, 4)
STRIDE_Q = {"X": X16, "kernel_size": 2}
SHAPE_Q = {"kernel_size": 3, "stride": 2, "padding": 1, "input_shape": (3, 28, 28)}
SHIFT_Q = {"shifts": (-2, -1, 0, 1, 2), "kernel_size": 2}


# ---------------------------------------------------------------- q_default_stride
@pytest.mark.parametrize("answer", [
    [[5, 7], [13, 15]], [[5.0, 7.0], [13.0, 15.0]], ((5, 7), (13, 15)), torch.tensor([[5.0, 7], [13, 15]]),
    nn.MaxPool2d(2)(X16[None, None]),     # (1, 1, 2, 2), as PyTorch returns it
    nn.MaxPool2d(2)(X16[None]),           # (1, 2, 2)
])
def test_default_stride_accepts_every_form(answer):
    assert ch05.q_default_stride(answer, **STRIDE_Q)


@pytest.mark.parametrize(("answer", "says"), [
    (pool2d(X16, 2, stride=1), "That is stride 1"),
    ([[2.5, 4.5], [10.5, 12.5]], "mean of each window"),
    ([[5, 7], [13, 14]], "values are not"),
    ([5, 7, 13, 15], "has shape (4,)"),
    ("five", "tensor-like"),
])
def test_default_stride_explains_wrong_answers(answer, says):
    fb = ch05.q_default_stride(answer, **STRIDE_Q)
    assert not fb and says in fb.message


def test_default_stride_follows_the_question_parameters():
    assert ch05.q_default_stride([[10]], X=X16, kernel_size=3)
    fb = ch05.q_default_stride(pool2d(X16, 3, stride=1), X=X16, kernel_size=3)
    assert not fb and "stride 1" in fb.message and "window size, 3" in fb.message
    assert ch05.q_default_stride(X16, X=X16, kernel_size=1)  # a 1×1 window: stride 1 is the default


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"X": [[1, 2], [3, 4]], "kernel_size": 2}, TypeError, "X must be a torch.Tensor"),
    ({"X": X16[None], "kernel_size": 2}, ValueError, r"X must have shape \(H, W\)"),
    ({"X": X16, "kernel_size": 0}, ValueError, "kernel_size must be positive"),
    ({"X": X16, "kernel_size": 5}, ValueError, "larger than the padded input"),
])
def test_default_stride_rejects_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        ch05.q_default_stride(..., **kwargs)


# ---------------------------------------------------------------- q_pool_shape
@pytest.mark.parametrize("answer", [(3, 14, 14), [3, 14, 14], torch.Size([3, 14, 14]), torch.tensor([3, 14, 14]),
                                    (3.0, 14.0, 14.0)])
def test_pool_shape_accepts_every_form(answer):
    assert ch05.q_pool_shape(answer, **SHAPE_Q)


@pytest.mark.parametrize(("answer", "says"), [
    ((1, 14, 14), "each channel separately"),
    ((3, 13, 13), "ignores the padding"),
    ((3, 15, 15), "rounds the division up"),
    ((3, 28, 28), "stride 1"),
    ((14, 14), "put the number of channels in front"),
    ((1, 3, 14, 14), "no batch dimension"),
    ((3, 7, 7), "⌊(n + 2p − k)/s⌋ + 1"),
    ("3, 14, 14", "three whole numbers"),
])
def test_pool_shape_explains_wrong_answers(answer, says):
    fb = ch05.q_pool_shape(answer, **SHAPE_Q)
    assert not fb and says in fb.message


def test_pool_shape_follows_the_question_parameters():
    assert ch05.q_pool_shape((2, 3, 5), kernel_size=2, stride=2, padding=0, input_shape=(2, 7, 10))
    fb = ch05.q_pool_shape((3, 14, 14), **SHAPE_Q)
    assert "⌊(28 + 2·1 − 3)/2⌋ + 1 = 14" in fb.message


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({**SHAPE_Q, "padding": 2}, ValueError, "padding must be at most half of kernel_size"),
    ({**SHAPE_Q, "stride": 0}, ValueError, "stride must be positive"),
    ({**SHAPE_Q, "kernel_size": 3.0}, TypeError, "kernel_size must be an int"),
    ({**SHAPE_Q, "input_shape": (28, 28)}, ValueError, r"input_shape must be a \(channels, height, width\)"),
    ({**SHAPE_Q, "input_shape": "3x28x28"}, TypeError, r"input_shape must be a \(channels, height, width\)"),
    ({**SHAPE_Q, "input_shape": (3, 2, 2), "padding": 0}, ValueError, "larger than the padded input"),
])
def test_pool_shape_rejects_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        ch05.q_pool_shape(..., **kwargs)


# ---------------------------------------------------------------- q_pool2d
def _loop_pool2d(X, pool_size, mode="max"):
    p_h, p_w = pool_size
    Y = torch.zeros(X.shape[0] - p_h + 1, X.shape[1] - p_w + 1)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            win = X[i:i + p_h, j:j + p_w]
            Y[i, j] = win.max() if mode == "max" else win.mean()
    return Y


def test_pool2d_accepts_correct_functions():
    assert ch05.q_pool2d(_loop_pool2d)
    assert ch05.q_pool2d(lambda X, p, m: pool2d(X, p, m).double())  # any float dtype


def test_pool2d_explains_wrong_functions():
    fb = ch05.q_pool2d(lambda X, p, m: _loop_pool2d(X, p, "max"))  # ignores the mode
    assert not fb and "'avg'" in fb.message
    fb = ch05.q_pool2d(lambda X, p, m: _loop_pool2d(X, (p[0], p[0]), m))  # square windows only
    assert not fb and "must have shape" in fb.message
    fb = ch05.q_pool2d(lambda X, p, m: X[100])
    assert not fb and "IndexError" in fb.message
    fb = ch05.q_pool2d(lambda X, p, m: _loop_pool2d(X, p, m).tolist())
    assert not fb and "Return a tensor, not list" in fb.message
    fb = ch05.q_pool2d(42)
    assert not fb and "Pass your function itself" in fb.message


# ---------------------------------------------------------------- edge_image and q_tolerated_shifts
def test_edge_image_is_chapter_02_picture_moved():
    ref = torch.ones(6, 8)
    ref[:, 2:6] = 0
    assert torch.equal(ch05.edge_image(-2)[:, :8], ref)  # shift −2 starts with exactly chapter 02's X
    X = ch05.edge_image(1)
    assert X.shape == (6, 12) and X[:, 5:9].sum() == 0 and X.sum() == 6 * 8


@pytest.mark.parametrize(("shift", "error", "match"), [
    (5, ValueError, "shift must be <= 4"), (-5, ValueError, "shift must be >= -4"),
    (0.5, TypeError, "shift must be an int")])
def test_edge_image_keeps_the_band_inside(shift, error, match):
    with pytest.raises(error, match=match):
        ch05.edge_image(shift)


def _direct(shifts, k):
    K = torch.tensor([[1.0, -1.0]])

    def pooled(s):
        return nn.MaxPool2d(k)(corr2d(ch05.edge_image(s), K)[None, None])

    return {s for s in shifts if torch.equal(pooled(s), pooled(0))}


def test_tolerated_shifts_agree_with_a_direct_computation():
    truth = _direct(SHIFT_Q["shifts"], 2)
    assert truth == {-1, 0}  # the +1 response in column 3 may move to column 2 only
    for answer in (truth, sorted(truth), tuple(truth), frozenset(truth), torch.tensor(sorted(truth)),
                   {-1.0, 0.0}):
        assert ch05.q_tolerated_shifts(answer, **SHIFT_Q)


def test_tolerated_shifts_follow_the_question_parameters():
    shifts = tuple(range(-4, 5))
    for k in (2, 3, 4):
        assert ch05.q_tolerated_shifts(_direct(shifts, k), shifts=shifts, kernel_size=k)
    assert ch05.q_tolerated_shifts({-3, -2, -1, 0}, shifts=shifts, kernel_size=4)  # column 3 ends its block 0–3


@pytest.mark.parametrize(("answer", "says"), [
    ({-2, -1, 0, 1, 2}, "Hint: at shift 0 the +1 response sits in column 3"),
    ({0}, "Which shifts keep the +1 in its block?"),
    ({0, 1}, "max(0, −1)"),
    ({0, 3}, "Choose only among the shifts [-2, -1, 0, 1, 2]"),
    (0, "Answer with a set of shifts"),
    ("{-1, 0}", "Answer with a set of shifts"),
])
def test_tolerated_shifts_explain_wrong_answers(answer, says):
    fb = ch05.q_tolerated_shifts(answer, **SHIFT_Q)
    assert not fb and says in fb.message


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({**SHIFT_Q, "shifts": (0, 5)}, ValueError, "each between -4 and 4"),
    ({**SHIFT_Q, "shifts": ()}, ValueError, "at least one shift"),
    ({**SHIFT_Q, "shifts": 2}, TypeError, "shifts must be a tuple of ints"),
    ({**SHIFT_Q, "shifts": (0, 0.5)}, TypeError, "shifts must be a tuple of ints"),
    ({**SHIFT_Q, "kernel_size": 1}, ValueError, "kernel_size must be >= 2"),
    ({**SHIFT_Q, "kernel_size": 7}, ValueError, "at most 6"),
])
def test_tolerated_shifts_reject_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        ch05.q_tolerated_shifts(..., **kwargs)


# ---------------------------------------------------------------- blanks
def test_unanswered_placeholders_get_a_nudge_not_a_crash():
    for fb in (ch05.q_default_stride(..., **STRIDE_Q), ch05.q_pool_shape(..., **SHAPE_Q),
               ch05.q_pool_shape((..., ..., ...), **SHAPE_Q), ch05.q_tolerated_shifts(..., **SHIFT_Q),
               ch05.q_pool2d(...)):
        assert not fb and "Not answered yet" in fb.message

    def todo(X, pool_size, mode="max"):
        raise NotImplementedError

    fb = ch05.q_pool2d(todo)
    assert not fb and "fill in the body" in fb.message


# ---------------------------------------------------------------- the edition's language


def _todo(X, pool_size, mode="max"):
    raise NotImplementedError


# Every feedback branch of every checker: (the checker call, right?).
FEEDBACK_CASES = {
    "stride right": (lambda: ch05.q_default_stride([[5, 7], [13, 15]], **STRIDE_Q), True),
    "stride 1": (lambda: ch05.q_default_stride(pool2d(X16, 2, stride=1), **STRIDE_Q), False),
    "stride mean": (lambda: ch05.q_default_stride([[2.5, 4.5], [10.5, 12.5]], **STRIDE_Q), False),
    "stride values": (lambda: ch05.q_default_stride([[5, 7], [13, 14]], **STRIDE_Q), False),
    "stride shape": (lambda: ch05.q_default_stride([5, 7, 13, 15], **STRIDE_Q), False),
    "stride not a tensor": (lambda: ch05.q_default_stride("five", **STRIDE_Q), False),
    "shape right": (lambda: ch05.q_pool_shape((3, 14, 14), **SHAPE_Q), True),
    "shape not numbers": (lambda: ch05.q_pool_shape("3, 14, 14", **SHAPE_Q), False),
    "shape no channels": (lambda: ch05.q_pool_shape((14, 14), **SHAPE_Q), False),
    "shape batch": (lambda: ch05.q_pool_shape((1, 3, 14, 14), **SHAPE_Q), False),
    "shape channel count": (lambda: ch05.q_pool_shape((1, 14, 14), **SHAPE_Q), False),
    "shape no padding": (lambda: ch05.q_pool_shape((3, 13, 13), **SHAPE_Q), False),
    "shape rounded up": (lambda: ch05.q_pool_shape((3, 15, 15), **SHAPE_Q), False),
    "shape stride 1": (lambda: ch05.q_pool_shape((3, 28, 28), **SHAPE_Q), False),
    "shape other": (lambda: ch05.q_pool_shape((3, 7, 7), **SHAPE_Q), False),
    "pool2d right": (lambda: ch05.q_pool2d(_loop_pool2d), True),
    "pool2d not a function": (lambda: ch05.q_pool2d(42), False),
    "pool2d todo": (lambda: ch05.q_pool2d(_todo), False),
    "pool2d raises": (lambda: ch05.q_pool2d(lambda X, p, m: X[100]), False),
    "pool2d list": (lambda: ch05.q_pool2d(lambda X, p, m: _loop_pool2d(X, p, m).tolist()), False),
    "pool2d shape": (lambda: ch05.q_pool2d(lambda X, p, m: _loop_pool2d(X, (p[0], p[0]), m)), False),
    "pool2d values": (lambda: ch05.q_pool2d(lambda X, p, m: _loop_pool2d(X, p, "max")), False),
    "shifts right": (lambda: ch05.q_tolerated_shifts({-1, 0}, **SHIFT_Q), True),
    "shifts not a set": (lambda: ch05.q_tolerated_shifts("{-1, 0}", **SHIFT_Q), False),
    "shifts not offered": (lambda: ch05.q_tolerated_shifts({0, 3}, **SHIFT_Q), False),
    "shifts other": (lambda: ch05.q_tolerated_shifts({0, 1}, **SHIFT_Q), False),
    "blank": (lambda: ch05.q_pool_shape(..., **SHAPE_Q), False),
}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("case", FEEDBACK_CASES, ids=str)
def test_feedback_speaks_the_editions_language(case, language, monkeypatch):
    monkeypatch.setenv("CONVLAB_LANGUAGE", language)
    check, right = FEEDBACK_CASES[case]
    assert_speaks(check(), right, language)


def test_chinese_feedback_carries_the_questions_numbers(monkeypatch):
    monkeypatch.setenv("CONVLAB_LANGUAGE", "zh")
    assert "⌊(28 + 2·1 − 3)/2⌋ + 1 = 14" in ch05.q_pool_shape((3, 14, 14), **SHAPE_Q).message
    assert "窗口大小 3" in ch05.q_default_stride(pool2d(X16, 3, stride=1), X=X16, kernel_size=3).message
    assert "第 3 列" in ch05.q_tolerated_shifts({-1, 0}, **SHIFT_Q).message
    assert "[-2, -1, 0, 1, 2]" in ch05.q_tolerated_shifts({0, 3}, **SHIFT_Q).message
    assert "{0, 2}" in ch05.q_tolerated_shifts(0, **SHIFT_Q).message
