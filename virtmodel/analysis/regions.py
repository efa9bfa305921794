"""Win regions: over a 2-D grid of two parameters, which technique is best on a metric.

At each grid point every technique's metric is evaluated (one broadcast
evaluation per technique: the grid is never built point by point). A technique
is *feasible* at a point when it is not saturated (the per-VM arrival rate is
below its throughput limit, so every station has utilization < 1), it
applies (SR-IOV: ``vms <= max_vfs``), and it meets every constraint. The winner
is the feasible technique with the smallest metric (largest for throughput-like
metrics, or as ``minimize`` says); the margin is the relative gap to the
runner-up,

.. math:: \\text{margin} = \\frac{|M_{\\text{runner-up}} - M_{\\text{winner}}|}{|M_{\\text{winner}}|},

``inf`` when only one technique is feasible, NaN when none is.
"""

from __future__ import annotations

import operator

import numpy as np

from ..errors import ParameterError
from ..metrics import unit as metric_unit
from ..symbols import info
from ._common import HIGHER_IS_BETTER, check_metric, check_parameters, evaluate, make_models, own

OK, SATURATED, VIOLATES, NOT_APPLICABLE = 0, 1, 2, 3
FLAG_MEANINGS = "ok saturated violates_constraint not_applicable"
_OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt}


