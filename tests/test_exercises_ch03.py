"""Chapter 03 checkers: PyTorch is the oracle; every invited answer form passes, the usual slips get
their own hint, and bad question parameters raise."""

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from feedback_language import CJK
from torch import nn

from utils.exercises import ch03

# the questions as the notebook asks them
OUTPUT_Q = {"input_size": (32, 28), "kernel_size": 5, "padding": 2, "stride": 3}
DILATED_Q = {"input_size": 10, "kernel_size": 3, "dilation": 2}
STEM_Q = {"input_size": 224, "kernel_size": 7, "padding": 3, "stride": 2}
SAME_Q = {"input_size": 28, "kernel_size": 7}
FOUR_5x5 = [nn.Conv2d(1, 1, 5) for _ in range(4)]


def torch_shape(input_size, kernel_size, padding=0, stride=1, dilation=1):
    n = input_size if isinstance(input_size, tuple) else (input_size, input_size)
    conv = nn.Conv2d(1, 1, kernel_size, padding=padding, stride=stride, dilation=dilation)
    return tuple(conv(torch.zeros(1, 1, *n)).shape[-2:])


def forms(shape):
    """Every way the prompt invites an (h, w) answer to be written."""
    h, w = shape
    return [(h, w), [h, w], torch.Size([h, w]), torch.tensor([h, w]), (float(h), float(w)),
            (np.int64(h), np.int64(w))]


@pytest.mark.parametrize("q", [OUTPUT_Q, DILATED_Q, STEM_Q], ids=["output", "dilated", "stem"])
def test_output_shape_accepts_the_right_shape_in_every_form(q):
    right = torch_shape(**q)
    for answer in forms(right):
        fb = ch03.q_output_shape(answer, **q)
        assert fb, (answer, fb.message)
        assert "With the numbers filled in" in fb.message


def test_output_shape_messages_show_the_arithmetic():
    assert "11 rows" in ch03.q_output_shape((11, 10), **OUTPUT_Q).message
    assert "spans 2·(3 − 1) + 1 = 5 cells" in ch03.q_output_shape((6, 6), **DILATED_Q).message
    assert "224 / 2" in ch03.q_output_shape((112, 112), **STEM_Q).message


def test_output_shape_of_a_square_output_may_be_one_int():
    right = torch_shape(**DILATED_Q)
    assert right[0] == right[1]
    assert ch03.q_output_shape(right[0], **DILATED_Q)
    assert ch03.q_output_shape(float(right[0]), **DILATED_Q)
    fb = ch03.q_output_shape(torch_shape(**OUTPUT_Q)[0], **OUTPUT_Q)
    assert not fb and "not square" in fb.message


@pytest.mark.parametrize(("q", "slip", "message"), [
    (OUTPUT_Q, dict(padding=0), "ignores the padding"),
    (STEM_Q, dict(padding=0), "ignores the padding"),
    (DILATED_Q, dict(dilation=1), "taps were next to each other"),
    (STEM_Q, dict(stride=1), "output at stride 1"),
], ids=["no-pad", "stem-no-pad", "no-dilation", "no-stride"])
def test_output_shape_names_the_slip(q, slip, message):
    wrong = torch_shape(**{**q, **slip})
    assert wrong != torch_shape(**q)
    fb = ch03.q_output_shape(wrong, **q)
    assert not fb and message in fb.message


