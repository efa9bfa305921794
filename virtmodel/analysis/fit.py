"""Fit a model's parameters to measurements (weighted nonlinear least squares).

Data: one row per measurement; columns are model parameters that varied
between measurements (``arrival_rate``, ``io_bytes`` ...), one column per
measured metric (``mean_latency``, ``p99``, ``host_cores`` ...: names of
:mod:`virtmodel.metrics`), and optionally ``<metric>_sigma``, the measurement's
standard deviation.

Residual of metric :math:`m` at point :math:`i`:

.. math:: r_{im} = \\sqrt{w_m}\\,\\frac{f_m(x_i; \\theta) - y_{im}}{\\sigma_{im}},

with :math:`\\sigma_{im}` from the ``_sigma`` column, else the ``sigma``
argument, else :math:`|y_{im}|` (relative residuals; then the covariance is
scaled by :math:`\\chi^2/\\nu`, as when the errors' size is unknown). With
known :math:`\\sigma` and :math:`w = 1`, :math:`\\chi^2 = \\sum r^2` follows a
:math:`\\chi^2_\\nu` law with :math:`\\nu = N - k` at the optimum and the
covariance is :math:`(J^\\top J)^{-1}` (Gauss-Newton, linearised at the
optimum; :math:`J` by central differences, relative step ``1e-6``).
:func:`scipy.optimize.least_squares` (trust region reflective) minimises
:math:`\\sum r^2` within each parameter's domain, from the preset values.

Identifiability: the singular values of :math:`J` with each column scaled to
unit length (so units and magnitudes do not matter). A singular value below ``1e-6`` of the
largest is a direction the data cannot see; the parameters along it are
``non_identifiable`` (standard error NaN), and the combination of them that
the data does determine is named (e.g. ``a + b`` for two costs that enter only
as a sum).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..metrics import names as metric_table_names
from ..model import Model
from ..percentile_names import is_percentile
from ..symbols import info
from ._common import as_list, check_name
from .fit_result import FitResult

#: relative singular value below which a direction of parameter space is not determined
RANK_TOLERANCE = 1e-6
#: relative central-difference step of the Jacobian at the optimum
JACOBIAN_STEP = 1e-6
_CONTINUOUS = {"positive": (0.0, np.inf), "nonnegative": (0.0, np.inf), "fraction": (0.0, 1.0),
               "real": (-np.inf, np.inf)}
_SATURATED = 1e6  # residual given to a point the trial parameters saturate


def fit(model, data, parameters, metric=None, weights=None, sigma=None, *, workload=None, platform=None):
    """Fit ``parameters`` of ``model`` to the measured metrics in ``data``.

    Parameters
    ----------
    model : Model, str or Technique
        A :class:`~virtmodel.model.Model`, or a technique (then ``workload`` and
        ``platform`` as elsewhere in :mod:`virtmodel.analysis`).
    data : pandas.DataFrame or path of a CSV file
        See the module docstring for the columns.
    parameters : str or list of str
        The model parameters to fit (continuous ones: not counts).
    metric : str or list of str, optional
        Only these metric columns (default: every metric column of ``data``).
    weights : dict, optional
        ``{metric: weight}`` (default 1 each).
    sigma : float or dict, optional
        Measurement standard deviation per metric where ``data`` has no
        ``<metric>_sigma`` column (same units as the metric).

    Returns
    -------
    FitResult

    Examples
    --------
    >>> import pandas as pd
    >>> m = Model("sriov", "small_packet_rr")
    >>> rates = [5e3, 2e4, 4e4]
    >>> data = pd.DataFrame({"arrival_rate": rates,
    ...                      "mean_latency": m.evaluate("mean_latency", arrival_rate=rates, cpu_time=2e-5)})
    >>> round(fit(m, data, "cpu_time").values["cpu_time"] * 1e6, 3)
    20.0
    """
    model = _as_model(model, workload, platform)
    frame = _as_frame(data)
    start = model.values()
    fitted = _check_parameters(parameters, start, frame)
    metrics, inputs = _split_columns(frame, metric, start)
    if not metrics:
        raise ParameterError("data", list(frame.columns), "at least one measured metric column",
                             "metric columns are named as in virtmodel.metrics (mean_latency, p99, ...)")
    y = _numbers(frame, metrics)
    scale, absolute = _sigmas(frame, metrics, y, sigma)
    root_w = np.sqrt(_weights(weights, metrics))[:, None]
    x = {name: _numbers(frame, [name])[0] for name in inputs}
    n_obs = y.size
    if n_obs < len(fitted):
        raise ParameterError("data", f"{n_obs} measured values",
                             f"at least as many values as fitted parameters ({len(fitted)})")

    bounds = np.array([_CONTINUOUS[info(p).domain] for p in fitted]).T
    p0 = np.array([float(start[p]) for p in fitted])
    typical = np.where(p0 != 0, np.abs(p0), 1.0)

    def predict(theta):  # theta: (k, c) columns of parameter vectors -> (c, metrics, points)
        values = {**{n: v[None, :] for n, v in x.items()},
                  **{p: theta[j][:, None] for j, p in enumerate(fitted)}}
        with np.errstate(all="ignore"):
            out = model.evaluate_many(list(metrics), **values)
        return np.stack([np.broadcast_to(np.asarray(out[m], dtype=float), (theta.shape[1], y.shape[1]))
                         for m in metrics], axis=1)

    def residuals(z):
        theta = (z * typical)[:, None]
        r = (predict(theta)[0] - y) / scale * root_w
        return np.where(np.isfinite(r), r, _SATURATED).ravel()

    from scipy.optimize import least_squares

    z0 = np.clip(p0 / typical, *(bounds / typical))
    lo, hi = bounds / typical
    lo = np.where(np.array([info(p).domain == "positive" for p in fitted]), np.maximum(lo, 1e-12), lo)
    z0 = np.clip(z0, lo + 1e-12 * (hi > lo), np.where(np.isfinite(hi), hi - 1e-12, hi))
    solution = least_squares(residuals, z0, bounds=(lo, hi), method="trf", x_scale="jac",
                             xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=2000)
    theta = solution.x * typical
    prediction = predict(theta[:, None])[0]
    r = (prediction - y) / scale * root_w
    if not np.all(np.isfinite(r)):
        raise ParameterError("data", "saturated points", "points the fitted model can serve",
                             "the fit ends where a station saturates: check the data's units (seconds, 1/s)")
    jac = _jacobian(predict, theta, bounds, typical, scale, root_w)
    if not np.all(np.isfinite(jac)):
        raise ParameterError("sigma", float(scale.min()), "measurement scales that keep the residuals finite",
                             "the residuals divided by them overflow (check the units: seconds)")
    return FitResult.build(model, fitted, theta, jac, r, y, prediction, root_w / scale, metrics, frame, inputs,
                           absolute, bounds, RANK_TOLERANCE, solution)


def _as_model(model, workload, platform):
    if isinstance(model, Model):
        if workload is not None or platform is not None:
            raise ParameterError("workload", workload, "None when a Model is given", "the Model has its own")
        return model
    if isinstance(model, (list, tuple)):
        raise ParameterError("model", model, "one model or technique")
    return Model(model, workload, platform)


def _as_frame(data):
    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, (str, Path)):
        path = Path(data)
        if not path.is_file():
            raise ParameterError("data", str(data), "a DataFrame or the path of an existing CSV file")
        frame = pd.read_csv(path)
    else:
        raise ParameterError("data", type(data).__name__, "a pandas DataFrame or a CSV path")
    if len(frame) == 0:
        raise ParameterError("data", "an empty table", "at least one measurement row")
    return frame.reset_index(drop=True)


def _check_parameters(parameters, start, frame) -> list:
    names = as_list(parameters, "parameter")
    out = []
    for name in names:
        check_name("parameter", name, sorted(start))
        domain = info(name).domain
        if domain not in _CONTINUOUS:
            raise ParameterError(name, start[name], "a parameter with a continuous domain",
                                 f"its domain is {domain!r} (whole numbers cannot be fitted; sweep them)")
        if name in frame.columns:
            raise ParameterError(name, "a data column", "either fitted or given per measurement, not both")
        if name in out:
            raise ParameterError("parameters", names, "distinct names", f"{name!r} is listed twice")
        out.append(name)
    return out


def _is_metric(name) -> bool:
    return name in metric_table_names() or is_percentile(name)


def _split_columns(frame, metric, start):
    columns = [str(c) for c in frame.columns]
    for c in columns:
        known = c in start or _is_metric(c) or (c.endswith("_sigma") and _is_metric(c[:-6]))
        if not known:
            raise ParameterError("data", c, "columns named after model parameters, metrics or <metric>_sigma",
                                 _suggest(c, list(start) + list(metric_table_names())))
    for c in columns:
        if c.endswith("_sigma") and c[:-6] not in columns:
            raise ParameterError("data", c, "a sigma column next to its metric column", f"no column {c[:-6]!r}")
    present = [c for c in columns if _is_metric(c) and not c.endswith("_sigma")]
    if metric is None:
        metrics = present
    else:
        metrics = [check_name("metric column", m, present) for m in as_list(metric, "metric")]
    inputs = [c for c in columns if c in start]
    return metrics, inputs


def _suggest(name, valid) -> str:
    import difflib

    close = difflib.get_close_matches(name, valid, n=3)
    return f"did you mean {', '.join(close)}?" if close else ""


def _numbers(frame, columns) -> np.ndarray:
    out = []
    for c in columns:
        try:
            col = pd.to_numeric(frame[c], errors="raise").to_numpy(dtype=float)
        except (ValueError, TypeError):
            bad = next(v for v in frame[c] if not _is_number(v))
            raise ParameterError(c, bad, "numbers in every row") from None
        bad = ~np.isfinite(col)
        if bad.any():
            i = int(np.argmax(bad))
            raise ParameterError(c, col[i], "finite numbers in every row", f"row {i}")
        out.append(col)
    return np.array(out)


def _is_number(v) -> bool:
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False


def _sigmas(frame, metrics, y, sigma):
    """``(scale, absolute)``: the residuals' divisors per metric and point; absolute if all are known."""
    scale = np.empty_like(y)
    absolute = True
    for i, m in enumerate(metrics):
        given = sigma.get(m) if isinstance(sigma, dict) else sigma
        if f"{m}_sigma" in frame.columns:
            scale[i] = _numbers(frame, [f"{m}_sigma"])[0]
        elif given is not None:
            if not _positive(given):
                raise ParameterError(f"sigma[{m}]", given, "a positive number (the metric's units)")
            scale[i] = given
        else:
            scale[i] = np.abs(y[i])
            absolute = False
        with np.errstate(all="ignore"):
            ratio = np.abs(y[i]) / scale[i]
        if np.any(scale[i] < np.finfo(float).tiny) or np.any(ratio > 1e100):
            where = int(np.argmax((scale[i] < np.finfo(float).tiny) | (ratio > 1e100)))
            source = f"{m}_sigma" if f"{m}_sigma" in frame.columns else m if not absolute else "sigma"
            raise ParameterError(source, scale[i][where],
                                 "a measurement scale within 1e-100 of the measured value",
                                 f"row {where} (a relative fit needs nonzero values)")
        if np.any(scale[i] <= 0):
            where = int(np.argmax(scale[i] <= 0))
            raise ParameterError(f"{m}_sigma" if absolute else m, scale[i][where],
                                 "a positive measurement scale", f"row {where} (a relative fit needs nonzero values)")
    if isinstance(sigma, dict):
        for k in sigma:
            check_name("metric column", k, metrics)
    return scale, absolute


