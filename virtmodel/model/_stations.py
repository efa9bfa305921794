"""One station of the network, written once in SymPy: M/G/c by Allen-Cunneen.

Every station (guest vCPUs, host cores, device, offload card) is a queue with
Poisson arrivals, ``servers`` servers, FCFS, and a service time per request of
mean :math:`S` and variance :math:`V` (from the technique's
:class:`~virtmodel.techniques.Load`). With :math:`a = \\lambda S` and
:math:`K = C(c, a)/a` (:class:`~virtmodel.model._erlang.ErlangCOverLoad`):

.. math::
    W = \\frac{\\lambda\\,(S^2 + V)\\,K(c, a)}{2\\,(c - a)}, \\qquad R = W + S, \\qquad
    \\rho = a / c

This is the Allen-Cunneen M/G/c approximation
(:func:`virtmodel.queueing.ggc` with :math:`c_a^2 = 1`), which is *exact* for one
server (Pollaczek-Khinchine, :func:`virtmodel.queueing.mg1`) and for
exponential service (M/M/c, :func:`virtmodel.queueing.mmc`); the tests check
both identities against the queueing core. The response-time variance is the
same as the core's G/G/c one: :math:`\\mathrm{Var}(W) = (2P - P^2)\\,T^2` with
:math:`P = aK` the probability of waiting and :math:`T = (S^2+V)/(2S(c-a))` the
mean conditional wait, plus :math:`\\mathrm{Var}(S) = V`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._erlang import ErlangCOverLoad


@dataclass(frozen=True)
class StationTerms:
    """The SymPy expressions of one station on a request's path."""

    name: str
    demand: Any        # S, seconds per request
    variance: Any      # Var(S)
    servers: Any
    arrivals: Any      # arrival rate at the station (all VMs for shared stations)
    response: Any      # R
    response_variance: Any
    utilization: Any   # rho
    capacity: Any      # largest per-VM arrival rate the station can take


def station(name, load, servers, per_vm_arrivals, multiplicity) -> StationTerms:
    """Build a station's terms (module formula); ``multiplicity`` VMs share it."""
    s, v = load.mean, load.var
    lam = multiplicity * per_vm_arrivals
    a = lam * s
    k = ErlangCOverLoad(servers, a)
    waiting = lam * (s**2 + v) * k / (2 * (servers - a))
    p_wait = a * k
    tail = (s**2 + v) / (2 * s * (servers - a))
    return StationTerms(
        name=name, demand=s, variance=v, servers=servers, arrivals=lam,
        response=waiting + s,
        response_variance=(2 * p_wait - p_wait**2) * tail**2 + v,
        utilization=a / servers,
        capacity=servers / (multiplicity * s),
    )
