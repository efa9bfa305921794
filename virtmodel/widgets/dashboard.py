"""The interactive comparison: latency against load, sliders, pickers, a readout.

>>> from virtmodel.widgets import dashboard
>>> d = dashboard(["paravirtual", "sriov"], "small_packet_rr", display="image")
>>> d.controls["vms"].value = 32          # the curves move in place
>>> d.state.winner
'sriov'

Compute, then present: each slider move recomputes the curves with
:func:`virtmodel.analysis.curves.latency_curves` (the compiled model; no SymPy; the
models built once per choice of techniques),
puts them into the existing lines, and redraws only what moves
(:class:`~virtmodel.widgets._canvas.LiveFigure`). The axes stay fixed while
sliders move, so the eye sees the curves move, not the axes; "fit axes" (or
the autoscale box) refits them. Saturated loads are NaN, so a curve ends at
its throughput limit (dashed vertical line) instead of spiking.
"""

from __future__ import annotations

import numpy as np

from .._validate import whole
from ..analysis._common import make_models
from ..analysis.curves import X_AXES, check_saturating_metric, curves_of_models, saturating_metrics
from ..errors import ParameterError
from ..plotting import latency_curves_plot
from ..plotting.style import use_style
from ..techniques import names
from ._canvas import LiveFigure
from ._controls import (
    PLATFORM_SLIDERS,
    WORKLOAD_SLIDERS,
    load_slider,
    metric_picker,
    parameter_slider,
    technique_picker,
)
from ._readout import readout_html, standing

#: the six virtualization techniques (bare metal is the reference, not a contender)
SIX = ("emulation", "binary_translation", "paravirtual", "hardware_assist", "sriov", "nitro")
_OFFSCREEN = ([np.nan], [np.nan])


#: the most points per curve (each slider move recomputes and redraws them all)
MAX_POINTS = 20_000

#: a percentile beyond the listed p50/p95/p99 that the metric picker offers too (the deep tail)
DEEP_TAIL = "p99.9"

#: draws per band when "uncertainty bands" is ticked: few, so a slider move stays fast (each
#: technique is evaluated at draws x points); the same seed every move, so bands do not flicker
BAND_DRAWS = 30

