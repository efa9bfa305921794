"""Which parameter drives a metric: elasticities at one operating point.

The elasticity of a metric :math:`m` with respect to a parameter :math:`p`,

.. math:: e_p = \\frac{\\partial m}{\\partial p}\\,\\frac{p}{m}
              = \\frac{\\partial \\ln m}{\\partial \\ln p},

is the percent change of :math:`m` per one percent change of :math:`p`:
:math:`e = 1` means :math:`m` grows in proportion to :math:`p`, :math:`e = 0`
that :math:`m` does not depend on it, a negative :math:`e` that :math:`m` falls
as :math:`p` grows. Elasticities compare parameters of different units on one
scale, which is the question "what drives the overhead of binary translation for
a kernel build?" asks.

Method: central differences :math:`(m(p(1+h)) - m(p(1-h))) / (2hp)` with a
relative step :math:`h` (default ``1e-5``: the elasticity is good to about
:math:`h^2` relative, from truncation, plus :math:`10^{-16}/h` absolute, from
rounding; 1e-10 and 1e-11), all parameters in one compiled evaluation (every
parameter becomes an array of :math:`2k` points).
It works the same for every metric, the gamma-fit percentiles and the closed
model (MVA) included. A fraction at 1 takes a one-sided step inward.

Left out, and said so in ``attrs``: whole-number parameters (``cores``,
``vms``, ``users``, ...: no derivative; :func:`virtmodel.analysis.sweep` them),
parameters at 0 (elasticity 0 by definition; also those so close to 0, below
about 1e-303, that a relative step cannot move them) and parameters the metric
does not depend on at all (derivative exactly 0).
"""

from __future__ import annotations

import numpy as np

from .._tables import table_from_rows
from ..errors import ParameterError
from ..metrics import unit as metric_unit
from ..symbols import info
from ._common import as_list, check_metric, check_parameters, make_models, own

_WHOLE = ("count", "count0")


def sensitivity(technique, metric, workload=None, platform=None, *, parameters=None, step=1e-5, **overrides):
    """Elasticity of ``metric`` with respect to every continuous parameter of one model.

    Parameters
    ----------
    technique : str or Technique
    metric : str
        Any numeric metric (:func:`virtmodel.model.metric_names`, a percentile
        such as ``"p99.9"``, or a closed-load metric when the workload has users).
    workload : str or Workload, optional
    platform : Platform, optional
    parameters : str or list of str, optional
        Only these parameters (default: all of the model's); ``"technique"``,
        ``"workload"`` or ``"platform"`` selects the parameters of that part.
    step : float
        Relative finite-difference step :math:`h`, in (0, 0.01].
    **overrides
        Scalar parameter values defining the operating point.

    Returns
    -------
    pandas.DataFrame
        Index ``parameter``, sorted by ``|elasticity|``, largest first; columns
        ``value``, ``unit``, ``derivative`` (metric units per parameter unit),
        ``elasticity`` and ``description``. ``attrs``: ``metric``, ``value``
        (the metric at the point), ``unit``, ``technique``, ``workload``,
        ``method``, ``whole_numbers``, ``at_zero`` and ``unaffected`` (the
        parameters left out, see the module docstring).

    Raises
    ------
    UnstableError
        The operating point saturates a station (the metric is infinite there).

    Examples
    --------
    >>> table = sensitivity("binary_translation", "overhead", "kernel_build")
    >>> table.index[0], round(float(table["elasticity"].iloc[0]), 2)
    ('user_slowdown', 1.13)
    """
    if not (isinstance(step, (int, float)) and 0 < step <= 0.01):
        raise ParameterError("step", step, "a relative step in (0, 0.01]")
    if isinstance(technique, (list, tuple)):
        raise ParameterError("technique", technique, "one technique (compare several with compare())")
    models = make_models([technique], workload, platform)
    (label, model), = models.items()
    metric = check_metric(metric, models)
    check_parameters(overrides, models)
    for name, value in overrides.items():
        if np.ndim(value):
            raise ParameterError(name, value, "a scalar", "sensitivity is taken at one operating point")
    point = own(model, overrides)
    chosen = _chosen(parameters, model, models)
    base = model.evaluate(metric, **point)  # UnstableError for a saturated point
    values = {name: value for name, value in {**model.values(), **point}.items() if name in chosen}

    whole, at_zero, varied = [], [], []
    for name, value in values.items():
        domain = info(name).domain
        if domain in _WHOLE:
            whole.append(name)
        elif abs(value) < np.finfo(float).tiny / step:  # 0, or too close to move by a relative step
            at_zero.append(name)
        else:
            varied.append(name)
    upper, lower = _steps(varied, values, step)
    grid = {}
    for i, name in enumerate(varied):
        column = np.full(2 * len(varied), float(values[name]))
        column[2 * i], column[2 * i + 1] = upper[i], lower[i]
        grid[name] = column
    with np.errstate(invalid="ignore", over="ignore"):
        out = np.asarray(model.evaluate(metric, **{**point, **grid}), dtype=float) if varied else np.empty(0)
        derivative = (out[0::2] - out[1::2]) / (upper - lower)
        elasticity = derivative * np.array([values[n] for n in varied], dtype=float) / base if base else \
            np.full(len(varied), np.nan)

    rows, unaffected = {}, []
    for i, name in enumerate(varied):
        if derivative[i] == 0:
            unaffected.append(name)
            continue
        rows[name] = {"value": values[name], "unit": info(name).unit, "derivative": float(derivative[i]),
                      "elasticity": float(elasticity[i]), "description": info(name).description}
    table = table_from_rows(rows, "parameter", columns=["value", "unit", "derivative", "elasticity", "description"])
    table = table.iloc[np.argsort(-np.abs(table["elasticity"].to_numpy()), kind="stable")]
    table.attrs.update(
        metric=metric, value=float(base), unit=metric_unit(metric), technique=label,
        workload=repr(model.workload), method=f"central difference, relative step {step:g}",
        whole_numbers=whole, at_zero=at_zero, unaffected=unaffected,
        note="" if base else f"{metric} is 0 at this point: elasticities are undefined (NaN), derivatives given")
    return table


_PARTS = ("technique", "workload", "platform")


def _chosen(parameters, model, models) -> set:
    """The parameter names to vary: all, a part of the model, or the listed ones (checked)."""
    if parameters is None:
        return set(model.values())
    if isinstance(parameters, str) and parameters in _PARTS:
        return set(getattr(model, parameters).values())
    names = as_list(parameters, "parameter")
    check_parameters(names, models)
    return set(names)


def _steps(names, values, h):
    """``(upper, lower)`` arrays of the perturbed values: p(1 +- h), one-sided for a fraction at 1."""
    p = np.array([float(values[n]) for n in names])
    upper, lower = p * (1 + h), p * (1 - h)
    at_one = np.array([info(n).domain == "fraction" for n in names], dtype=bool) & (upper > 1)
    upper[at_one] = p[at_one]
    return upper, lower


__all__ = ["sensitivity"]
