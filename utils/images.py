"""Real images for the lessons, loaded offline.

matplotlib ships a photo of Grace Hopper among its sample data, so every
installation (Colab, Binder, a laptop without internet) has one RGB picture.
"""

from __future__ import annotations

import matplotlib.cbook as cbook
import matplotlib.image as mpimg
import numpy as np
import torch
import torch.nn.functional as F

from ._checks import check_int, check_tensor

__all__ = ["load_grace_hopper", "to_hwc"]


def load_grace_hopper(downsample: int = 1) -> torch.Tensor:
    """The ``grace_hopper.jpg`` sample photo as a float tensor in [0, 1].

    Returns X: (3, H, W), channels in R, G, B order; the full photo is
    (3, 600, 512). ``downsample=f`` averages every f×f block of pixels
    (average pooling), giving (3, 600 // f, 512 // f), which keeps the
    lessons' loops and plots fast.
    """
    downsample = check_int(downsample, "downsample", 1)
    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    img = np.asarray(mpimg.imread(path))
    if img.dtype == np.uint8:
        img = img.astype(np.float32) / 255.0
    X = torch.from_numpy(np.ascontiguousarray(img[..., :3])).permute(2, 0, 1).float()
    if downsample > 1:
        X = F.avg_pool2d(X.unsqueeze(0), downsample).squeeze(0)
    return X.contiguous()


def to_hwc(X: torch.Tensor) -> np.ndarray:
    """A (3, H, W) or (H, W) tensor as an array ``imshow`` accepts, clipped to [0, 1].

    X: (3, H, W) → (H, W, 3); X: (H, W) → (H, W).
    """
    X = check_tensor(X, "X", (2, 3), "(3, H, W) or (H, W)")
    if X.ndim == 3 and X.shape[0] != 3:
        raise ValueError(f"X must have 3 colour channels first, shape (3, H, W); got {tuple(X.shape)}")
    A = X.detach().cpu().float()
    if A.ndim == 3:
        A = A.permute(1, 2, 0)
    return A.clamp(0, 1).numpy()
