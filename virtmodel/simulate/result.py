"""Result objects of the simulators: every metric as an :class:`Estimate`.

Field names follow :mod:`virtmodel.queueing`, so a closed form and its
simulation read side by side::

    cf, sim = mm1(0.8, 1.0), simulate_gg1(0.8, 1.0)
    sim.response_time.contains(cf.response_time)
    sim.response_time_percentile(0.99).contains(cf.response_time_percentile(0.99))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from ..errors import ParameterError
from .estimates import Estimate, from_batches

STATION_METRICS = ("utilization", "throughput", "response_time", "waiting_time",
                   "number_in_system", "number_in_queue")
PERCENTILES = (0.5, 0.95, 0.99)  # response-time percentiles estimated by default
NETWORK_METRICS = STATION_METRICS + ("visits", "residence_time")


@dataclass(frozen=True, repr=False)
class _Common:
    """Shared by both result kinds: the run description, the station metrics,
    metric lookup, percentiles and ``contains``."""

    model: str
    method: str
    confidence: float
    customers: int
    warmup: int
    batches: int
    utilization: Estimate
    throughput: Estimate
    response_time: Estimate
    waiting_time: Estimate
    number_in_system: Estimate
    number_in_queue: Estimate

    def __getitem__(self, metric: str) -> Estimate:
        value = getattr(self, metric, None) if isinstance(metric, str) else None
        if not isinstance(value, Estimate):
            raise ParameterError("metric", metric, "one of " + ", ".join(self.metrics()))
        return value

    def metrics(self) -> tuple:
        """The names of the metrics this result estimates."""
        return tuple(k for k, v in vars(self).items() if isinstance(v, Estimate))

    def contains(self, metric: str, value, confidence: float | None = None, *, rtol: float = 0.0) -> bool:
        """Whether ``value`` lies in the confidence interval of ``metric``."""
        return self[metric].contains(value, confidence, rtol=rtol)

    def response_time_percentile(self, p: float) -> Estimate:
        """The estimated ``p``-quantile of the response time (one of those asked for)."""
        for q, est in self.percentiles.items():
            if abs(q - p) < 1e-12:
                return est
        raise ParameterError("p", p, "one of the simulated percentiles " + str(tuple(self.percentiles)),
                             "pass percentiles=(...) to the simulator to estimate others")

    def __repr__(self):
        lines = [f"{type(self).__name__}({self.model}; {self.method})"]
        for name in self.metrics():
            lines.append(f"  {name}: {getattr(self, name)!r}")
        for p, est in self.percentiles.items():
            lines.append(f"  p{100 * p:g}: {est!r}")
        return "\n".join(lines)


@dataclass(frozen=True, repr=False)
class SimulationResult(_Common):
    """Estimates for one station (the fields of :class:`~virtmodel.queueing.StationResult`).

    ``blocking_probability`` is ``None`` unless the buffer is finite;
    ``percentiles`` maps each simulated level ``p`` to its :class:`Estimate`;
    ``method`` states how intervals were obtained.
    """

    blocking_probability: Optional[Estimate] = None
    percentiles: dict = field(default_factory=dict)


@dataclass(frozen=True, repr=False)
class NetworkSimulationResult(_Common):
    """Estimates for a network: per-station arrays and system totals.

    Per station (arrays, one entry per station): ``throughput``,
    ``utilization`` (per server; 0 for a delay station), ``response_time``
    *per visit*, ``waiting_time`` per visit, ``number_in_system``,
    ``number_in_queue``, ``visits`` (per passage through the network) and
    ``residence_time`` (time per passage = visits x response time).
    System: ``system_throughput`` (passages per second),
    ``system_response_time`` (time per passage) and
    ``system_number_in_system``. ``percentiles`` are those of the system
    response time.
    """

    visits: Estimate
    residence_time: Estimate
    system_throughput: Estimate
    system_response_time: Estimate
    system_number_in_system: Estimate
    percentiles: dict = field(default_factory=dict)


def _split(rows: dict, confidence: float):
    metrics = {k: from_batches(v, confidence) for k, v in rows.items() if isinstance(k, str)}
    percentiles = {k[1]: from_batches(v, confidence) for k, v in rows.items() if not isinstance(k, str)}
    return metrics, percentiles


def station_result(rows: dict, *, confidence: float, **info) -> SimulationResult:
    """Build a :class:`SimulationResult` from :func:`~.batching.customer_batches` rows."""
    metrics, percentiles = _split(rows, confidence)
    return SimulationResult(confidence=confidence, percentiles=percentiles, **info, **metrics)


def network_result(station_rows: dict, system_rows: dict, *, confidence: float, **info):
    """Build a :class:`NetworkSimulationResult` from :func:`~.batching.time_batches` rows."""
    metrics, _ = _split(station_rows, confidence)
    system, percentiles = _split(system_rows, confidence)
    system = {"system_" + k: v for k, v in system.items()}
    return NetworkSimulationResult(confidence=confidence, percentiles=percentiles, **info, **metrics, **system)


def single_station_result(rows: dict, q, model: str) -> SimulationResult:
    """A :class:`SimulationResult` from batch rows and the checked inputs ``q``."""
    size = q.customers // q.batches
    return station_result(
        rows, confidence=q.confidence, model=model,
        method=describe_batches(q.batches, f"{size} customers", f"{q.warmup} customers", q.confidence),
        customers=size * q.batches, warmup=q.warmup, batches=q.batches)


def describe_batches(batches: int, size: str, warmup: str, confidence: float) -> str:
    """The ``method`` string of a result."""
    return (f"batch means: {batches} batches of {size} after a warm-up of {warmup}; "
            f"{confidence:.0%} Student-t intervals")


def concat_rows(parts: list) -> dict:
    """Join per-chunk batch rows (dicts of arrays) along the batch axis."""
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
