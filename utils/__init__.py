"""ConvLab's shared code: the primitives the chapters teach, vectorised and tested.

    from utils import corr2d, pool2d, conv_output_shape, sliding_window
"""

from .conv import (
    convolve2d,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out,
    corr2d_multi_in_out_1x1,
    sliding_windows,
)
from .pool import pool2d
from .shapes import conv_output_shape
from .widgets import ConvLabWidget, draw_sliding_window, sliding_window, window_arithmetic

__all__ = [
    "ConvLabWidget",
    "conv_output_shape",
    "convolve2d",
    "corr2d",
    "corr2d_multi_in",
    "corr2d_multi_in_out",
    "corr2d_multi_in_out_1x1",
    "draw_sliding_window",
    "pool2d",
    "sliding_window",
    "sliding_windows",
    "window_arithmetic",
]
