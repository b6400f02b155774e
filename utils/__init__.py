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
from .cost import conv2d_macs, conv2d_params, layer_macs, measured_macs
from .data import load_digits, load_fashion_mnist
from .fc import (
    conv_param_count,
    fc_from_v,
    fc_hidden,
    fc_param_count,
    kernel_to_fc_weight,
    shift2d,
    v_from_w,
    w_from_v,
)
from .images import load_grace_hopper, to_hwc
from .pool import pool2d
from .receptive import (
    conv_layer,
    footprints,
    gradient_receptive_field,
    pool_layer,
    receptive_field,
    receptive_fields,
)
from .shapes import conv_output_shape, d2l_output_shape, padding_per_side, same_padding
from .toeplitz import corr2d_as_matmul, corr2d_matrix, is_doubly_block_toeplitz
from .train import TrainingView, confusion_matrix, evaluate_accuracy, layer_shapes, lenet
from .widgets import (
    ConvLabWidget,
    draw_sliding_window,
    feature_maps,
    multi_channel,
    padding_stride,
    param_counts,
    pooling_window,
    receptive_field_widget,
    shift_responses,
    sliding_window,
    trained_receptive_field,
    window_arithmetic,
)

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
    "conv2d_macs",
    "conv2d_params",
    "layer_macs",
    "measured_macs",
    "load_grace_hopper",
    "to_hwc",
    "multi_channel",
    "pooling_window",
    "conv_layer",
    "footprints",
    "gradient_receptive_field",
    "pool_layer",
    "receptive_field",
    "receptive_field_widget",
    "receptive_fields",
    "corr2d_as_matmul",
    "corr2d_matrix",
    "is_doubly_block_toeplitz",
    "conv_param_count",
    "fc_from_v",
    "fc_hidden",
    "fc_param_count",
    "kernel_to_fc_weight",
    "shift2d",
    "v_from_w",
    "w_from_v",
    "d2l_output_shape",
    "padding_per_side",
    "same_padding",
    "padding_stride",
    "param_counts",
    "shift_responses",
    "TrainingView",
    "confusion_matrix",
    "evaluate_accuracy",
    "feature_maps",
    "layer_shapes",
    "lenet",
    "load_digits",
    "load_fashion_mnist",
    "trained_receptive_field",
]
