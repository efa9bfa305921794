"""Latency (or any saturating metric) against the load, one curve per technique.

>>> from virtmodel.analysis.curves import latency_curves
>>> data = latency_curves(["hardware_assist", "sriov"], "small_packet_rr", points=50)
>>> data["technique"].values.tolist()
['hardware_assist', 'sriov']

Each technique saturates at its own throughput limit :math:`X_{\\max}` (the
smallest station capacity, see :mod:`virtmodel.model`); the curve is NaN at and
past it (the plot, :func:`virtmodel.plotting.latency_curves_plot`, draws no
spike there; loads past the limit are not evaluated, :func:`below_limit`).
Evaluation goes through the analyses' one path
(:func:`virtmodel.analysis._common.evaluate`): a technique that does not apply
(SR-IOV with more VMs than virtual functions) is NaN, like in every analysis.
"""

from __future__ import annotations

import numpy as np

from .._validate import whole
from ..errors import ParameterError
from ..metrics import metric, names, unit
from ..percentile_names import PERCENTILE_HINT, is_percentile
from ..techniques import label_of
from ._common import as_list, check_parameters, evaluate, make_models, own

X_AXES = ("arrival_rate", "utilization")
#: the most points of the even grid per curve
MAX_POINTS = 10**6


def _load_grid(stop, points, limits):
    """An even grid on [0, stop] refined just below each limit (so curves reach the top)."""
    grid = [np.linspace(0.0, stop, points)]
    for limit in limits:
        if limit <= stop:
            grid.append(limit * (1 - np.geomspace(0.2, 1e-4, 24)))
    return np.unique(np.concatenate(grid))


def latency_curves(techniques, workload=None, platform=None, *, metric="mean_latency",
                        x="arrival_rate", points=200, x_max=None, uncertainty=None, **overrides):
    """Latency (or any saturating metric) against the load, one curve per technique.

    Parameters
    ----------
    techniques : sequence of str or Technique
        The techniques to compare (names of :func:`virtmodel.techniques.get`).
    workload : str or Workload, optional
        A workload preset name or a :class:`~virtmodel.workload.Workload`.
    platform : Platform, optional
    metric : str
        ``"mean_latency"`` or a percentile (``"p50"``, ``"p99"``, ``"p99.9"``, ...), or any
        metric that saturates (``"overhead"``, ``"latency_variance"``).
    x : {"arrival_rate", "utilization"}
        The load axis: the arrival rate per VM :math:`\\lambda` (1/s), shared by all
        techniques; or each technique's bottleneck utilization
        :math:`\\rho = \\lambda / X_{\\max}`.
    points : int
        Points of the even grid (more are added just below each throughput limit).
    x_max : float, optional
        End of the load axis (default: 1.15 times the largest throughput limit,
        or 0.999 for utilization).
    uncertainty : True, int or dict, optional
        Also a band per technique over the costs' uncertainty (True; a number of
        samples; or ``{"samples", "seed", "ranges", "level"}``, defaults 1000, 0,
        the presets' ranges, 0.9): see :mod:`.curves_band`.
    **overrides
        Scalar model parameters (``vms=16``, ``exit_cycles=1500``, ...).

    Returns
    -------
    xarray.Dataset
        ``metric`` (technique, x) in the metric's unit, NaN where the technique is
        saturated or where it does not apply (SR-IOV past its VF limit: NaN limit too);
        ``saturated`` (technique, x); ``throughput_limit`` (technique)
        in 1/s per VM; the other load coordinate as a 2-D coordinate (``utilization``
        or ``arrival_rate``); ``label`` (technique); attrs ``metric``, ``x``, ``unit``.
        With ``uncertainty``: ``band_low``, ``band_high`` (technique, x), the central
        interval of the draws (``band_high`` inf where that many draws saturate), and
        ``band_saturated`` (technique, x), the share of draws saturated; attrs
        ``band_level``, ``band_samples``, ``band_seed``.
    """
    by_label = make_models(as_list(techniques, "technique"), workload, platform)
    return curves_of_models(by_label, metric=metric, x=x, points=points, x_max=x_max, uncertainty=uncertainty,
                            **overrides)


