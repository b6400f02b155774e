"""Chapter-04 exercise checkers: right answers pass, typical mistakes get a targeted hint."""

import torch
import torch.nn.functional as F
from torch import nn

from utils import corr2d, corr2d_multi_in_out
from utils.exercises import ch04


def test_output_shape():
    assert ch04.q_output_shape((16, 32, 32))
    assert ch04.q_output_shape(torch.Size([16, 32, 32]))
    fb = ch04.q_output_shape((3, 32, 32))
    assert not fb and "c_o, not the input's c_i" in fb.message
    fb = ch04.q_output_shape((16, 28, 28))
    assert not fb and "padding" in fb.message
    fb = ch04.q_output_shape((1, 16, 32, 32))
    assert not fb and "batch" in fb.message


def test_bias_shape():
    assert ch04.q_bias_shape((16,)) and ch04.q_bias_shape(16)
    fb = ch04.q_bias_shape((16, 3))
    assert not fb and "ONE" in fb.message
    assert not ch04.q_bias_shape((3,))


def test_num_params():
    assert ch04.q_num_params(16 * 3 * 5 * 5 + 16)
    fb = ch04.q_num_params(16 * 3 * 5 * 5)
    assert not fb and "add the biases" in fb.message
    fb = ch04.q_num_params(16 * 3 * 5 * 5 + 16 * 3)
    assert not fb and "one bias per output channel" in fb.message


def test_macs():
    assert ch04.q_macs(3 * 16 * 5 * 5 * 32 * 32)
    fb = ch04.q_macs(3 * 16 * 5 * 5 * 28 * 28)
    assert not fb and "padding" in fb.message
    fb = ch04.q_macs(2 * 3 * 16 * 5 * 5 * 32 * 32)
    assert not fb and "FLOPs" in fb.message
    assert not ch04.q_macs(1)


def test_corr2d_multi_in_out_checker():
    def mine(X, K):
        return torch.stack([sum(corr2d(x, k) for x, k in zip(X, Ko, strict=True)) for Ko in K])

    assert ch04.q_corr2d_multi_in_out(mine)
    assert ch04.q_corr2d_multi_in_out(corr2d_multi_in_out)
    # forgetting to sum over input channels
    fb = ch04.q_corr2d_multi_in_out(lambda X, K: torch.stack([corr2d(X[0], k[0]) for k in K]))
    assert not fb and "Σ_c" in fb.message
    # the convolution (flipped kernel) is not the cross-correlation
    fb = ch04.q_corr2d_multi_in_out(lambda X, K: F.conv2d(X[None], K.flip(-1, -2))[0])
    assert not fb
    fb = ch04.q_corr2d_multi_in_out(lambda X, K: corr2d_multi_in_out(X, K)[0])
    assert not fb and "shape" in fb.message
    fb = ch04.q_corr2d_multi_in_out(lambda X, K: 1 / 0)
    assert not fb and "ZeroDivisionError" in fb.message
    assert not ch04.q_corr2d_multi_in_out("not a function")


def test_linear_from_1x1():
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 2, kernel_size=1)
    linear = nn.Linear(3, 2)
    with torch.no_grad():
        linear.weight.copy_(conv.weight.reshape(2, 3))
        linear.bias.copy_(conv.bias)
    assert ch04.q_linear_from_1x1(linear)
    assert ch04.q_linear_from_1x1(linear, conv)
    fb = ch04.q_linear_from_1x1(nn.Linear(2, 3))
    assert not fb and "3 channels in and 2 out" in fb.message
    assert not ch04.q_linear_from_1x1(nn.Linear(3, 2))  # random weights
    fb = ch04.q_linear_from_1x1(nn.Linear(3, 2, bias=False))
    assert not fb and "bias" in fb.message
    assert not ch04.q_linear_from_1x1(conv)


def test_unanswered_placeholders_get_a_nudge_not_a_crash():
    for checker in (ch04.q_output_shape, ch04.q_bias_shape, ch04.q_num_params, ch04.q_macs):
        fb = checker(...)
        assert not fb and "Not answered yet" in fb.message

    def todo(X, K):
        raise NotImplementedError

    fb = ch04.q_corr2d_multi_in_out(todo)
    assert not fb and "fill in the body" in fb.message
    fb = ch04.q_linear_from_1x1(...)
    assert not fb and "Not answered yet" in fb.message