class Dashboard:
    """Latency-vs-load curves of several techniques with live controls (see :func:`dashboard`).

    Attributes
    ----------
    ui : ipywidgets.Box
        Display this (``display(d.ui)``, or leave ``d`` last in a cell).
    controls : dict
        ``{name: widget}``: one slider per workload/platform parameter (by its model
        name), ``"load"`` (the operating point), ``"techniques"``, ``"metric"``,
        ``"autoscale"``, ``"bands"`` (the "uncertainty bands" checkbox: a 90% band per
        technique over the presets' cost ranges, :data:`BAND_DRAWS` draws) and ``"fit"`` (a button).
    handles : PlotHandles
        The plot's handles (``handles.artists[technique]`` is the curve).
    readout : ipywidgets.HTML
        Winner and margin at the operating point, the leaders' break-even.
    state : Standing
        The readout as data (winner, runner_up, margin, values, break_even).
    data : xarray.Dataset
        The curves as last computed (:func:`~virtmodel.analysis.curves.latency_curves`).
    """

    def __init__(self, techniques=SIX, workload="small_packet_rr", platform=None, metric="mean_latency",
                 x="arrival_rate", *, points=500, display=None, continuous_update=True, bands=False):
        import ipywidgets as widgets

        from .. import workloads
        from ..model import Model

        if x not in X_AXES:
            raise ParameterError("x", x, "one of " + ", ".join(X_AXES))
        listed = saturating_metrics() + (DEEP_TAIL,)
        listed += () if check_saturating_metric(metric) in listed else (metric,)  # e.g. p99.99: offered too
        points = whole("points", points, minimum=10)
        if not isinstance(points, int) or points > MAX_POINTS:
            raise ParameterError("points", points, f"at most {MAX_POINTS}", "a slider redraws every point")
        self.workload, self.platform, self.x, self.points = workloads.get(workload), platform, x, points
        self._model_cls, self._models, self._shown_models = Model, {}, (None, None)
        values = Model("native", self.workload, platform).values()
        if not isinstance(techniques, (str, list, tuple)) or not techniques:
            raise ParameterError("techniques", techniques, "a technique name or a non-empty list of them")
        chosen = [self._model(t).technique.name for t in ([techniques] if isinstance(techniques, str) else techniques)]
        self._parameters = [n for n in WORKLOAD_SLIDERS + PLATFORM_SLIDERS if n in values]
        self.controls = {n: parameter_slider(n, values[n], continuous_update) for n in self._parameters}
        self.controls["techniques"] = technique_picker(chosen, [t for t in names() if t != "native"] + ["native"])
        self.controls["metric"] = metric_picker(metric, listed)
        self.controls["autoscale"] = widgets.Checkbox(value=False, description="refit axes on every move",
                                                      indent=False)
        if not isinstance(bands, bool):
            raise ParameterError("bands", bands, "True or False")
        self.controls["bands"] = widgets.Checkbox(value=bands, description="uncertainty bands", indent=False)
        self.controls["fit"] = widgets.Button(description="fit axes", icon="expand")
        self.readout = widgets.HTML()
        self.live = LiveFigure(display)
        self.fig, self.ax = self.live.fig, self.live.ax
        self.x_max, self.ylim, self.handles, self.state = None, None, None, None
        self.data = self._compute()
        start = values["arrival_rate"] if x == "arrival_rate" else 0.7
        self.controls["load"] = load_slider(start, self._axis_stop(), continuous_update)
        self._replot()
        self._connect()
        self.ui = self._layout(widgets)

    # -- model and data ---------------------------------------------------------
    def _model(self, technique):
        key = technique if isinstance(technique, str) else id(technique)
        if key not in self._models:
            self._models[key] = self._model_cls(technique, self.workload, self.platform)
        return self._models[key]

    @property
    def techniques(self) -> list:
        """The techniques shown (in the picker's order)."""
        return list(self.controls["techniques"].value)

    @property
    def metric(self) -> str:
        """The metric on the y axis."""
        return self.controls["metric"].value

    def overrides(self) -> dict:
        """``{parameter: value}`` of every parameter slider (what the curves are computed with)."""
        return {n: self.controls[n].value for n in self._parameters}

    def _axis_stop(self):
        return float(self.data[self.x].max())

    def _labelled_models(self) -> dict:
        """``{label: Model}`` of the techniques shown, built once per choice of techniques (not per move)."""
        key = tuple(self.techniques)
        if self._shown_models[0] != key:
            self._shown_models = (key, make_models(list(key), self.workload, self.platform))
        return self._shown_models[1]

    def _compute(self):
        band = {"samples": BAND_DRAWS} if self.controls["bands"].value and self._has_ranges() else None
        return curves_of_models(self._labelled_models(), metric=self.metric, x=self.x, points=self.points,
                                x_max=self.x_max, uncertainty=band, **self.overrides())

    def _has_ranges(self) -> bool:
        """Some technique shown has cost ranges (bare metal alone has none: no band to draw)."""
        from ..analysis.parameter_ranges import preset_ranges

        return any(preset_ranges(self._model(t).technique) for t in self.techniques)

    # -- drawing -------------------------------------------------------------------
    def _replot(self):
        """Draw the axes from scratch (new techniques, metric or limits); layout solved once."""
        import matplotlib

        self.live.forget_moving()
        with use_style():
            self.ax.clear()
            self.handles = latency_curves_plot(self.data, ax=self.ax, ylim=self.ylim, legend_loc="outside")
            rc = matplotlib.rcParams    # ticks are made lazily, after the style is gone: pin the grid's look
            self.ax.grid(True, alpha=rc["grid.alpha"], color=rc["grid.color"], linestyle=rc["grid.linestyle"])
            self._marker = self.ax.axvline(self.controls["load"].value, color="0.35", linewidth=0.9,
                                           linestyle=(0, (1, 1)))
            (self._crossing,) = self.ax.plot(*_OFFSCREEN, marker="D", markersize=6, color="black",
                                             linestyle="none", zorder=5)
        self.x_max, self.ylim = self._axis_stop(), self.ax.get_ylim()
        self.live.animate([*self.handles.extras["bands"].values(), *self.handles.artists.values(),
                           *self.handles.extras["asymptotes"].values(), self._marker, self._crossing])
        self._mark()
        self.live.relayout()

    def _mark(self):
        """Recompute the readout and move the operating-point and break-even markers."""
        load = self.controls["load"].value
        models = {t: self._model(t) for t in self.techniques}
        self.state = standing(models, self.metric, load, self.data, self.x, workload=self.workload,
                              platform=self.platform, **self.overrides())
        self.readout.value = readout_html(self.state, self.metric, self.x)
        self._marker.set_xdata([load, load])
        scale = self.handles.extras["scale"]
        if self.state.break_even is None:
            self._crossing.set_data(*_OFFSCREEN)
        else:
            self._crossing.set_data([self.state.break_even], [self.state.break_even_value / scale])

    def update(self, *_):
        """Recompute the curves for the current controls and redraw what moved (a slider callback)."""
        if self.controls["autoscale"].value:
            self.fit()
            return
        self.data = self._compute()
        self.handles.update(self.data, draw=False)   # in place; the dashboard blits the changed artists
        self._mark()
        self.live.refresh()

    def fit(self, *_):
        """Refit both axes to the current curves (full redraw)."""
        self.x_max, self.ylim = None, None
        self.data = self._compute()
        self.controls["load"].max = max(self._axis_stop(), self.controls["load"].value)
        self._replot()

    def _move_load(self, *_):
        self._mark()
        self.live.refresh()

    def _rebuild(self, *_):
        if not self.techniques:
            return
        self.ylim = None
        self.data = self._compute()
        self._replot()

    def _connect(self):
        for name in self._parameters:
            self.controls[name].observe(self.update, names="value")
        self.controls["load"].observe(self._move_load, names="value")
        self.controls["techniques"].observe(self._rebuild, names="value")
        self.controls["metric"].observe(self._rebuild, names="value")
        self.controls["bands"].observe(self._rebuild, names="value")
        self.controls["fit"].on_click(self.fit)

    def _layout(self, widgets):
        c = self.controls
        side = widgets.VBox([c["techniques"], c["metric"], c["fit"], c["autoscale"], c["bands"]])
        workload = widgets.VBox([widgets.HTML("<b>workload</b>")] + [c[n] for n in self._parameters
                                                                      if n in WORKLOAD_SLIDERS])
        platform = widgets.VBox([widgets.HTML("<b>platform and load</b>")] + [c[n] for n in self._parameters
                                                                               if n in PLATFORM_SLIDERS] + [c["load"]])
        return widgets.VBox([widgets.HBox([self.live.widget, side]), self.readout, widgets.HBox([workload, platform])],
                            layout={"width": "100%"})

    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return f"Dashboard({', '.join(self.techniques)}; {self.metric} against {self.x})"


