"""Chapter-05 exercise checkers: right answers pass, typical mistakes get a targeted hint."""

import torch
from torch import nn

from utils import corr2d, pool2d
from utils.exercises import ch05


def test_default_stride():
    assert ch05.q_default_stride(nn.MaxPool2d(2)(torch.arange(16.0).reshape(1, 1, 4, 4))[0, 0])
    assert ch05.q_default_stride([[5, 7], [13, 15]])
    fb = ch05.q_default_stride(pool2d(torch.arange(16.0).reshape(4, 4), 2, stride=1))
    assert not fb and "stride 1" in fb.message
    assert not ch05.q_default_stride([[5, 7], [13, 14]])
    assert not ch05.q_default_stride("five")


def test_pool_shape():
    assert ch05.q_pool_shape((3, 14, 14)) and ch05.q_pool_shape([3, 14, 14])
    fb = ch05.q_pool_shape((1, 14, 14))
    assert not fb and "each channel separately" in fb.message
    assert not ch05.q_pool_shape((3, 13, 13))


def test_pool2d_checker():
    def mine(X, pool_size, mode="max"):
        p_h, p_w = pool_size
        Y = torch.zeros(X.shape[0] - p_h + 1, X.shape[1] - p_w + 1)
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                win = X[i:i + p_h, j:j + p_w]
                Y[i, j] = win.max() if mode == "max" else win.mean()
        return Y

    assert ch05.q_pool2d(mine)
    fb = ch05.q_pool2d(lambda X, p, m: mine(X, p, "max"))  # ignores the mode
    assert not fb and "'avg'" in fb.message
    fb = ch05.q_pool2d(lambda X, p, m: mine(X, (p[0], p[0]), m))  # square windows only
    assert not fb and "shape" in fb.message
    fb = ch05.q_pool2d(lambda X, p, m: X[100])
    assert not fb and "IndexError" in fb.message
    assert not ch05.q_pool2d(42)


def test_edge_image_is_chapter_02_picture_moved():
    X = ch05.edge_image(0, width=8)
    assert X.shape == (6, 8) and X[:, 4:].sum() == 0 and X[:, :4].sum() == 24
    X = ch05.edge_image(-2, width=8)
    ref = torch.ones(6, 8)
    ref[:, 2:6] = 0
    assert torch.equal(X, ref)  # shift −2 on the width-8 canvas is exactly chapter 02's X


def test_tolerated_shifts_agrees_with_a_direct_computation():
    K = torch.tensor([[1.0, -1.0]])
    base = pool2d(corr2d(ch05.edge_image(0), K), 2, stride=2)
    truth = {s for s in ch05.SHIFT_CHOICES if torch.equal(pool2d(corr2d(ch05.edge_image(s), K), 2, stride=2), base)}
    assert 0 in truth and len(truth) < len(ch05.SHIFT_CHOICES)  # some shifts survive, some do not
    assert ch05.q_tolerated_shifts(truth) and ch05.q_tolerated_shifts(sorted(truth))
    assert not ch05.q_tolerated_shifts(set(ch05.SHIFT_CHOICES))
    assert not ch05.q_tolerated_shifts({0})
    assert not ch05.q_tolerated_shifts(3)


def test_unanswered_placeholders_get_a_nudge_not_a_crash():
    for checker in (ch05.q_default_stride, ch05.q_pool_shape, ch05.q_tolerated_shifts):
        fb = checker(...)
        assert not fb and "Not answered yet" in fb.message

    def todo(X, pool_size, mode="max"):
        raise NotImplementedError

    fb = ch05.q_pool2d(todo)
    assert not fb and "fill in the body" in fb.message
