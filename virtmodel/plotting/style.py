"""The one figure style of virtmodel, figure sizes from a LaTeX text width, and export.

The style (``virtmodel.mplstyle``, shipped with the package) uses the
Okabe-Ito colour-blind-safe palette paired with distinct line styles, so a
figure stays readable when printed in greyscale. PDF export embeds TrueType
fonts (``pdf.fonttype: 42``); SVG keeps text as text (``svg.fonttype: none``)
so that it can be edited and searched.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._validate import choice, positive
from ..errors import ParameterError

STYLE_PATH = Path(__file__).with_name("virtmodel.mplstyle")

#: ``\\the\\textwidth`` of common LaTeX layouts, in points (1 pt = 1/72.27 in).
TEXTWIDTHS_PT = {
    "article": 345.0,  # article class, 10pt, letter/a4 defaults
    "article-a4-1in": 455.24,  # a4paper with 1in margins
    "ieee-column": 252.0,  # IEEEtran, one column of two
    "ieee-page": 516.0,  # IEEEtran, full page width
    "acm-column": 241.14,  # acmart sigconf, one column
    "beamer": 307.28,  # beamer 4:3 default
}

EXPORT_FORMATS = ("pdf", "svg", "png")


def use_style():
    """A context manager applying the virtmodel style (``with use_style(): ...``)."""
    import matplotlib.pyplot as plt

    return plt.style.context(str(STYLE_PATH))


def figure_size(fraction: float = 1.0, textwidth="article", aspect: float = 0.618):
    """Figure size (inches) for a figure ``fraction`` of a LaTeX text width wide.

    Parameters
    ----------
    fraction : float
        Share of the text width (0 < fraction <= 2).
    textwidth : str or float
        A layout name from :data:`TEXTWIDTHS_PT` or a width in points
        (what ``\\the\\textwidth`` prints in your document).
    aspect : float
        Height / width (default the golden ratio's inverse).
    """
    for name, value in (("fraction", fraction), ("aspect", aspect), ("textwidth", textwidth)):
        if np.ndim(value) != 0:
            raise ParameterError(name, value, "a single number" + (" or a layout name" if name == "textwidth" else ""))
    if isinstance(textwidth, str):
        choice("textwidth", textwidth, tuple(TEXTWIDTHS_PT))
        width_pt = TEXTWIDTHS_PT[textwidth]
    else:
        width_pt = float(positive("textwidth", textwidth, "scalar"))
    fraction = float(positive("fraction", fraction, "scalar"))
    if fraction > 2:
        raise ParameterError("fraction", fraction, "in (0, 2]")
    aspect = float(positive("aspect", aspect, "scalar"))
    width_in = width_pt / 72.27 * fraction
    return (width_in, width_in * aspect)


def new_figure(nrows: int = 1, ncols: int = 1, *, fraction: float = 1.0, textwidth="article",
               aspect: float = 0.618, **kwargs):
    """Create a figure in the virtmodel style; returns ``(fig, axes)``.

    The style is applied to the created figure and its axes (the rc context is
    active while they are created), so later drawing keeps its colours and line
    styles even outside the context.
    """
    import matplotlib.pyplot as plt

    with use_style():
        fig, axes = plt.subplots(nrows, ncols, figsize=figure_size(fraction, textwidth, aspect), **kwargs)
    return fig, axes


def export(fig, path, formats=None) -> list[Path]:
    """Save ``fig`` as PDF, SVG and/or PNG; returns the written paths.

    ``path`` without a format suffix writes every format in ``formats`` (default
    all three); with one (``fig.pdf``) writes that one format. Only ``.pdf``,
    ``.svg`` and ``.png`` count as a format: ``fig.v2`` writes ``fig.v2.pdf``,
    ``fig.v2.svg`` and ``fig.v2.png``.
    """
    import logging

    # fontTools logs a harmless note about font timestamps while subsetting for PDF.
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    path = Path(path)
    suffix = path.suffix.lstrip(".").lower()
    if suffix in EXPORT_FORMATS:
        path = path.with_suffix("")
        formats = (suffix,) if formats is None else formats
    formats = EXPORT_FORMATS if formats is None else formats
    for fmt in formats:
        choice("formats", fmt, EXPORT_FORMATS)
    written = []
    path.parent.mkdir(parents=True, exist_ok=True)
    for fmt in formats:
        target = path.with_name(f"{path.name}.{fmt}")
        with use_style():
            fig.savefig(target, format=fmt)
        written.append(target)
    return written