def dashboard(techniques=SIX, workload="small_packet_rr", platform=None, metric="mean_latency",
              x="arrival_rate", **options) -> Dashboard:
    """An interactive comparison of techniques: curves against load, sliders, a readout.

    Parameters
    ----------
    techniques : sequence of str
        The techniques shown first (default the six: emulation, binary
        translation, paravirtualization, hardware assist, SR-IOV, Nitro).
    workload : str or Workload
        A preset of :mod:`virtmodel.workloads` or a workload object (sliders start at its values).
    platform : Platform, optional
    metric : str
        A saturating metric: ``"mean_latency"``, ``"p50"``/``"p95"``/``"p99"``/``"p99.9"``
        (the picker offers these; any other percentile such as ``"p99.99"`` is added to
        it), ``"overhead"``, ...
    x : {"arrival_rate", "utilization"}
        The load axis (break-even markers on the arrival-rate axis only).
    **options
        ``points`` (grid points, default 500), ``display`` (``"image"``, ``"ipympl"``
        or None to detect from matplotlib's backend), ``continuous_update`` (default True),
        ``bands`` (start with the "uncertainty bands" box ticked, default False).

    Returns
    -------
    Dashboard
        With ``.ui``, ``.controls``, ``.handles``, ``.readout`` and ``.state``.
    """
    unknown = sorted(set(options) - {"points", "display", "continuous_update", "bands"})
    if unknown:
        raise ParameterError(unknown[0], options[unknown[0]], "one of points, display, continuous_update, bands")
    return Dashboard(techniques, workload, platform, metric, x, **options)


__all__ = ["SIX", "Dashboard", "dashboard"]
