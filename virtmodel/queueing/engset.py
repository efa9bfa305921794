"""Engset loss formula: blocking with a finite number of sources."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC, as_output, kind_of
from .._validate import choice, nonnegative, whole
from ..errors import ParameterError

#: the most servers the recursion takes (it is O(servers))
MAX_ENGSET_SERVERS = 10**6


def _engset_value(sources, c, beta, kind):
    """:math:`E(c)` with ``sources`` sources: the recursion, or the finite sum for SymPy."""
    if c >= sources:
        return 0 * beta
    if kind == SYMBOLIC:
        import sympy as sp

        terms = [sp.binomial(sources, k) * beta**k for k in range(c + 1)]
        return terms[-1] / sp.Add(*terms)
    beta = np.asarray(beta, dtype=float)
    e = np.ones_like(beta)
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(1, c + 1):
            x = beta * (sources - i + 1) * e
            e = np.where(np.isinf(x), 1.0, x / (i + x))
    return e


def engset(sources, servers, offered_load, congestion="call"):
    """Engset blocking probability: ``servers`` servers, no queue, a finite population of ``sources``.

    .. math::
        B_{\\mathrm{call}} = \\frac{\\binom{N-1}{c}\\beta^c}{\\sum_{k=0}^{c}\\binom{N-1}{k}\\beta^k},
        \\qquad
        B_{\\mathrm{time}} = \\frac{\\binom{N}{c}\\beta^c}{\\sum_{k=0}^{c}\\binom{N}{k}\\beta^k}

    with :math:`N` sources, :math:`c` servers and :math:`\\beta = \\lambda/\\mu` the
    offered load of one *idle* source (each idle source requests at rate
    :math:`\\lambda`; service rate :math:`\\mu`; blocked requests are lost and the
    source returns to idle). Call congestion is the probability that a request is
    blocked (what an arriving request sees), time congestion the fraction of time
    all servers are busy. Insensitive to the service distribution. With
    :math:`N \\to \\infty` and :math:`N\\beta = a` it tends to Erlang B; for
    :math:`c \\ge N` (or :math:`c \\ge N - 1` for call congestion) it is 0.
    Numerically the stable recursion
    :math:`E_i = \\beta(M-i+1)E_{i-1}/(i + \\beta(M-i+1)E_{i-1})` with
    :math:`M = N-1` (call) or :math:`N` (time); GNU Octave's ``engset(A, m, n)``
    is the call congestion with ``n`` sources.

    Parameters
    ----------
    sources : int
        :math:`N` (>= 1).
    servers : int
        :math:`c` (>= 1, at most ``MAX_ENGSET_SERVERS``).
    offered_load : float, array or SymPy expression
        :math:`\\beta = \\lambda/\\mu` per idle source, erlangs (>= 0).
    congestion : {"call", "time"}

    Returns
    -------
    float, ndarray or SymPy expression

    Examples
    --------
    >>> round(engset(5, 3, 2.0), 4)  # call congestion; GNU Octave: engset(2, 3, 5) = 0.4923
    0.4923

    References
    ----------
    T. O. Engset (1918), translated in Telektronikk 94 (1998) 2; D. Gross et al.,
    *Fundamentals of Queueing Theory*, 4th ed., section 2.8; ITU-T *Teletraffic
    Engineering Handbook* (2005), chapter 8.
    """
    choice("congestion", congestion, ("call", "time"))
    kind = kind_of(offered_load)
    n = whole("sources", sources, maximum=10**15)
    c = whole("servers", servers, maximum=MAX_ENGSET_SERVERS)
    if not (isinstance(n, int) and isinstance(c, int)):
        raise ParameterError("sources", sources, "a concrete whole number (servers too)")
    beta = nonnegative("offered_load", offered_load, kind)
    value = _engset_value(n - 1 if congestion == "call" else n, c, beta, kind)
    return value if kind == SYMBOLIC else as_output(value, kind)
