"""Interactive widgets, one per concept chapter (drawing kept apart from wiring)."""

from ._base import ConvLabWidget, figure_png
from .sliding import draw_sliding_window, sliding_window, window_arithmetic

__all__ = [
    "ConvLabWidget",
    "figure_png",
    "draw_sliding_window",
    "sliding_window",
    "window_arithmetic",
]