def _weights(weights, metrics) -> np.ndarray:
    if weights is None:
        return np.ones(len(metrics))
    if not isinstance(weights, dict):
        raise ParameterError("weights", weights, "a dict {metric: weight}")
    for k, w in weights.items():
        check_name("metric column", k, metrics)
        if not _positive(w):
            raise ParameterError(f"weights[{k}]", w, "a positive number")
    return np.array([float(weights.get(m, 1.0)) for m in metrics])


def _positive(value) -> bool:
    """A finite positive real number (not a bool, not an integer too large for a double)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return False
    try:
        return bool(np.isfinite(float(value)) and value > 0)
    except OverflowError:
        return False


def _jacobian(predict, theta, bounds, typical, scale, root_w):
    """d(residuals)/d(parameters) at ``theta``: central differences (one-sided at a bound), one evaluation."""
    k = len(theta)
    step = JACOBIAN_STEP * np.maximum(np.abs(theta), typical)  # not tiny near 0: the start sets the scale
    up = np.minimum(theta + step, bounds[1])
    down = np.maximum(theta - step, bounds[0])
    grid = np.repeat(theta[:, None], 2 * k, axis=1)
    for j in range(k):
        grid[j, 2 * j], grid[j, 2 * j + 1] = up[j], down[j]
    out = predict(grid) / scale[None] * root_w[None]
    cols = [((out[2 * j] - out[2 * j + 1]) / (up[j] - down[j])).ravel() for j in range(k)]
    return np.array(cols).T


__all__ = ["fit"]
