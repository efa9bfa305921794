"""Asymptotic and balanced-job bounds on the throughput and response time of a closed network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._backend import SYMBOLIC, as_output, kind_of, ops_for
from .._validate import choice, positive
from ..errors import ParameterError
from ._closed_network_input import demands_array, servers_array, think_times_array

METHODS = ("asymptotic", "balanced")


@dataclass(frozen=True)
class ClosedBounds:
    """Lower and upper bounds on :math:`X(N)` (1/s) and :math:`R(N) = N/X - Z` (s), think time excluded."""

    method: str
    throughput_lower: Any
    throughput_upper: Any
    response_time_lower: Any
    response_time_upper: Any


def closed_bounds(demands, population, think_time=0, servers=1, *, method="balanced") -> ClosedBounds:
    """Bounds on the throughput and response time of a closed single-class network.

    With :math:`D = \\sum_k D_k` over the queueing stations, :math:`D_{max}` their
    largest demand, :math:`D_{avg} = D/K` (K queueing stations) and delay
    stations' demands added to the think time :math:`Z`:

    Asymptotic bounds (``"asymptotic"``):

    .. math::
        \\frac{N}{N D + Z} \\le X(N) \\le \\min\\Bigl(\\frac{1}{D_{max}}, \\frac{N}{D + Z}\\Bigr)

    Balanced job bounds (``"balanced"``, tighter):

    .. math::
        \\frac{N}{D + Z + \\frac{(N-1) D_{max}}{1 + Z/(N D)}} \\le X(N) \\le
        \\min\\Bigl(\\frac{1}{D_{max}}, \\frac{N}{D + Z + \\frac{(N-1) D_{avg}}{1 + Z/D}}\\Bigr)

    and :math:`R(N) = N/X(N) - Z` turns each throughput bound into the opposite
    response-time bound (optimistic: the lower response time, from the upper
    throughput). Exact MVA lies between them.

    Assumptions: a closed product-form network of single-server queueing
    stations and delay stations, one class, demands independent of the load.

    Parameters
    ----------
    demands : array_like (K,), floats or SymPy expressions
        Service demands (s), >= 0 with a positive total over the queueing stations.
    population : int, array_like or SymPy symbol
        Customers :math:`N` (>= 1); arrays broadcast (bounds against N).
    think_time : float or SymPy expression, optional
        Think time :math:`Z` (s), >= 0.
    servers : 1, ``numpy.inf`` or array_like (K,) of them, optional
        1 for a queueing station, ``numpy.inf`` for a delay station.
    method : {"balanced", "asymptotic"}, keyword only

    Returns
    -------
    ClosedBounds
        ``throughput_lower``, ``throughput_upper``, ``response_time_lower``,
        ``response_time_upper`` (broadcast over ``population``).

    Examples
    --------
    >>> b = closed_bounds([0.2, 0.1], 1, 0.7)
    >>> b.throughput_lower, b.throughput_upper
    (1.0, 1.0)

    References
    ----------
    E. D. Lazowska, J. Zahorjan, G. S. Graham and K. C. Sevcik, *Quantitative
    System Performance*, Prentice-Hall 1984, ch. 5 (tables 5.1, 5.2).
    J. Zahorjan, K. C. Sevcik, D. L. Eager and B. Galler, "Balanced job bound
    analysis of queueing networks", Comm. ACM 25(2), 1982.
    GNU Octave ``queueing``: ``qncsaba``, ``qncsbsb``.
    """
    choice("method", method, METHODS)
    kind = SYMBOLIC if kind_of(demands, population, think_time) == SYMBOLIC else "array"
    D = demands_array(demands, kind, ndim=1)
    c = servers_array(servers, D.shape[0], multi_server=False)
    Z0 = think_times_array("think_time", think_time, kind, 1)[0]
    N = positive("population", population, kind)
    if kind != SYMBOLIC and np.any((N < 1) | (N != np.floor(N))):
        raise ParameterError("population", population, "whole numbers >= 1")
    queue = ~np.isinf(c)
    Dq = D[queue]
    if Dq.size == 0 or not any(d != 0 for d in Dq):
        raise ParameterError("demands", demands, "a positive total over the queueing stations",
                             "without a queue there is nothing to bound: X = N / (D + Z)")
    op = ops_for(kind)
    Z = Z0 + sum(D[~queue], 0)
    total = sum(Dq, 0)
    if kind == SYMBOLIC:
        largest = op.maximum(*Dq) if Dq.size > 1 else Dq[0]
    else:
        largest = Dq.max()
    if method == "asymptotic":
        lower = N / (N * total + Z)
        upper = op.minimum(1 / largest, N / (total + Z))
    else:
        average = total / Dq.size
        lower = N / (total + Z + (N - 1) * largest / (1 + Z / (N * total)))
        upper = op.minimum(1 / largest, N / (total + Z + (N - 1) * average / (1 + Z / total)))
    out_kind = kind if kind == SYMBOLIC else ("scalar" if np.ndim(N) == 0 else "array")
    return ClosedBounds(method, as_output(lower, out_kind), as_output(upper, out_kind),
                        as_output(N / upper - Z0, out_kind), as_output(N / lower - Z0, out_kind))
