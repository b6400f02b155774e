"""Interactive widgets, one per concept chapter (drawing kept apart from wiring)."""

from ._base import ConvLabWidget, figure_png
from .channels import channel_sum, draw_multi_channel, multi_channel
from .fc_vs_conv import draw_param_counts, draw_shift_responses, param_counts, shift_responses
from .features import draw_feature_maps, draw_trained_receptive_field, feature_maps, trained_receptive_field
from .padding import conv2d_call, draw_padding, padding_stride, shape_formula
from .pooling import draw_pooling, pooling_window
from .receptive import draw_receptive_field, receptive_field_widget
from .sliding import draw_sliding_window, sliding_window, window_arithmetic

__all__ = [
    "ConvLabWidget",
    "figure_png",
    "draw_sliding_window",
    "sliding_window",
    "window_arithmetic",
    "channel_sum",
    "draw_multi_channel",
    "multi_channel",
    "draw_pooling",
    "pooling_window",
    "draw_receptive_field",
    "receptive_field_widget",
    "draw_param_counts",
    "draw_shift_responses",
    "param_counts",
    "shift_responses",
    "conv2d_call",
    "draw_padding",
    "padding_stride",
    "shape_formula",
    "draw_feature_maps",
    "draw_trained_receptive_field",
    "feature_maps",
    "trained_receptive_field",
]
