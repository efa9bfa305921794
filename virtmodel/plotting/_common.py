"""What every plot shares: labels with units, technique colours, axes, returned handles.

Labels come from the symbol registry (:mod:`virtmodel.symbols`) for parameters
and from the metric table (:mod:`virtmodel.metrics`) for metrics, so a figure's axis says what the
model computed and in which unit. Each technique keeps one colour and line
style (its position in :func:`virtmodel.techniques.names` in the shipped
style's cycle) in every figure, so a reader matches curves across figures.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from ..errors import ParameterError
from ..metrics import label as metric_title
from ..metrics import metric as entry
from ..metrics import unit as metric_unit
from ..symbols import info
from ..techniques import label_of as technique_label
from ..techniques import names
from .style import STYLE_PATH, new_figure, use_style

#: metrics measured in seconds, shown in a readable sub-unit (ms, us, ns)
_TIME_SCALES = ((1.0, "s"), (1e-3, "ms"), (1e-6, "\u00b5s"), (1e-9, "ns"))


def saturates(metric: str) -> bool:
    """Whether a metric is ``inf`` past a station's saturation (latency-like metrics)."""
    return entry(metric).saturates


def unit_text(unit: str) -> str:
    """A unit as matplotlib text: ``s^2`` -> ``s$^{2}$``; dimensionless ``1`` -> ``""``."""
    if unit in ("1", ""):
        return ""
    return re.sub(r"\^(-?\d+)", r"$^{\1}$", unit)


def with_unit(text: str, unit: str) -> str:
    """``"text [unit]"`` (no brackets for a dimensionless quantity or a count)."""
    unit = unit_text(unit)
    return f"{text} [{unit}]" if unit and unit != "count" else text


def parameter_label(name: str) -> str:
    """Axis label of a model parameter: short meaning, symbol and unit from the registry.

    >>> parameter_label("arrival_rate")
    'arrival rate of requests per VM $\\\\lambda$ [1/s]'
    """
    i = info(name)
    short = i.description.split(" (")[0]
    return with_unit(f"{short} ${i.latex}$", i.unit)


def metric_label(metric: str, unit: str | None = None) -> str:
    """Axis label of a model metric with its unit (``unit`` overrides, e.g. after scaling)."""
    return with_unit(metric_title(metric), metric_unit(metric) if unit is None else unit)


def time_scale(values) -> tuple:
    """``(factor, unit)`` so that ``values / factor`` reads well (s, ms, us or ns)."""
    arr = np.asarray(values, dtype=float)
    finite = np.abs(arr[np.isfinite(arr) & (arr != 0)])
    if finite.size == 0:
        return 1.0, "s"
    typical = float(np.median(finite))
    return next(((f, u) for f, u in _TIME_SCALES if typical >= f), _TIME_SCALES[-1])


def time_text(value: float) -> str:
    """One time in the unit :func:`time_scale` picks for it, to three significant digits ("6.61 \u00b5s")."""
    factor, unit = time_scale([value])
    return f"{value / factor:.3g} {unit}"


@lru_cache(maxsize=1)
def _cycle() -> tuple:
    import matplotlib

    rc = matplotlib.rc_params_from_file(str(STYLE_PATH), use_default_template=False)
    return tuple(rc["axes.prop_cycle"])


def technique_style(name: str) -> dict:
    """``{"color", "linestyle"}`` of a technique, the same in every figure."""
    order = names()
    index = order.index(name) if name in order else len(order) + hash(name) % 3
    return dict(_cycle()[index % len(_cycle())])


def expect_data(name: str, data, needs, producer: str):
    """Refuse what a plot cannot draw: ``data`` must have every key of ``needs`` (variables,
    columns or attrs), else a :class:`ParameterError` naming the function that makes it."""
    keys = set()
    for part in ("data_vars", "columns", "attrs", "coords"):
        got = getattr(data, part, None)
        if got is not None and not callable(got):
            keys |= set(got)
    if not hasattr(data, "attrs") or not set(needs) <= keys:
        raise ParameterError(name, type(data).__name__, f"what {producer} returns")
    return data


