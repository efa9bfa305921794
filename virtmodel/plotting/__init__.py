"""Figures for coursework: one style, LaTeX-sized figures, PDF/SVG/PNG export."""

from .style import EXPORT_FORMATS, STYLE_PATH, TEXTWIDTHS_PT, export, figure_size, new_figure, use_style

__all__ = ["EXPORT_FORMATS", "STYLE_PATH", "TEXTWIDTHS_PT", "export", "figure_size", "new_figure", "use_style"]