def _axis(arg, label):
    if not (isinstance(arg, tuple) and len(arg) == 2 and isinstance(arg[0], str)):
        raise ParameterError(label, arg, "a pair (parameter name, 1-D values)")
    values = np.asarray(arg[1], dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ParameterError(label, f"shape {values.shape}", "non-empty 1-D values")
    return arg[0], values


def _constraints(constraints, models):
    out = []
    if constraints is not None and not isinstance(constraints, dict):
        raise ParameterError("constraints", constraints, "a dict {metric: (op, bound)}",
                             "e.g. {\"p99\": (\"<=\", 1e-3)}")
    for name, rule in (constraints or {}).items():
        check_metric(name, models)
        if not (isinstance(rule, tuple) and len(rule) == 2 and rule[0] in _OPS):
            raise ParameterError(f"constraints[{name!r}]", rule, "a pair (op, bound) with op in " + ", ".join(_OPS))
        out.append((name, _OPS[rule[0]], float(rule[1])))
    return out


def win_regions(techniques, x, y, metric, *, workload, platform=None, constraints=None, minimize=None,
                uncertainty=None, **fixed):
    """The best technique at every point of a 2-D parameter grid, with its margin.

    Parameters
    ----------
    techniques : list of (str or Technique)
    x, y : (str, array_like)
        ``(parameter name, 1-D values)`` of the two axes.
    metric : str
        The numeric metric to rank by.
    workload : str or Workload
    platform : Platform, optional
    constraints : dict, optional
        ``{metric: (op, bound)}`` each technique must meet to win a point, op
        one of ``<=``, ``<``, ``>=``, ``>`` (e.g. ``{"p99": ("<=", 1e-3),
        "host_cores": ("<=", 4)}``). SR-IOV's VF limit (``vms <= max_vfs``) is always applied.
    minimize : bool, optional
        Smaller is better (default: True except for throughput-like metrics).
    uncertainty : True, int or dict, optional
        Also the winners over the costs' uncertainty (True; a number of samples;
        or ``{"samples", "seed", "ranges", "level"}``): adds ``win_share``,
        ``none_share`` and ``uncertain`` (:mod:`virtmodel.analysis.regions_band`).
    **fixed
        Scalar values of other parameters (for each technique that has them).

    Returns
    -------
    xarray.Dataset
        Dims ``(y, x)`` named after the parameters; ``winner`` (index into the
        ``technique`` coordinate, -1 where no technique is feasible),
        ``winner_name`` ("" there), ``margin``, the metric per technique
        (``(technique, y, x)``, inf where saturated, NaN where not applicable),
        ``status`` per technique (CF flags: 0 ok, 1 saturated, 2 violates a
        constraint, 3 not applicable), and the 2-D masks ``saturated`` (every
        technique saturated or not applicable) and ``violates`` (no technique
        meets the constraints although some is unsaturated).

    Examples
    --------
    >>> import numpy as np
    >>> ds = win_regions(["hardware_assist", "sriov"], ("arrival_rate", np.linspace(1e3, 6e4, 5)),
    ...                  ("io_bytes", [100.0, 1500.0]), "mean_latency", workload="small_packet_rr")
    >>> ds["winner"].dims
    ('io_bytes', 'arrival_rate')

    References
    ----------
    Y. Dong et al., "High performance network virtualization with SR-IOV",
    HPCA 2010 (VF limit; where SR-IOV pays off over paravirtual I/O).
    """
    import xarray as xr

    models = make_models(techniques, workload, platform)
    metric = check_metric(metric, models)
    (xname, xs), (yname, ys) = _axis(x, "x"), _axis(y, "y")
    if xname == yname:
        raise ParameterError("y", yname, f"a parameter other than x = {xname!r}")
    check_parameters([xname, yname, *fixed], models)
    rules = _constraints(constraints, models)
    minimize = (metric not in HIGHER_IS_BETTER) if minimize is None else bool(minimize)
    shape = (ys.size, xs.size)
    grid = {**fixed, xname: xs[None, :], yname: ys[:, None]}
    values = np.empty((len(models),) + shape)
    status = np.zeros((len(models),) + shape, dtype=np.int8)
    for k, model in enumerate(models.values()):
        values[k] = evaluate(model, metric, grid)
        limit = evaluate(model, "throughput_limit", grid) if model.workload.users == 0 else np.inf
        lam = np.asarray(own(model, grid).get("arrival_rate", model.values()["arrival_rate"]))
        for name, op, bound in rules:
            v = values[k] if name == metric else evaluate(model, name, grid)
            with np.errstate(invalid="ignore"):
                status[k][~op(v, bound)] = VIOLATES
        status[k][(lam >= limit) | np.isinf(values[k])] = SATURATED
        status[k][np.isnan(values[k])] = NOT_APPLICABLE
    score = np.where(status == OK, values if minimize else -values, np.inf)
    best = np.argmin(score, axis=0)
    feasible = np.isfinite(np.take_along_axis(score, best[None], 0)[0])
    winner = np.where(feasible, best, -1)
    top = np.take_along_axis(values, best[None], 0)[0]
    runner = np.partition(score, 1, axis=0)[1] if len(models) > 1 else np.full(shape, np.inf)
    runner_value = runner if minimize else -runner
    with np.errstate(invalid="ignore", divide="ignore"):
        margin = np.where(np.isfinite(runner), np.abs(runner_value - top) / np.abs(top), np.inf)
    margin = np.where(feasible, margin, np.nan)
    unusable = np.all((status == SATURATED) | (status == NOT_APPLICABLE), axis=0)
    labels = list(models)
    dims, tdims = (yname, xname), ("technique", yname, xname)

    coords = {xname: (xname, xs, _attrs(info(xname))), yname: (yname, ys, _attrs(info(yname))),
              "technique": labels}
    unit = metric_unit(metric)
    ds = xr.Dataset({
        "winner": (dims, winner, {"long_name": "best feasible technique (index into technique; -1: none)"}),
        "winner_name": (dims, np.array(labels + [""])[winner]),
        "margin": (dims, margin, {"long_name": "relative gap of the runner-up to the winner", "units": "1"}),
        metric: (tdims, values, {"units": unit, "long_name": metric}),
        "status": (tdims, status, {"flag_values": [OK, SATURATED, VIOLATES, NOT_APPLICABLE],
                                   "flag_meanings": FLAG_MEANINGS}),
        "saturated": (dims, unusable, {"long_name": "every technique saturated or not applicable"}),
        "violates": (dims, ~feasible & ~unusable, {"long_name": "no technique meets the constraints"}),
    }, coords=coords, attrs={"metric": metric, "unit": unit, "minimize": int(minimize),
                                 "constraints": repr(constraints or {}), "workload": repr(next(iter(models.values())).workload)})
    if uncertainty is not None:
        from .regions_band import add_band

        ds = add_band(ds, models, metric, grid, rules, minimize, uncertainty, fixed)
    return ds


def _attrs(i) -> dict:
    return {"units": i.unit, "long_name": i.description}


__all__ = ["FLAG_MEANINGS", "win_regions"]