def style_at(index: int) -> dict:
    """The ``index``-th ``{"color", "linestyle"}`` of the shipped style's cycle."""
    return dict(_cycle()[index % len(_cycle())])


def place_legend(ax, loc="auto", **kwargs):
    """A legend inside the axes, beside them (``"outside"``) or above them (``"above"``, rows as wide as the axes).

    ``"auto"`` puts it in the upper left inside axes wider than 4.5 in, and
    outside to the right of narrower ones, where it cannot cover the data.
    """
    if loc == "auto":
        width = ax.get_position().width * ax.figure.get_figwidth()
        loc = "upper left" if width >= 4.0 else "outside"
    if loc == "above":
        shown = kwargs.get("handles") or ax.get_legend_handles_labels()[0]
        ncols = kwargs.pop("ncols", None)
        if ncols is None:  # rows over the axes' width: 2 columns on a narrow axes, 3 on a wide one
            width = ax.get_position().width * ax.figure.get_figwidth()
            ncols = min(len(shown), 3 if width >= 5.0 else 2)
        if ncols == 1:
            return ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.01), borderaxespad=0.0, ncols=1,
                             handlelength=1.5, **kwargs)
        kwargs.setdefault("fontsize", "small")
        return ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.01, 1.0, 0.0), mode="expand", borderaxespad=0.0,
                         ncols=ncols, columnspacing=0.8, handlelength=1.5, **kwargs)
    if loc == "outside":
        return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, **kwargs)
    return ax.legend(loc=loc, **kwargs)


def compact_ticks(ax, axis="x"):
    """Large tick values as ``20k``, ``1.5M`` (SI prefixes), never an offset text over the label."""
    from matplotlib.ticker import EngFormatter

    getattr(ax, f"{axis}axis").set_major_formatter(EngFormatter(sep=""))


def axes_for(ax, fraction, textwidth, aspect=0.618):
    """``(fig, ax)``: the given axes' figure, or a new styled figure of that size."""
    if ax is not None:
        return ax.figure, ax
    return new_figure(fraction=fraction, textwidth=textwidth, aspect=aspect)


class PlotHandles:
    """``(fig, ax, artists)`` of a plot, plus ``extras`` and an in-place :meth:`update`.

    Unpacks as a 3-tuple (``fig, ax, artists = some_plot(data)``). ``artists``
    maps a key (a technique, a component) to the matplotlib artist a slider
    callback should change; ``extras`` holds the rest (asymptotes, legend,
    colour bar). ``update(data)`` puts new data of the same layout into the
    artists (the axes are not redrawn) and calls ``draw_idle``.
    """

    def __init__(self, fig, ax, artists, extras=None, updater=None):
        self.fig, self.ax, self.artists = fig, ax, artists
        self.extras = dict(extras or {})
        self._updater = updater

    def __iter__(self):
        return iter((self.fig, self.ax, self.artists))

    def __len__(self):
        return 3

    def __getitem__(self, index):
        return (self.fig, self.ax, self.artists)[index]

    def update(self, data, *, draw: bool = True):
        """Put ``data`` (from the matching ``*_data`` function) into the artists in place.

        ``draw=False`` leaves the redraw to the caller (a widget that blits
        only the changed artists); otherwise the canvas is asked to redraw.
        """
        if self._updater is None:
            raise NotImplementedError("this plot has no in-place update")
        self._updater(self, data)
        if draw:
            self.fig.canvas.draw_idle()
        return self

    def __repr__(self):
        return f"PlotHandles(artists={sorted(map(str, self.artists))})"


__all__ = [
    "PlotHandles",
    "axes_for",
    "metric_label",
    "metric_title",
    "metric_unit",
    "parameter_label",
    "place_legend",
    "saturates",
    "style_at",
    "technique_label",
    "technique_style",
    "time_scale",
    "unit_text",
    "use_style",
    "with_unit",
]
