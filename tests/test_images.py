"""The bundled sample photo loads offline, in the layout the lessons expect."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.images import load_grace_hopper, to_hwc


def test_full_photo_is_three_channels_in_unit_range():
    X = load_grace_hopper()
    assert X.shape == (3, 600, 512) and X.dtype == torch.float32
    assert 0.0 <= X.min().item() and X.max().item() <= 1.0
    # a real colour photo: the channels differ (it is not a grey image stored three times)
    assert (X[0] - X[2]).abs().mean().item() > 0.02


def test_downsample_is_block_average():
    full, small = load_grace_hopper(), load_grace_hopper(4)
    assert small.shape == (3, 150, 128)
    assert torch.allclose(small, F.avg_pool2d(full.unsqueeze(0), 4).squeeze(0))
    assert torch.allclose(small[:, 0, 0], full[:, :4, :4].mean(dim=(1, 2)))


def test_to_hwc_for_imshow():
    X = torch.tensor([[[2.0, -1.0]], [[0.5, 0.5]], [[0.0, 1.0]]])  # (3, 1, 2)
    A = to_hwc(X)
    assert isinstance(A, np.ndarray) and A.shape == (1, 2, 3)
    assert A[0, 0].tolist() == [1.0, 0.5, 0.0] and A[0, 1].tolist() == [0.0, 0.5, 1.0]  # clipped
    assert to_hwc(torch.zeros(4, 5)).shape == (4, 5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="downsample must be positive"):
        load_grace_hopper(0)
    with pytest.raises(TypeError, match="downsample must be an int"):
        load_grace_hopper(2.0)
    with pytest.raises(ValueError, match="3 colour channels"):
        to_hwc(torch.zeros(4, 5, 5))
    with pytest.raises(TypeError, match="X must be a torch.Tensor"):
        to_hwc([[0.0]])