def curves_of_models(by_label, *, metric="mean_latency", x="arrival_rate", points=200, x_max=None,
                     uncertainty=None, **overrides):
    """:func:`latency_curves` of models already built: ``by_label`` is ``{label: Model}`` as
    :func:`._common.make_models` gives it (a caller that redraws often, the dashboard, keeps them)."""
    import xarray as xr

    if x not in X_AXES:
        raise ParameterError("x", x, "one of " + ", ".join(X_AXES))
    points = whole("points", points, minimum=2)
    if not isinstance(points, int) or points > MAX_POINTS:
        raise ParameterError("points", points, f"at most {MAX_POINTS}", "one curve per technique holds them all")
    if "arrival_rate" in overrides:
        raise ParameterError("arrival_rate", overrides["arrival_rate"], "not given (it is the load axis)")
    for name, value in overrides.items():
        if np.ndim(value):
            raise ParameterError(name, value, "a scalar (one curve per technique)")
    names, models = list(by_label), list(by_label.values())
    check_parameters(overrides, by_label)
    check_saturating_metric(metric)
    drawn = None
    if uncertainty is None:
        limits = np.array([evaluate(m, "throughput_limit", overrides) for m in models], dtype=float)
    else:   # the draws' limits first: row 0 of each is the nominal limit (one call per technique)
        from .curves_band import drawn_rows

        drawn = drawn_rows(models, overrides, uncertainty)
        limits = np.array([row_limits[0] for row_limits in drawn[2]], dtype=float)
    if x == "arrival_rate":
        stop = 1.15 * limits.max() if x_max is None else float(x_max)
        grid = _load_grid(stop, int(points), limits)
        rates = np.broadcast_to(grid, (len(names), grid.size))
    else:
        stop = 0.999 if x_max is None else float(x_max)
        grid = _load_grid(stop, int(points), [1.0])
        rates = np.outer(limits, grid)
    band = None
    if uncertainty is None:
        values = np.array([_curve(m, metric, overrides, r, limit) for m, r, limit in zip(models, rates, limits)])
    else:   # each curve from its band's evaluation (the nominal values as one more draw): one call per technique
        from .curves_band import curves_and_bands

        values, band, band_attrs = curves_and_bands(models, metric, np.asarray(rates, dtype=float), drawn,
                                                    overrides, ("technique", x))
    saturated = ~np.isfinite(values)
    other = "utilization" if x == "arrival_rate" else "arrival_rate"
    other_values = rates / limits[:, None] if x == "arrival_rate" else rates
    variables = {metric: (("technique", x), np.where(saturated, np.nan, values)),
                 "saturated": (("technique", x), saturated),
                 "throughput_limit": ("technique", limits)}
    attrs = {"metric": metric, "x": x, "unit": unit(metric),
             "description": f"{metric} against {x}; NaN where saturated (utilization >= 1)"}
    if band is not None:   # into the one Dataset built below (assigning them after cost a merge)
        variables.update(band)
        attrs.update(band_attrs)
    return xr.Dataset(variables, coords={"technique": names, x: grid, other: (("technique", x), other_values),
                                         "label": ("technique", [label_of(t) for t in names])}, attrs=attrs)


#: loads this far (relative) above a throughput limit are taken as saturated without evaluating them;
#: loads nearer the limit are evaluated (rounding decides there)
LIMIT_MARGIN = 1e-6


def below_limit(rates, limit):
    """Mask of the ``rates`` not above ``limit`` (times ``1 + LIMIT_MARGIN``); all of them for a NaN limit."""
    return ~(np.asarray(rates) > limit * (1 + LIMIT_MARGIN))


def curve_live(model, overrides, rates, limit):
    """Mask of the ``rates`` a curve is evaluated at: those not past the throughput limit
    (:func:`below_limit`) for an open model; all of them for a closed one (``users`` > 0: every
    load is the model's value, there is no limit in the load)."""
    from ..model.closed import is_closed

    if is_closed({**model.values(), **own(model, overrides)}):
        return np.ones(np.shape(rates), dtype=bool)
    return below_limit(rates, limit)


def _curve(model, metric, overrides, rates, limit):
    """``metric`` over ``rates``; past the throughput limit ``inf`` without evaluating (saturated
    there by definition of the limit), so a technique that saturates early costs less."""
    live = curve_live(model, overrides, rates, limit)
    if live.all():
        return np.asarray(evaluate(model, metric, {**overrides, "arrival_rate": rates}), dtype=float)
    out = np.full(np.shape(rates), np.inf)
    if live.any():
        out[live] = evaluate(model, metric, {**overrides, "arrival_rate": rates[live]})
    return out


def saturating_metrics() -> tuple:
    """The listed metrics that saturate (latency-like: ``inf`` past a throughput limit)."""
    return tuple(m for m in names() if metric(m).saturates)


def check_saturating_metric(name) -> str:
    """``name`` if it saturates (one of :func:`saturating_metrics` or any percentile ``p<P>``)."""
    if name in saturating_metrics() or is_percentile(name):
        return name
    raise ParameterError("metric", name, "a metric that saturates: " + ", ".join(saturating_metrics()),
                         PERCENTILE_HINT)


__all__ = ["X_AXES", "latency_curves", "saturating_metrics", "check_saturating_metric"]
