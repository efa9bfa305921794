"""Figures for coursework: one style, LaTeX-sized figures, PDF/SVG/PNG export.

Compute, then present: each ``*_plot`` draws what its ``*_data`` function
returns and gives back ``(fig, ax, artists)`` (a :class:`PlotHandles`, whose
``update(new_data)`` changes the artists in place for a slider).
"""

from ._common import PlotHandles
from ._common import technique_style
from .breakdown import cpu_breakdown_data, cpu_breakdown_plot
from .breakeven import break_even_data, break_even_plot, break_even_point_plot
from .breakeven import mark_break_even
from .closed import closed_curve_plot
from .fit import fit_plot
from .history import exit_cost_timeline_data, exit_cost_timeline_plot
from .latency import latency_curves_data, latency_curves_plot
from .regions import win_regions_data, win_regions_plot
from .sensitivity import sensitivity_plot
from .bands import uncertainty_plot
from .style import EXPORT_FORMATS, STYLE_PATH, TEXTWIDTHS_PT, export, figure_size, new_figure, use_style

__all__ = [
    "EXPORT_FORMATS",
    "STYLE_PATH",
    "TEXTWIDTHS_PT",
    "PlotHandles",
    "break_even_data",
    "break_even_plot",
    "break_even_point_plot",
    "closed_curve_plot",
    "cpu_breakdown_data",
    "cpu_breakdown_plot",
    "exit_cost_timeline_data",
    "exit_cost_timeline_plot",
    "export",
    "figure_size",
    "latency_curves_data",
    "latency_curves_plot",
    "mark_break_even",
    "new_figure",
    "sensitivity_plot",
    "technique_style",
    "use_style",
    "win_regions_data",
    "win_regions_plot",
]
__all__ += ["fit_plot"]
__all__ += ["uncertainty_plot"]
