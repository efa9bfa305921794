"""The result object of a single queueing station.

A :class:`StationResult` holds the standard metrics under fixed names, of the
kind the call was made with (floats, arrays or SymPy expressions):

========================  ======================================================
``utilization``           per-server utilization :math:`\\rho`
``throughput``            departure rate :math:`X` (1/s)
``response_time``         mean time in system :math:`R = W + S` (s)
``waiting_time``          mean time in queue :math:`W` (s)
``number_in_system``      mean number in system :math:`L = X R`
``number_in_queue``       mean number in queue :math:`L_q = X W`
``blocking_probability``  loss probability (finite buffers only, else ``None``)
========================  ======================================================

Array sweeps: points where the station is unstable (:math:`\\rho \\ge 1`) get
``inf`` for the response and waiting times and the queue lengths (and their
percentiles), the throughput is the station's capacity there, and
``utilization`` keeps the offered per-server load (>= 1) so that the user can
see how far past saturation the point is. ``stable`` is a boolean mask.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Callable, Optional

import numpy as np

from .._backend import ARRAY, SCALAR, SYMBOLIC, as_output
from .._validate import probability
from ..errors import ParameterError

METRICS = (
    "utilization",
    "throughput",
    "response_time",
    "waiting_time",
    "number_in_system",
    "number_in_queue",
)

_LATEX_NAMES = {
    "utilization": r"\rho",
    "throughput": "X",
    "response_time": "R",
    "waiting_time": "W",
    "number_in_system": "L",
    "number_in_queue": "L_q",
    "blocking_probability": r"P_{\mathrm{block}}",
}

_INFINITE_WHEN_UNSTABLE = ("response_time", "waiting_time", "number_in_system", "number_in_queue")


@dataclass(frozen=True, eq=False)
class StationResult:
    """Metrics of one queueing station (see the module docstring for the fields)."""

    model: str
    kind: str
    utilization: Any
    throughput: Any
    response_time: Any
    waiting_time: Any
    number_in_system: Any
    number_in_queue: Any
    blocking_probability: Any = None
    stable: Any = True
    percentile_method: str = ""
    _percentile: Optional[Callable] = field(default=None, repr=False)
    _inputs: tuple = field(default=("inputs",), repr=False)
    #: Var(R) behind a gamma-fit station's percentiles (None for other stations); composed models add it
    response_variance: Any = field(default=None, repr=False)

    def response_time_percentile(self, p):
        """The ``p``-quantile of the response time (time in system).

        ``p`` is a probability in (0, 1) (for example 0.99 for the p99). The
        method (exact, or the approximation used) is in ``percentile_method``.
        """
        p = probability("p", p, self.kind)
        if self._percentile is None:
            raise NotImplementedError(f"{self.model}: percentiles {self.percentile_method}")
        value = self._percentile(p)
        if self.kind == SYMBOLIC:
            return value
        value = np.where(self.stable, value, np.inf)
        _check_finite({"the response-time percentile": value}, np.asarray(self.stable, dtype=bool),
                      self._inputs, self.model)
        return as_output(value, SCALAR if self.kind == SCALAR and np.ndim(value) == 0 else ARRAY)

    def as_dict(self) -> dict:
        """The metrics as a plain dict (``blocking_probability`` only if set)."""
        out = {name: getattr(self, name) for name in METRICS}
        if self.blocking_probability is not None:
            out["blocking_probability"] = self.blocking_probability
        return out

    # -- display ----------------------------------------------------------
    def _latex_rows(self):
        import sympy as sp

        rows = []
        for name, value in self.as_dict().items():
            rhs = sp.latex(value) if self.kind == SYMBOLIC else f"{float(value):.6g}"
            rows.append(rf"{_LATEX_NAMES[name]} &= {rhs}")
        return rows

    def _repr_latex_(self):
        if self.kind == ARRAY:
            return None
        body = r" \\ ".join(self._latex_rows())
        return rf"$\text{{{self.model}}}:\quad\begin{{aligned}} {body} \end{{aligned}}$"

    def __repr__(self):
        parts = []
        for f in fields(self):
            if f.name.startswith("_") or f.name in ("kind",):
                continue
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, np.ndarray):
                value = f"array(shape={value.shape})" if value.size > 6 else np.array2string(value, precision=6)
            parts.append(f"{f.name}={value}")
        return f"StationResult({', '.join(parts)})"


def queueing_metrics(utilization, throughput, waiting_time, service_time) -> dict:
    """The six standard metrics from the waiting time, by :math:`R = W + S` and Little's law.

    .. math::
        R = W + S,\\quad L = X R,\\quad L_q = X W
    """
    response = waiting_time + service_time
    return dict(
        utilization=utilization,
        throughput=throughput,
        response_time=response,
        waiting_time=waiting_time,
        number_in_system=throughput * response,
        number_in_queue=throughput * waiting_time,
    )


def build_station(
    *,
    model: str,
    kind: str,
    metrics: dict,
    stable,
    capacity,
    percentile: Callable,
    percentile_method: str,
    blocking_probability=None,
    inputs: tuple = ("inputs",),
    response_variance=None,
) -> StationResult:
    """Assemble a :class:`StationResult`, masking unstable array points.

    ``metrics`` holds the six standard metrics computed by a model's formula;
    ``stable`` is ``True`` for symbolic and (already checked) scalar calls and a
    boolean array for sweeps; ``capacity`` is the station's maximum throughput,
    reported as the throughput where a sweep point is unstable. A metric that
    is NaN or overflows at a stable point (inputs at the edge of the float
    range) raises :class:`~virtmodel.errors.ParameterError` naming ``inputs``:
    a result is never NaN, and ``inf`` only where saturation puts it.
    """
    if kind == SYMBOLIC:
        values = dict(metrics)
        stable_out = True
    else:
        stable_arr = np.asarray(stable, dtype=bool)
        shape = np.broadcast_shapes(*(np.shape(v) for v in metrics.values()), stable_arr.shape)
        values = {}
        for name, value in metrics.items():
            value = np.broadcast_to(np.asarray(value, dtype=float), shape)
            if name in _INFINITE_WHEN_UNSTABLE:
                value = np.where(stable_arr, value, np.inf)
            elif name == "throughput":
                value = np.where(stable_arr, value, capacity)
            values[name] = as_output(value, kind)
        _check_finite(values, stable_arr, inputs, model)
        if blocking_probability is not None:
            blocking_probability = as_output(np.broadcast_to(blocking_probability, shape), kind)
        stable_out = bool(stable_arr) if kind == SCALAR else np.broadcast_to(stable_arr, shape)
        if response_variance is not None:
            response_variance = as_output(np.where(stable_arr, np.broadcast_to(
                np.asarray(response_variance, dtype=float), shape), np.inf), kind)
    return StationResult(
        model=model,
        kind=kind,
        blocking_probability=blocking_probability,
        stable=stable_out,
        percentile_method=percentile_method,
        _percentile=percentile,
        _inputs=inputs,
        response_variance=response_variance,
        **values,
    )


def _check_finite(values: dict, stable, inputs: tuple, model: str):
    """ParameterError if a metric is NaN or infinite where the station is stable."""
    for name, value in values.items():
        bad = ~np.isfinite(value) & stable
        if np.any(bad):
            where = "" if np.ndim(bad) == 0 else f" at element {tuple(int(i) for i in np.argwhere(bad)[0])}"
            raise ParameterError(", ".join(inputs), "this combination",
                                 "values whose results fit in the float range",
                                 f"{model}: {name} is {np.asarray(value)[bad].flat[0]} at a stable "
                                 f"point{where}")


def build_gamma_fit_station(*, model: str, kind: str, metrics: dict, variance, stable, capacity,
                            percentile_method: str, blocking_probability=None,
                            inputs: tuple = ("inputs",)) -> StationResult:
    """:func:`build_station` for a model whose percentiles are the gamma two-moment fit.

    ``variance`` is the response-time variance that, with the mean
    ``metrics["response_time"]``, fixes the gamma distribution
    (:func:`~virtmodel.queueing._percentiles.gamma_quantile`).
    """
    from ._percentiles import gamma_quantile

    response = metrics["response_time"]
    return build_station(
        model=model, kind=kind, metrics=metrics, stable=stable, capacity=capacity,
        percentile=lambda p: gamma_quantile(response, variance, p, kind, model),
        percentile_method=percentile_method, blocking_probability=blocking_probability, inputs=inputs,
        response_variance=variance,
    )

