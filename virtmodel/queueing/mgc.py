"""The G/G/c station in terms of the service time's mean and variance (Allen-Cunneen).

This is the one place the Allen-Cunneen formula is written. :func:`~.gg1.gg1`,
:func:`~.ggc.ggc` and the virtualization model's stations
(:mod:`virtmodel.model`) all evaluate it. With :math:`a = \\lambda m` the
offered load, :math:`c` servers, :math:`P_w` a probability of waiting,
:math:`c_a^2` the interarrival SCV and :math:`v` the service-time variance:

.. math::
    T = \\frac{c_a^2 m^2 + v}{2\\,m\\,(c - a)}, \\qquad W = P_w\\,T, \\qquad R = W + m,
    \\qquad \\mathrm{Var}(R) = (2P_w - P_w^2)\\,T^2 + v

:math:`T` is the mean wait of a request that waits (exponential), so
:math:`W` is an atom :math:`1 - P_w` at 0 plus that tail; with
:math:`v = c_s^2 m^2` this is the familiar
:math:`W = P_w \\frac{m}{c(1-\\rho)}\\frac{c_a^2 + c_s^2}{2}`.
:func:`mgc_terms` is the Poisson-arrival case (:math:`c_a^2 = 1`) with
:math:`P_w` the Erlang C probability, written as :math:`a\\,K(c, a)`
(:class:`~.erlang_function.ErlangCOverLoad`) so that a symbolic number of
servers stays one compact function and a station with no work has
:math:`W = 0`, not :math:`0/0`. It is exact for one server
(Pollaczek-Khinchine) and for exponential service (M/M/c).

References
----------
A. O. Allen, *Probability, Statistics, and Queueing Theory*, 2nd ed.,
Academic Press 1990, section 6.3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def allen_cunneen(lam, m, v, c, pwait, arrival_scv=1) -> dict:
    """The station's mean values and response-time variance (module formula), any kind, unvalidated.

    Returns ``{"utilization", "waiting_time", "response_time", "response_variance", "capacity"}``.
    """
    second = arrival_scv * m**2 + v
    tail = second / (2 * m * (c - lam * m))
    wait = pwait * second / (m * (2 * c - 2 * lam * m))  # = pwait * tail, in the form SymPy prints best
    return dict(utilization=lam * m / c, waiting_time=wait, response_time=wait + m,
                response_variance=(2 * pwait - pwait**2) * tail**2 + v, capacity=c / m)


@dataclass(frozen=True)
class MGcTerms:
    """The SymPy expressions of one M/G/c station (:func:`mgc_terms`)."""

    arrival_rate: Any
    mean_service_time: Any
    service_variance: Any
    servers: Any
    utilization: Any
    waiting_time: Any
    response_time: Any
    response_variance: Any
    capacity: Any       # the largest arrival rate the station can take, c/m


def mgc_terms(arrival_rate, mean_service_time, service_variance, servers) -> MGcTerms:
    """An M/G/c station as SymPy expressions (Allen-Cunneen, :math:`P_w` = Erlang C).

    Symbolic inputs only (symbols or expressions; the number of servers may be
    a symbol): the expressions are what the virtualization model composes and
    compiles. For numbers and arrays use :func:`~.ggc.ggc` with
    ``arrival_scv=1``, which evaluates the same formula.

    Examples
    --------
    >>> import sympy as sp
    >>> lam, m = sp.symbols("lambda m", positive=True)
    >>> sp.cancel(mgc_terms(lam, m, m**2, 1).response_time)     # M/M/1: m/(1 - lambda m)
    -m/(lambda*m - 1)
    """
    from .erlang_function import ErlangCOverLoad

    lam, m, v, c = arrival_rate, mean_service_time, service_variance, servers
    a = lam * m
    terms = allen_cunneen(lam, m, v, c, a * ErlangCOverLoad(c, a))
    return MGcTerms(arrival_rate=lam, mean_service_time=m, service_variance=v, servers=c, **terms)
