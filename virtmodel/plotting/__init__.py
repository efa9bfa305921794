"""Figures for coursework: one style, LaTeX-sized figures, PDF/SVG/PNG export.

Compute, then present: each ``*_plot`` draws what its ``*_data`` function
returns and gives back ``(fig, ax, artists)`` (a :class:`PlotHandles`, whose
``update(new_data)`` changes the artists in place for a slider).
"""

from ._common import PlotHandles
from .breakdown import cpu_breakdown_data, cpu_breakdown_plot
from .latency import latency_curves_data, latency_curves_plot
from .style import EXPORT_FORMATS, STYLE_PATH, TEXTWIDTHS_PT, export, figure_size, new_figure, use_style

__all__ = [
           "EXPORT_FORMATS",
           "STYLE_PATH",
           "TEXTWIDTHS_PT",
           "PlotHandles",
           "cpu_breakdown_data",
           "cpu_breakdown_plot",
           "export",
           "figure_size",
           "latency_curves_data",
           "latency_curves_plot",
           "new_figure",
           "use_style",
]
