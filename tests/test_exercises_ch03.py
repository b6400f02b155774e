"""Chapter 03 checkers: answers come from the library; slips get targeted hints."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from utils.exercises import ch03


def torch_shape(n, k, p=0, s=1, d=1):
    n = n if isinstance(n, tuple) else (n, n)
    return tuple(nn.Conv2d(1, 1, k, padding=p, stride=s, dilation=d)(torch.zeros(1, 1, *n)).shape[-2:])


def test_output_shape():
    q = ch03.OUTPUT_SHAPE_Q
    right = torch_shape(q["input_size"], q["kernel_size"], q["padding"], q["stride"])
    assert ch03.q_output_shape(right)
    assert ch03.q_output_shape(list(right)) and ch03.q_output_shape(torch.Size(right))
    no_pad = torch_shape(q["input_size"], q["kernel_size"], 0, q["stride"])
    assert "ignores the padding" in ch03.q_output_shape(no_pad).message
    once = tuple((n + q["padding"] - q["kernel_size"]) // q["stride"] + 1 for n in q["input_size"])
    assert "padding once" in ch03.q_output_shape(once).message
    assert "(h, w) pair" in ch03.q_output_shape(11).message


def test_resnet_stem_rounding_up_is_caught():
    q = ch03.RESNET_STEM_Q
    right = torch_shape(q["input_size"], q["kernel_size"], q["padding"], q["stride"])
    assert ch03.q_resnet_stem(right)
    fb = ch03.q_resnet_stem((right[0] + 1, right[1] + 1))
    assert not fb and "rounded up" in fb.message


def test_dilated_shape():
    q = ch03.DILATED_Q
    assert ch03.q_dilated_shape(torch_shape(q["input_size"], q["kernel_size"], d=q["dilation"]))
    right = torch_shape(q["input_size"], q["kernel_size"], d=q["dilation"])
    undilated = torch_shape(q["input_size"], q["kernel_size"])
    assert not ch03.q_dilated_shape(undilated)
    assert "Off by one" in ch03.q_dilated_shape((right[0] - 1, right[1] - 1)).message


def test_same_padding():
    q = ch03.SAME_PADDING_Q
    right = next(p for p in range(10) if torch_shape(q["input_size"], q["kernel_size"], p) == (q["input_size"],) * 2)
    assert ch03.q_same_padding(right)
    assert "TOTAL padding" in ch03.q_same_padding(2 * right).message
    assert not ch03.q_same_padding(right - 1)
    assert "non-negative int" in ch03.q_same_padding(-1).message
    assert "non-negative int" in ch03.q_same_padding(1.5).message


@pytest.mark.parametrize(("layers", "k", "expected"), [(1, 3, 3), (2, 3, 5), (3, 3, 7), (2, 5, 9), (4, 1, 1)])
def test_receptive_field_by_autograd(layers, k, expected):
    assert ch03.receptive_field_by_autograd(layers, k) == expected == 1 + layers * (k - 1)


def test_receptive_field_question():
    q = ch03.RECEPTIVE_Q
    assert ch03.q_receptive_field(1 + q["layers"] * (q["kernel_size"] - 1))
    assert "do not simply add up" in ch03.q_receptive_field(q["layers"] * q["kernel_size"]).message
    assert not ch03.q_receptive_field("7")
    with pytest.raises(ValueError, match="layers must be a positive int"):
        ch03.receptive_field_by_autograd(0, 3)


def test_mirror_padding():
    def reflect(X, p):
        return F.pad(X[None, None], (p, p, p, p), mode="reflect")[0, 0]

    def mirror_loop(X, p):  # a student's from-scratch answer
        idx_r = [abs(r) if r < X.shape[0] else 2 * (X.shape[0] - 1) - r for r in range(-p, X.shape[0] + p)]
        idx_c = [abs(c) if c < X.shape[1] else 2 * (X.shape[1] - 1) - c for c in range(-p, X.shape[1] + p)]
        return X[idx_r][:, idx_c]

    def replicate(X, p):
        return F.pad(X[None, None], (p, p, p, p), mode="replicate")[0, 0]

    def zeros(X, p):
        return F.pad(X, (p, p, p, p))

    def crash(X, p):
        raise RuntimeError("oops")

    assert ch03.q_mirror_padding(reflect)
    assert ch03.q_mirror_padding(mirror_loop)
    assert "replicate" in ch03.q_mirror_padding(replicate).message
    assert "Wrong values" in ch03.q_mirror_padding(zeros).message
    assert "raised RuntimeError: oops" in ch03.q_mirror_padding(crash).message
    assert "expected shape" in ch03.q_mirror_padding(lambda X, p: X).message
    assert "Pass your function" in ch03.q_mirror_padding(42).message


def test_blanks_say_not_answered_yet():
    for q in (ch03.q_output_shape, ch03.q_dilated_shape, ch03.q_resnet_stem):
        assert "Not answered yet" in q(...).message
        assert "Not answered yet" in q((..., ...)).message
    assert "Not answered yet" in ch03.q_same_padding(...).message
    assert "Not answered yet" in ch03.q_receptive_field(...).message

    def todo(X, p):
        raise NotImplementedError

    assert "fill in the body" in ch03.q_mirror_padding(todo).message
