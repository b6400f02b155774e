"""Argument checks, the one place for them in ConvLab.

Every public function validates its input here so that a student gets a
``TypeError`` (wrong type) or ``ValueError`` (wrong value) naming the
argument, not a PyTorch traceback, and the same words for the same mistake.
"""

from __future__ import annotations

import numbers

import torch

Pair = tuple[int, int]
IntOrPair = int | tuple[int, int]


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def as_pair(
    value: IntOrPair, name: str, *, minimum: int | None, labels: str = "(h, w)"
) -> Pair:
    """Return ``value`` as a pair of ints, each ``>= minimum`` (None: any int).

    ``labels`` names the pair in error messages, e.g. ``"(dy, dx)"``.
    """
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or an {labels} pair, got {value!r}")
        items = tuple(value)
    else:
        items = (value, value)
    for item in items:
        if not _is_int(item):
            raise TypeError(
                f"{name} must be an int or an {labels} pair of ints, got {value!r}"
            )
    pair = (int(items[0]), int(items[1]))
    if minimum is not None and min(pair) < minimum:
        raise ValueError(f"{name} must be {_bound(minimum)}, got {value!r}")
    return pair


def _bound(minimum: int) -> str:
    return "positive" if minimum == 1 else "non-negative" if minimum == 0 else f">= {minimum}"


def check_int(value: object, name: str, minimum: int) -> int:
    """Return ``value`` as an int ``>= minimum``: TypeError if it is not an int (bools
    excluded), ValueError if it is too small."""
    if not _is_int(value):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be {_bound(minimum)}, got {value!r}")
    return int(value)


def check_positive_number(value: object, name: str) -> float:
    """Return ``value`` as a float ``> 0`` (a learning rate, a timeout)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return float(value)


def check_shape(value: object, name: str) -> tuple[int, ...]:
    """Return ``value`` as a non-empty tuple of positive ints, such as ``(1, 1, 28, 28)``."""
    message = f"{name} must be a non-empty tuple of positive ints, got {value!r}"
    if not isinstance(value, (tuple, list)) or not all(_is_int(n) for n in value):
        raise TypeError(message)
    if not value or min(value) < 1:
        raise ValueError(message)
    return tuple(int(n) for n in value)


def check_choice(value: object, name: str, choices: tuple[object, ...]) -> None:
    """Raise ValueError unless ``value`` is one of ``choices``: "mode must be 'max' or 'avg'"."""
    if value not in choices:
        names = [repr(c) for c in choices]
        options = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        raise ValueError(f"{name} must be {options}, got {value!r}")


def check_tensor(X: object, name: str, ndims: tuple[int, ...], shape_doc: str) -> torch.Tensor:
    """Check that ``X`` is a tensor with one of ``ndims`` dimensions.

    Integer and boolean tensors are promoted to the default float dtype, so
    ``torch.tensor([[0, 1], [2, 3]])`` works the way a student expects.
    """
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape {shape_doc}, got {type(X).__name__}")
    if X.ndim not in ndims:
        raise ValueError(
            f"{name} must have shape {shape_doc} ({' or '.join(map(str, ndims))}-D), "
            f"got a {X.ndim}-D tensor of shape {tuple(X.shape)}"
        )
    if not (X.is_floating_point() or X.is_complex()):
        X = X.to(torch.get_default_dtype())
    return X


def common_dtype(X: torch.Tensor, K: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Cast ``X`` and ``K`` to one dtype (as ``X * K`` would)."""
    dtype = torch.promote_types(X.dtype, K.dtype)
    return X.to(dtype), K.to(dtype)


def check_fits(
    input_hw: Pair, kernel_hw: Pair, padding: Pair, dilation: Pair, what: str = "kernel"
) -> None:
    """Raise if the (dilated) kernel does not fit inside the padded input."""
    for axis, n, k, p, d in zip(("height", "width"), input_hw, kernel_hw, padding, dilation):
        span = d * (k - 1) + 1
        if span > n + 2 * p:
            dil = f" (dilated span {span})" if d > 1 else ""
            raise ValueError(
                f"{what} {axis} {k}{dil} is larger than the padded input {axis} "
                f"{n} + 2*{p} = {n + 2 * p}; use a smaller {what} or more padding"
            )


def check_index(value: object, name: str, n: int, where: str = "") -> int:
    """``value`` as an int in [0, n): which output cell, channel or layer to show."""
    if check_int(value, name, 0) >= n:
        raise ValueError(f"{name} must be in [0, {n - 1}]{where}, got {value}")
    return int(value)
