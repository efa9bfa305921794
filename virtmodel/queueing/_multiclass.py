"""Shared pieces of the multi-class M/G/1 models: inputs, moments, the result object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._backend import kind_of
from .._validate import nonnegative, positive, same_shape
from ..errors import ParameterError
from ._moments import second_moment, third_moment


@dataclass(frozen=True, eq=False)
class MultiClassResult:
    """Per-class :class:`StationResult` objects of one multi-class station.

    ``classes[k]`` holds class ``k``'s metrics (its own arrival rate as
    ``throughput``, its utilization share :math:`\\rho_k = \\lambda_k m_k`, its
    mean response and waiting times); ``utilization`` is the station's total
    :math:`\\rho = \\sum_k \\rho_k`. Indexing and iteration go over the classes.
    """

    model: str
    utilization: Any
    classes: tuple

    def __getitem__(self, k):
        return self.classes[k]

    def __len__(self):
        return len(self.classes)

    def __iter__(self):
        return iter(self.classes)


def class_inputs(arrival_rates, mean_service_times, service_scvs, servers=None):
    """Validate per-class sequences of equal length; returns kind and lists (lambda, m, scv).

    ``servers`` (M/G/c) takes part in the kind only: a symbolic number of servers makes numbers
    symbolic, as in :func:`~.ggc.ggc`."""
    seqs = {"arrival_rates": arrival_rates, "mean_service_times": mean_service_times,
            "service_scvs": service_scvs}
    for name, seq in seqs.items():
        if isinstance(seq, (str, bytes)) or not hasattr(seq, "__len__") or len(seq) == 0:
            raise ParameterError(name, seq, "a non-empty sequence with one value per class")
    sizes = {len(s) for s in seqs.values()}
    if len(sizes) != 1:
        raise ParameterError("mean_service_times", f"{len(mean_service_times)} values",
                             f"one per class, like arrival_rates ({len(arrival_rates)})")
    kind = kind_of(*arrival_rates, *mean_service_times, *service_scvs, servers)
    same_shape(**{f"{name}[{k}]": v for name, seq in seqs.items() for k, v in enumerate(seq)})
    lam = [nonnegative(f"arrival_rates[{k}]", v, kind) for k, v in enumerate(arrival_rates)]
    m = [positive(f"mean_service_times[{k}]", v, kind, normal=True) for k, v in enumerate(mean_service_times)]
    scv = [nonnegative(f"service_scvs[{k}]", v, kind) for k, v in enumerate(service_scvs)]
    return kind, lam, m, scv


def residual_work(lam, m, scv):
    """:math:`R_0 = \\sum_k \\lambda_k E[S_k^2]/2`, the mean residual work an arrival finds in service."""
    return sum((lk * second_moment(mk, sk) for lk, mk, sk in zip(lam, m, scv)), 0 * lam[0]) / 2


def fcfs_waiting_moments(lam, m, scv):
    """Mean and second moment of the M/G/1 FCFS waiting time of the pooled classes (Takacs).

    .. math::
        W = \\frac{R_0}{1-\\rho},\\qquad E[W^2] = 2W^2 + \\frac{\\sum_k\\lambda_k E[S_k^3]}{3(1-\\rho)}
    """
    rho = sum((lk * mk for lk, mk in zip(lam, m)), 0 * lam[0])
    w = residual_work(lam, m, scv) / (1 - rho)
    third = sum((lk * third_moment(mk, sk) for lk, mk, sk in zip(lam, m, scv)), 0 * lam[0])
    return w, 2 * w**2 + third / (3 * (1 - rho))
