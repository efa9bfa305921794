"""How sure an answer is: Monte Carlo over the parameters' uncertainty, through the compiled model.

:func:`uncertainty` draws the uncertain parameters (the preset ranges of
:mod:`.parameter_ranges`, ranges given by the caller, or a multivariate normal
from a fit's values and covariance), evaluates the metric for every draw in ONE
call of the compiled model (the draws are one array dimension, an ``at=`` grid
the others) and returns quantiles, intervals and the nominal value as xarray,
with variance-based sensitivity (first-order and total Sobol indices,
:mod:`._sobol`) when the inputs are independent.

Assumptions: the uncertain parameters are independent (preset ranges) or
jointly normal (a fit; draws below a domain's lower bound are moved onto it,
and the share moved is reported); a saturated draw is ``inf`` and counts in the
quantiles as a latency beyond every finite one (Sobol indices are NaN where any
draw saturates). Quantiles are sample quantiles without interpolation (a
quantile is a drawn value, so ``inf`` never turns into NaN).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ParameterError
from ..model import Model
from . import _sobol
from .parameter_ranges import preset_ranges

#: the quantile levels reported by default
QUANTILES = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)
#: the most draws one call takes (the design and the grid must also fit in memory)
MAX_SAMPLES = 10**8
#: draws of U(0, 1) are kept this far from 0 and 1 (an unbounded law's ppf is finite there)
_EDGE = 1e-12


@dataclass(frozen=True)
class UncertaintyResult:
    """Outcome of :func:`uncertainty`.

    Attributes
    ----------
    metric : str
    draws : xarray.DataArray
        The metric for every draw, over ``("draw", *at dims)``.
    nominal : xarray.DataArray
        The metric at the model's own values, over the ``at`` dims.
    quantiles : xarray.DataArray
        Over ``("quantile", *at dims)``.
    first, total : xarray.DataArray or None
        Sobol indices over ``("parameter", *at dims)`` (None when not computed).
    saturated : xarray.DataArray
        Share of draws that saturate, over the ``at`` dims.
    parameters : dict
        ``{name: Range or distribution}`` drawn (or ``{name: "fit"}``).
    note : str
    """

    metric: str
    draws: object
    nominal: object
    quantiles: object
    first: object = None
    total: object = None
    saturated: object = None
    parameters: dict = field(default_factory=dict)
    note: str = ""

    def interval(self, level: float = 0.9) -> tuple:
        """``(low, high)``: the central ``level`` interval of the draws (xarray, over the ``at`` dims)."""
        if not (isinstance(level, (int, float)) and 0 < level < 1):
            raise ParameterError("level", level, "a number in (0, 1)")
        qs = [(1 - level) / 2, (1 + level) / 2]
        q = self.draws.quantile(qs, dim="draw", method="inverted_cdf")
        return q.isel(quantile=0, drop=True), q.isel(quantile=1, drop=True)

    def table(self):
        """A pandas DataFrame, one row per uncertain parameter: its range and Sobol indices.

        Indices are taken at the first ``at`` point when there is a grid.
        """
        import pandas as pd

        rows = {}
        for i, (name, r) in enumerate(self.parameters.items()):
            row = {"low": getattr(r, "low", np.nan), "high": getattr(r, "high", np.nan),
                   "kind": getattr(r, "kind", str(r)), "basis": getattr(r, "basis", ""),
                   "sources": ", ".join(getattr(r, "sources", ()))}
            for key in ("first", "total"):
                idx = getattr(self, key)
                row[key] = np.nan if idx is None else float(np.ravel(idx.isel(parameter=i).values)[0])
            rows[name] = row
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "parameter"
        return df.sort_values("total", ascending=False) if self.total is not None else df

    def plot(self, ax=None, **kwargs):
        """Bands over the ``at`` grid, or a histogram of the draws (:func:`virtmodel.plotting.uncertainty_plot`)."""
        from ..plotting.bands import uncertainty_plot

        return uncertainty_plot(self, ax, **kwargs)

    def _repr_html_(self):
        from html import escape

        low, high = self.interval(0.9)
        head = (f"<p><b>{escape(self.metric)}</b>: {self.draws.sizes['draw']} draws; nominal "
                f"{escape(_brief(self.nominal))}; 90% interval {escape(_brief(low))} .. {escape(_brief(high))}"
                f"; saturated share {escape(_brief(self.saturated))}</p>")
        note = f"<p>{escape(self.note)}</p>" if self.note else ""
        return head + note + self.table().to_html()


def _brief(da) -> str:
    values = np.ravel(np.asarray(da))
    if values.size == 1:
        return f"{values[0]:.4g}"
    return f"{values.min():.4g} .. {values.max():.4g} over the grid"


def _as_model(model) -> Model:
    if isinstance(model, Model):
        return model
    if isinstance(model, str) or hasattr(model, "values"):
        return Model(model)
    raise ParameterError("model", model, "a Model or a technique name")


def _check_samples(samples, seed) -> int:
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or not 2 <= samples <= MAX_SAMPLES:
        raise ParameterError("samples", samples, f"a whole number from 2 to {MAX_SAMPLES:,}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ParameterError("seed", seed, "a whole number >= 0 or None")
    return int(samples)


def _laws(model, ranges) -> dict:
    """``{name: law}`` with a ``ppf``: the given ranges, or the presets the model has."""
    values = model.values()
    if ranges is None:
        ranges = {n: r for n, r in preset_ranges(model.technique).items() if n in values}
        if not ranges:
            raise ParameterError("ranges", None, "ranges for this model",
                                 f"{model.technique.name} has no preset ranges; pass ranges={{name: Range}}")
        return ranges
    if not isinstance(ranges, dict) or not ranges:
        raise ParameterError("ranges", ranges, "a non-empty dict {parameter: Range or scipy distribution}")
    for name, law in ranges.items():
        if name not in values:
            raise ParameterError("ranges", name, f"parameters of this {model.technique.name} model")
        if not callable(getattr(law, "ppf", None)):
            raise ParameterError(name, law, "a Range or a frozen scipy.stats distribution (with .ppf)")
    return dict(ranges)


def _fit_law(model, fit):
    """``(names, mean, cholesky factor, diagonal?)`` of a FitResult-like object (duck typed)."""
    values, cov = getattr(fit, "values", None), getattr(fit, "covariance", None)
    if not isinstance(values, dict) or cov is None:
        raise ParameterError("fit", type(fit).__name__, "an object with .values (dict) and .covariance (DataFrame)")
    names = list(values)
    known = model.values()
    for name in names:
        if name not in known:
            raise ParameterError("fit", name, f"parameters of this {model.technique.name} model")
    c = np.asarray(cov.loc[names, names], dtype=float)
    mean = np.array([values[n] for n in names], dtype=float)
    if not (np.all(np.isfinite(c)) and np.allclose(c, c.T)):
        raise ParameterError("fit.covariance", "not symmetric and finite", "a symmetric finite matrix")
    w, v = np.linalg.eigh(c)
    if w.min() < -1e-12 * max(w.max(), 0):
        raise ParameterError("fit.covariance", f"eigenvalue {w.min():.3g}", "positive semi-definite")
    factor = v * np.sqrt(np.clip(w, 0, None))
    return names, mean, factor, bool(np.allclose(c, np.diag(np.diag(c))))


def _grid(at) -> dict:
    if at is None:
        return {}
    if not isinstance(at, dict):
        raise ParameterError("at", at, "a dict {parameter: 1-D array of values}")
    out = {}
    for name, value in at.items():
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ParameterError(name, value, "numbers (a 1-D array)") from None
        if arr.ndim != 1 or arr.size == 0:
            raise ParameterError(name, value, "a non-empty 1-D array")
        out[name] = arr
    return out


def _lower_bounds(model, names) -> np.ndarray:
    from .._params import numeric_fields

    domains = {f.name: f.metadata["domain"] for obj in (model.workload, model.platform, model.technique)
               for f in numeric_fields(obj)}
    return np.array([-np.inf if domains[n] == "real" else 0.0 for n in names])


def draw_inputs(model, samples, seed, ranges=None, fit=None, sobol=True):
    """``(names, X, sobol, note, laws)``: parameter draws ``X`` of shape ``(rows, k)``.

    ``rows`` is ``samples`` (plain Monte Carlo) or ``samples (k + 2)`` (the
    Saltelli design, :func:`._sobol.design`, its first ``samples`` rows the plain
    draws); ``sobol`` comes back False for correlated fit draws.
    """
    from scipy.special import ndtri

    rng = np.random.default_rng(seed)
    note = ""
    if fit is not None:
        if ranges is not None:
            raise ParameterError("ranges", "given with fit", "either ranges= or fit=, not both")
        names, mean, factor, diagonal = _fit_law(model, fit)
        if sobol and not diagonal:
            sobol, note = False, "Sobol indices left out: the fit's parameters are correlated"
    else:
        laws = _laws(model, ranges)
        names = list(laws)
    k = len(names)
    u_a = rng.uniform(_EDGE, 1 - _EDGE, (samples, k))
    u = _sobol.design(u_a, rng.uniform(_EDGE, 1 - _EDGE, (samples, k))) if sobol else u_a
    if fit is not None:
        x = mean + ndtri(u) @ factor.T
        low = _lower_bounds(model, names)
        moved = x < low
        if moved.any():
            note = (note + "; " if note else "") + f"{moved.mean():.2%} of the drawn values moved onto their domain's bound"
            x = np.maximum(x, low)
    else:
        x = np.column_stack([laws[n].ppf(u[:, j]) for j, n in enumerate(names)])
    return names, x, sobol, note, (laws if fit is None else {n: "fit" for n in names})


def uncertainty(model, metric, samples=10_000, seed=0, at=None, ranges=None, fit=None, sobol=True):
    """A metric with its uncertainty: Monte Carlo over the parameters' laws.

    Parameters
    ----------
    model : Model or str
        Open or closed (``users`` > 0) model.
    metric : str
        Any metric of the model, percentiles (``p99``) included.
    samples : int
        Monte Carlo draws N. With ``sobol=True`` the model is evaluated at
        N (k + 2) points (Saltelli design, k uncertain parameters), else at N.
    seed : int
        Seed of the random draws (the same seed gives the same draws: common
        random numbers across calls with the same parameters).
    at : dict, optional
        ``{parameter: 1-D values}``: a grid (e.g. ``arrival_rate``) over which
        the bands are computed; every grid point sees the same draws.
    ranges : dict, optional
        ``{parameter: Range or frozen scipy distribution}``; default the preset
        ranges of the model's technique (:func:`.parameter_ranges.preset_ranges`).
    fit : object, optional
        Anything with ``.values`` (dict) and ``.covariance`` (DataFrame indexed
        by the same names): draws from the multivariate normal they define.
    sobol : bool
        Compute first-order and total Sobol indices.

    Returns
    -------
    UncertaintyResult
    """
    import xarray as xr

    model = _as_model(model)
    from .._memory import check_fits

    samples = _check_samples(samples, seed)
    if not isinstance(sobol, bool):
        raise ParameterError("sobol", sobol, "True or False")
    grid = _grid(at)
    model._check_metric(metric, None if model.workload.users == 0 else _closed_metrics())
    rows = samples * ((len(ranges) if isinstance(ranges, dict) else 20) + 2 if sobol else 1)
    check_fits(rows * int(np.prod([v.size for v in grid.values()])), "samples", instead="fewer samples or grid points")
    names, x, sobol, note, laws = draw_inputs(model, samples, seed, ranges, fit, sobol)
    for name in grid:
        if name in names:
            raise ParameterError("at", name, "a parameter that is not drawn")
    dims = list(grid)
    lead = (slice(None),) + (None,) * len(dims)
    shaped = {n: x[:, j][lead] for j, n in enumerate(names)}
    axes = {n: v.reshape([1] * (i + 1) + [-1] + [1] * (len(dims) - i - 1)) for i, (n, v) in enumerate(grid.items())}
    full = (x.shape[0],) + tuple(v.size for v in grid.values())
    y = np.broadcast_to(np.asarray(model.evaluate(metric, **shaped, **axes), dtype=float), full)
    coords = {n: v for n, v in grid.items()}
    y_mc = y[:samples]
    draws = xr.DataArray(y_mc, dims=["draw", *dims], coords=coords, name=metric)
    nominal_axes = {n: v.reshape([1] * i + [-1] + [1] * (len(dims) - i - 1)) for i, (n, v) in enumerate(grid.items())}
    nominal = np.broadcast_to(np.asarray(model.evaluate(metric, **nominal_axes) if grid else _scalar(model, metric),
                                         dtype=float), full[1:])
    nominal = xr.DataArray(nominal, dims=dims, coords=coords, name=metric)
    quantiles = draws.quantile(list(QUANTILES), dim="draw", method="inverted_cdf")
    saturated = (~np.isfinite(draws)).mean("draw")
    first = total = None
    if sobol:
        s1, st = _sobol.indices(y, samples, len(names))
        pcoords = {"parameter": names, **coords}
        first = xr.DataArray(s1, dims=["parameter", *dims], coords=pcoords, name="first")
        total = xr.DataArray(st, dims=["parameter", *dims], coords=pcoords, name="total")
    return UncertaintyResult(metric, draws, nominal, quantiles, first, total, saturated, laws, note)


def _scalar(model, metric) -> float:
    try:
        return model.evaluate(metric)
    except ValueError:  # saturated at the nominal point
        return float("inf")


def _closed_metrics():
    from ..model.closed import closed_metric_names

    return closed_metric_names()