def test_output_shape_catches_padding_once_rounding_up_off_by_one_and_swaps():
    n, k, p, s = OUTPUT_Q["input_size"], OUTPUT_Q["kernel_size"], OUTPUT_Q["padding"], OUTPUT_Q["stride"]
    once = tuple((ni + p - k) // s + 1 for ni in n)
    assert "padding once" in ch03.q_output_shape(once, **OUTPUT_Q).message
    up = tuple(-(-(ni + 2 * p - k) // s) + 1 for ni in n)
    assert up != torch_shape(**OUTPUT_Q)
    assert "rounded up" in ch03.q_output_shape(up, **OUTPUT_Q).message
    h, w = torch_shape(**DILATED_Q)
    assert "Off by one" in ch03.q_output_shape((h - 1, w - 1), **DILATED_Q).message
    h, w = torch_shape(**OUTPUT_Q)
    assert "swapped" in ch03.q_output_shape((w, h), **OUTPUT_Q).message
    fb = ch03.q_output_shape((h + 5, w + 5), **OUTPUT_Q)
    assert not fb and "on each axis" in fb.message


@pytest.mark.parametrize(("answer", "message"), [
    ("11, 10", "(h, w) pair"),
    ((1, 1, 11, 10), "(N, C, H, W)"),
    ((11, 10, 1), "Expected two numbers"),
    ((10.5, 10), "whole number of rows"),
    ((True, 10), "whole number of rows"),
])
def test_output_shape_explains_answers_of_the_wrong_form(answer, message):
    fb = ch03.q_output_shape(answer, **OUTPUT_Q)
    assert not fb and message in fb.message


def test_output_shape_rejects_bad_question_parameters():
    with pytest.raises(ValueError, match="kernel height 5 is larger than the padded input height"):
        ch03.q_output_shape((1, 1), input_size=4, kernel_size=5)
    with pytest.raises(ValueError, match="stride must be positive"):
        ch03.q_output_shape((1, 1), input_size=8, kernel_size=3, stride=0)
    with pytest.raises(TypeError, match="kernel_size must be an int or an"):
        ch03.q_output_shape((1, 1), input_size=8, kernel_size=2.5)


@pytest.mark.parametrize("answer", [3, 3.0, (3, 3), [3, 3], torch.tensor(3), np.int64(3), "same", " Same "])
def test_same_padding_accepts_every_right_form(answer):
    assert ch03.q_same_padding(answer, **SAME_Q)


def test_same_padding_matches_pytorch_and_names_the_slips():
    n, k = SAME_Q["input_size"], SAME_Q["kernel_size"]
    right = next(p for p in range(10) if torch_shape(n, k, p) == (n, n))
    assert ch03.q_same_padding(right, **SAME_Q)
    total = ch03.q_same_padding(2 * right, **SAME_Q)
    assert not total and "TOTAL padding" in total.message
    short = ch03.q_same_padding(right - 1, **SAME_Q)
    assert not short and f"the output is {n - 2}×{n - 2}" in short.message
    assert not ch03.q_same_padding((right, right + 1), **SAME_Q)
    assert "does not even fit" in ch03.q_same_padding(0, input_size=3, kernel_size=7).message


@pytest.mark.parametrize(("answer", "message"), [
    (-1, "cannot be negative"),
    (1.5, "whole number of rows"),
    (True, "whole number of rows"),
    ("three", "got the text 'three'"),
])
def test_same_padding_explains_answers_of_the_wrong_form(answer, message):
    fb = ch03.q_same_padding(answer, **SAME_Q)
    assert not fb and message in fb.message


def test_same_padding_rejects_bad_question_parameters():
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        ch03.q_same_padding(1, input_size=28, kernel_size=4)
    with pytest.raises(ValueError, match="input_size must be positive"):
        ch03.q_same_padding(1, input_size=0, kernel_size=3)
    with pytest.raises(TypeError, match="kernel_size must be an int"):
        ch03.q_same_padding(1, input_size=28, kernel_size=3.0)


def test_receptive_field_is_the_shared_checker():
    from utils.exercises._core import q_receptive_field

    assert ch03.q_receptive_field is q_receptive_field
    assert ch03.q_receptive_field(17, layers=FOUR_5x5)
    assert ch03.q_receptive_field((17, 17), layers=FOUR_5x5)
    assert "overlap" in ch03.q_receptive_field(20, layers=FOUR_5x5).message
    assert not ch03.q_receptive_field(9, layers=FOUR_5x5)


def reflect(X, p):
    return F.pad(X[None, None], (p, p, p, p), mode="reflect")[0, 0]


def mirror_loop(X, p):  # a student's from-scratch answer
    idx_r = [abs(r) if r < X.shape[0] else 2 * (X.shape[0] - 1) - r for r in range(-p, X.shape[0] + p)]
    idx_c = [abs(c) if c < X.shape[1] else 2 * (X.shape[1] - 1) - c for c in range(-p, X.shape[1] + p)]
    return X[idx_r][:, idx_c]


def mirror_numpy(X, p):  # numpy's "reflect" is the same padding, returned as an array
    return np.pad(X.numpy(), p, mode="reflect")


def mirror_list(X, p):
    return mirror_loop(X, p).tolist()


@pytest.mark.parametrize("fn", [reflect, mirror_loop, mirror_numpy, mirror_list])
def test_mirror_padding_accepts_right_functions(fn):
    assert ch03.q_mirror_padding(fn)


def test_mirror_padding_names_the_slips():
    def replicate(X, p):
        return F.pad(X[None, None], (p, p, p, p), mode="replicate")[0, 0]

    def zeros(X, p):
        return F.pad(X, (p, p, p, p))

    def crash(X, p):
        raise RuntimeError("oops")

    assert "replicate" in ch03.q_mirror_padding(replicate).message
    assert "wrong values" in ch03.q_mirror_padding(zeros).message
    assert "raised RuntimeError: oops" in ch03.q_mirror_padding(crash).message
    assert "the padded image has shape (5, 5)" in ch03.q_mirror_padding(lambda X, p: X).message
    assert "returned a str" in ch03.q_mirror_padding(lambda X, p: "padded").message
    assert "Pass your function" in ch03.q_mirror_padding(42).message


def test_blanks_say_not_answered_yet():
    for blank in (..., (..., ...), None):
        for q in (OUTPUT_Q, DILATED_Q, STEM_Q):
            assert "Not answered yet" in ch03.q_output_shape(blank, **q).message
        assert "Not answered yet" in ch03.q_same_padding(blank, **SAME_Q).message
        assert "Not answered yet" in ch03.q_receptive_field(blank, layers=FOUR_5x5).message

    def todo(X, p):
        raise NotImplementedError

    assert "fill in the body" in ch03.q_mirror_padding(todo).message


# ---------------------------------------------------------------- the Chinese edition's feedback


def _todo(X, p):
    raise NotImplementedError


def _crash(X, p):
    raise RuntimeError("oops")


def _replicate(X, p):
    return F.pad(X[None, None], (p, p, p, p), mode="replicate")[0, 0]


# (checker, answer, question, the Chinese words that name this branch): one case per message of ch03
ZH_CASES = [
    ("q_output_shape", (11, 10), OUTPUT_Q, "11 行"),
    ("q_output_shape", (6, 6), DILATED_Q, "膨胀后的卷积核横跨"),
    ("q_output_shape", (112, 112), STEM_Q, "只要 s 整除 n"),
    ("q_output_shape", (8, 8), {"input_size": 8, "kernel_size": 3, "padding": 1}, "两个轴都是"),
    ("q_output_shape", "11, 10", OUTPUT_Q, "一对数"),
    ("q_output_shape", 11, OUTPUT_Q, "不是正方形"),
    ("q_output_shape", (1, 1, 11, 10), OUTPUT_Q, "(N, C, H, W)"),
    ("q_output_shape", (11, 10, 1), OUTPUT_Q, "你给了 3 个"),
    ("q_output_shape", (10.5, 10), OUTPUT_Q, "都是整数"),
    ("q_output_shape", (10, 11), OUTPUT_Q, "写反了"),
    ("q_output_shape", (10, 8), OUTPUT_Q, "忽略了填充"),
    ("q_output_shape", (8, 8), DILATED_Q, "紧挨着"),
    ("q_output_shape", (224, 224), STEM_Q, "步幅为 1 时的输出"),
    ("q_output_shape", (10, 9), OUTPUT_Q, "只加了一次填充"),
    ("q_output_shape", (12, 10), OUTPUT_Q, "向上取整"),
    ("q_output_shape", (5, 5), DILATED_Q, "差了 1"),
    ("q_output_shape", (16, 15), OUTPUT_Q, "每个轴上都是"),
    ("q_output_shape", ..., OUTPUT_Q, "还没有作答"),
    ("q_same_padding", 3, SAME_Q, "正好保持 28×28"),
    ("q_same_padding", "same", SAME_Q, "padding='same' 保持"),
    ("q_same_padding", "three", SAME_Q, "文本 'three'"),
    ("q_same_padding", 1.5, SAME_Q, "整数的行数"),
    ("q_same_padding", -1, SAME_Q, "不能为负"),
    ("q_same_padding", 6, SAME_Q, "总填充"),
    ("q_same_padding", 0, {"input_size": 3, "kernel_size": 7}, "根本放不下"),
    ("q_same_padding", 2, SAME_Q, "输出是 26×26"),
    ("q_mirror_padding", reflect, {}, "一致"),
    ("q_mirror_padding", 42, {}, "传入函数本身"),
    ("q_mirror_padding", _todo, {}, "补全函数体"),
    ("q_mirror_padding", _crash, {}, "抛出了 RuntimeError: oops"),
    ("q_mirror_padding", lambda X, p: "padded", {}, "返回的是 str"),
    ("q_mirror_padding", lambda X, p: X, {}, "形状应为 (5, 5)"),
    ("q_mirror_padding", _replicate, {}, "重复边缘值"),
    ("q_mirror_padding", lambda X, p: F.pad(X, (p, p, p, p)), {}, "数值不对"),
    ("q_receptive_field", 17, {"layers": FOUR_5x5}, "17×17"),
    ("q_receptive_field", 20, {"layers": FOUR_5x5}, "重叠"),
]


@pytest.mark.parametrize(("checker", "answer", "q", "words"), ZH_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(ZH_CASES)])
def test_feedback_speaks_chinese_in_the_chinese_edition(monkeypatch, checker, answer, q, words):
    monkeypatch.setenv("CONVLAB_LANGUAGE", "en")
    english = getattr(ch03, checker)(answer, **q)
    monkeypatch.setenv("CONVLAB_LANGUAGE", "zh")
    fb = getattr(ch03, checker)(answer, **q)
    assert fb.correct == english.correct, "the verdict does not depend on the language"
    assert CJK.search(fb.message) and words in fb.message, fb.message
    assert not re.search(r"\b(Hint|You|Your|Expected|That|With)\b", fb.message), fb.message
    assert str(fb).startswith("✅ 答对了！" if fb else "❌ 还不对。")


def test_every_checker_has_a_right_and_a_wrong_case_in_chinese():
    verdicts = {}
    for checker, answer, q, _ in ZH_CASES:
        verdicts.setdefault(checker, set()).add(bool(getattr(ch03, checker)(answer, **q)))
    assert verdicts == {name: {True, False} for name in ch03.__all__}
