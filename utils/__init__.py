"""ConvLab's shared code: the primitives the chapters teach, vectorised and tested.

    from utils import corr2d, pool2d, conv_output_shape, lenet, train, sliding_window

Every public name is importable from here; each lives in the module named
after its concept (``utils.conv``, ``utils.pool``, ``utils.shapes``, ``utils.cost``,
``utils.fc``, ``utils.toeplitz``, ``utils.receptive``, ``utils.images``,
``utils.data``, ``utils.models``, ``utils.training``, ``utils.widgets``).
"""

from . import widgets
from .conv import (
    convolve2d,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out,
    corr2d_multi_in_out_1x1,
    sliding_windows,
)
from .cost import conv2d_macs, conv2d_params, layer_macs, measured_macs
from .data import load_digits, load_fashion_mnist, random_shift, split_digits
from .fc import (
    fc_from_v,
    fc_hidden,
    fc_param_count,
    kernel_to_fc_weight,
    shift2d,
    v_from_w,
    w_from_v,
)
from .images import load_grace_hopper, to_hwc
from .models import BOOK_RECIPE, MODERN_RECIPE, Recipe, layer_shapes, lenet
from .pool import pool2d
from .receptive import (
    Layer,
    ReceptiveField,
    conv_layer,
    footprints,
    gradient_receptive_field,
    pool_layer,
    receptive_field,
    receptive_fields,
    to_layers,
)
from .shapes import conv_output_shape, d2l_output_shape, padding_per_side, same_padding
from .toeplitz import corr2d_as_matmul, corr2d_matrix, is_doubly_block_toeplitz, is_toeplitz, toeplitz_blocks
from .training import History, TrainingView, confusion_matrix, evaluate_accuracy, predict, train
from .widgets import *  # noqa: F403  (every widget in utils.widgets.__all__)

__all__ = [
    # conv
    "convolve2d",
    "corr2d",
    "corr2d_multi_in",
    "corr2d_multi_in_out",
    "corr2d_multi_in_out_1x1",
    "sliding_windows",
    # cost
    "conv2d_macs",
    "conv2d_params",
    "layer_macs",
    "measured_macs",
    # data
    "load_digits",
    "load_fashion_mnist",
    "random_shift",
    "split_digits",
    # fc
    "fc_from_v",
    "fc_hidden",
    "fc_param_count",
    "kernel_to_fc_weight",
    "shift2d",
    "v_from_w",
    "w_from_v",
    # images
    "load_grace_hopper",
    "to_hwc",
    # models
    "BOOK_RECIPE",
    "MODERN_RECIPE",
    "Recipe",
    "layer_shapes",
    "lenet",
    # pool
    "pool2d",
    # receptive
    "Layer",
    "ReceptiveField",
    "conv_layer",
    "footprints",
    "gradient_receptive_field",
    "pool_layer",
    "receptive_field",
    "receptive_fields",
    "to_layers",
    # shapes
    "conv_output_shape",
    "d2l_output_shape",
    "padding_per_side",
    "same_padding",
    # toeplitz
    "corr2d_as_matmul",
    "corr2d_matrix",
    "is_doubly_block_toeplitz",
    "is_toeplitz",
    "toeplitz_blocks",
    # train
    "History",
    "TrainingView",
    "confusion_matrix",
    "evaluate_accuracy",
    "predict",
    "train",
    # widgets
    *widgets.__all__,
]
