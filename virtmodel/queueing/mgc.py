"""The G/G/c station in terms of the service time's mean and variance (Allen-Cunneen).

This is the one place the Allen-Cunneen formula is written. :func:`~.gg1.gg1`,
:func:`~.ggc.ggc`, :func:`~.mgc_multiclass.mgc_multiclass` and the
virtualization model's stations (:mod:`virtmodel.model`) all evaluate it. With
:math:`a = \\lambda m` the offered load, :math:`c` servers, :math:`\\rho = a/c`,
:math:`P_w` a probability of waiting, :math:`c_a^2` the interarrival SCV and
:math:`v` the service-time variance:

.. math::
    T = \\frac{c_a^2 m^2 + v}{2\\,m\\,(c - a)}, \\qquad W = P_w\\,T, \\qquad R = W + m,

    \\mathrm{Var}(R) = P_w\\,T^2\\,\\bigl(2\\rho + (1-\\rho)\\,\\kappa - P_w\\bigr) + v,
    \\qquad \\kappa = \\frac{4\\,m\\,E[S^3]}{3\\,E[S^2]^2}

:math:`T` is the mean wait of a request that waits, so :math:`W` is an atom
:math:`1 - P_w` at 0 plus a conditional wait of mean :math:`T`; with
:math:`v = c_s^2 m^2` the mean is the familiar
:math:`W = P_w \\frac{m}{c(1-\\rho)}\\frac{c_a^2 + c_s^2}{2}`.

The variance: the conditional wait is taken as the wait of an M/G/1 whose
server is :math:`c` times faster (service :math:`S/c`), given that it waits.
By Takacs, that M/G/1 has :math:`E[W^2] = 2W^2 + \\lambda E[S^3]/(3c^3(1-\\rho))`
and :math:`P_w = \\rho`, so

.. math::
    E[W^2 \\mid \\text{wait}] = 2\\rho\\,T^2 + \\frac{E[S^3]}{3\\,c^2\\,m\\,(1-\\rho)}
    = T^2\\,\\bigl(2\\rho + (1-\\rho)\\,\\kappa\\bigr)

(using :math:`T = E[S^2]/(2cm(1-\\rho))` for Poisson arrivals), and
:math:`\\mathrm{Var}(W) = P_w E[W^2 \\mid \\text{wait}] - (P_w T)^2`,
:math:`\\mathrm{Var}(R) = \\mathrm{Var}(W) + v` (W and S independent, FCFS).
:math:`\\kappa` is :math:`E[S_e^2]/E[S_e]^2` of the stationary excess of
:math:`S` (:func:`~._moments.excess_ratio`): the conditional wait's second
moment mixes the exponential's (2, weight :math:`\\rho`) and the residual
service's (weight :math:`1-\\rho`). :math:`E[S^3]` is that of a gamma
distribution of mean :math:`m` and variance :math:`v`
(:func:`~._moments.third_moment`, the assumption of every Takacs variance in the
package, the time-sliced vCPU's included), so
:math:`\\kappa = 4(1 + 2c_s^2)/(3(1 + c_s^2))`. Exact: at :math:`c = 1` for any
service SCV (:math:`P_w = \\rho`: Takacs' variance of the M/G/1, given the gamma
third moment) and for M/M/c for any :math:`c` (:math:`\\kappa = 2`: the
exponential conditional wait, the Allen-Cunneen form used before,
:math:`(2P_w - P_w^2)T^2 + v`). For several servers and non-exponential service
it is an approximation. Against the discrete-event simulation (gamma service,
:math:`c_s^2` 0.25 and 4, :math:`\\rho` 0.5 and 0.8, 3 x 4e6 customers) the
conditional wait's SCV :math:`2\\rho + (1-\\rho)\\kappa - 1` is within 0.07 of
the simulated one at :math:`c` = 2 and 4, the exponential's (1) off by 0.08 to
0.27 (tests/queueing/test_mgc_variance.py); :math:`\\mathrm{Var}(R)` is off by
0.5-3.4% (mean 1.9%) at :math:`c = 2` where the exponential form was off by
2.1-5.7% (mean 3.9%), and by 1.0-1.9% (mean 1.6%) at :math:`c = 4` against
0.6-2.7% (mean 1.5%): what remains is the error of Allen-Cunneen's :math:`T`
and :math:`P_w`, which the exponential shape happened to offset in places. Kept
for every :math:`c` (a change at one server only would need a Piecewise in a
symbolic :math:`c`).

Non-Poisson arrivals (:math:`c_a^2 \\ne 1`, :func:`~.gg1.gg1` and
:func:`~.ggc.ggc`): the conditional wait keeps the M/G/c shape (the same
:math:`\\kappa`-mix, so the same SCV) with the G/G/c mean :math:`T`. This is
continuous in :math:`c_a^2`, keeps the exponential conditional wait of GI/M/c
(exact there, up to :math:`T`), and the variance is never below :math:`v`
(:math:`\\kappa \\ge 1 \\ge P_w`); it is a heuristic, Takacs' formula holds for
Poisson arrivals only.

:func:`mgc_terms` is the Poisson-arrival case (:math:`c_a^2 = 1`) with
:math:`P_w` the Erlang C probability, written as :math:`a\\,K(c, a)`
(:class:`~.erlang_function.ErlangCOverLoad`) so that a symbolic number of
servers stays one compact function and a station with no work has
:math:`W = 0`, not :math:`0/0`. Its mean is exact for one server
(Pollaczek-Khinchine) and for exponential service (M/M/c).

References
----------
A. O. Allen, *Probability, Statistics, and Queueing Theory*, 2nd ed.,
Academic Press 1990, section 6.3 (the mean); L. Kleinrock, *Queueing Systems,
Vol. 1*, Wiley 1975, eq. 5.114 (Takacs' second moment of the M/G/1 wait).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._moments import excess_ratio, gamma_excess_ratio, second_moment


def allen_cunneen(lam, m, v, c, pwait, arrival_scv=1, service_third_moment=None) -> dict:
    """The station's mean values and response-time variance (module formula), any kind, unvalidated.

    ``service_third_moment`` is :math:`E[S^3]`; None takes a gamma-distributed
    service time of mean ``m`` and variance ``v``. Returns ``{"utilization",
    "waiting_time", "response_time", "response_variance", "capacity"}``.
    """
    second = arrival_scv * m**2 + v
    tail = second / (2 * m * (c - lam * m))
    wait = pwait * second / (m * (2 * c - 2 * lam * m))  # = pwait * tail, in the form SymPy prints best
    rho = lam * m / c
    return dict(utilization=rho, waiting_time=wait, response_time=wait + m,
                response_variance=waiting_variance(m, v, rho, pwait, tail, service_third_moment) + v,
                capacity=c / m)


def waiting_variance(m, v, rho, pwait, tail, service_third_moment=None):
    """:math:`\\mathrm{Var}(W) = P_w T^2 (2\\rho + (1-\\rho)\\kappa - P_w)` (module docstring).

    ``tail`` is :math:`T`; ``service_third_moment`` as in :func:`allen_cunneen`. :math:`\\kappa` is
    scale-free, so it is computed from the moments of :math:`S/m` (1, :math:`1 + c_s^2`,
    :math:`E[S^3]/m^3`): the moments of :math:`S` themselves (:math:`m^4` in :math:`\\kappa`'s
    denominator) would underflow or overflow for a mean below about 1e-77 or above 1e77, giving NaN
    where :math:`T^2` is still a number; a gamma :math:`\\kappa` is taken as its ratio
    (:func:`~._moments.gamma_excess_ratio`), a number for any SCV. Symbolically the same function (for a
    sum :math:`m`, as in the model's stations, without an uncancelled :math:`m^4/m^4`).
    """
    scv = v / m / m  # (not m**2: it underflows to 0 below 1e-154, where v is 0 too)
    if service_third_moment is None:
        kappa = gamma_excess_ratio(scv)
    else:
        kappa = excess_ratio(1, second_moment(1, scv), service_third_moment / m**3)
    # (P_w T) T, not P_w T^2: no wait (P_w = 0) with T^2 beyond a float is 0, not 0 * inf
    return pwait * tail * tail * (2 * rho + (1 - rho) * kappa - pwait)


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
