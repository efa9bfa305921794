"""Steady-state probabilities :math:`p_n` of the number in system for M/M/1, M/M/c and M/M/c/K."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC, as_output, kind_of
from .._validate import nonnegative, positive, same_shape, whole
from ..errors import ParameterError
from ._stability import check_stability, quiet_numerics
from .erlang import MAX_SERVERS, symbolic_factorial, erlang_c_value


def _inputs(arrival_rate, service_rate, servers, n):
    kind = kind_of(arrival_rate, service_rate, servers)
    same_shape(arrival_rate=arrival_rate, service_rate=service_rate)
    lam = nonnegative("arrival_rate", arrival_rate, kind)
    mu = positive("service_rate", service_rate, kind, normal=True)
    c = whole("servers", servers, maximum=MAX_SERVERS)
    n = whole("n", n, minimum=0, maximum=10**15)
    if not isinstance(n, int):
        raise ParameterError("n", n, "a concrete whole number >= 0")
    if not isinstance(c, int):
        raise ParameterError("servers", servers, "a concrete whole number (p_n depends on n <= c)")
    return kind, lam, mu, c, n


def _mask_unstable(value, rho, kind, model):
    """Scalar: UnstableError past saturation; arrays: 0 there (no steady state: no mass on any n)."""
    stable = check_stability(rho, kind, model)
    if kind == SYMBOLIC:
        return value
    return as_output(np.where(stable, value, 0.0), kind)


def mmc_state_probability(arrival_rate, service_rate, servers, n):
    """:math:`p_n`, the probability of ``n`` jobs in an M/M/c queue (``n = 0`` gives :math:`p_0`).

    .. math::
        p_n = \\begin{cases}
        p_0\\,\\dfrac{a^n}{n!} & n \\le c\\\\[4pt]
        C(c, a)\\,(1-\\rho)\\,\\rho^{\\,n-c} & n \\ge c
        \\end{cases},\\qquad
        p_0 = \\Bigl(\\sum_{k=0}^{c-1}\\frac{a^k}{k!} + \\frac{a^c}{c!}\\frac{c}{c-a}\\Bigr)^{-1}

    with :math:`a = \\lambda/\\mu`, :math:`\\rho = a/c` and :math:`C` the Erlang C
    probability. Numerically, with :math:`\\pi_k = e^{-a}a^k/k!` (Poisson) and
    :math:`Q(c, a) = \\sum_{k<c}\\pi_k` (regularized incomplete gamma),
    :math:`p_n = \\pi_{\\min(n,c)}\\,\\rho^{(n-c)^+} / (Q(c,a) + \\pi_c\\,c/(c-a))`
    in log form: no overflow or underflow for millions of servers. Assumptions as
    :func:`~virtmodel.queueing.mmc`; stable only for
    :math:`\\rho < 1` (a scalar raises UnstableError, an array gets 0 there).

    Parameters
    ----------
    arrival_rate, service_rate : float, array or SymPy expression
        :math:`\\lambda` (>= 0) and :math:`\\mu` (> 0) per second.
    servers : int
        :math:`c` (>= 1).
    n : int
        The number in system (>= 0).

    Returns
    -------
    float, ndarray or SymPy expression

    Examples
    --------
    >>> round(mmc_state_probability(3.0, 1.0, 4, 0), 6)  # Octave qsmmm(3, 1, 4): p0 = 0.037736
    0.037736

    References
    ----------
    D. Gross et al., *Fundamentals of Queueing Theory*, 4th ed., Wiley 2008, section 2.3.
    """
    kind, lam, mu, c, n = _inputs(arrival_rate, service_rate, servers, n)
    a = lam / mu
    with quiet_numerics(kind):
        pw = erlang_c_value(c, a, kind)
        if kind == SYMBOLIC:
            tail = pw * (1 - a / c)
            if n >= c:
                value = tail * (a / c) ** (n - c)
            else:
                value = tail * symbolic_factorial(c) / symbolic_factorial(n) * a ** (n - c)
        else:
            value = _mmc_pn_numeric(a, c, n)
    return _mask_unstable(value, a / c, kind, f"M/M/{c}")


def _mmc_pn_numeric(a, c, n):
    """:math:`p_n` of M/M/c in log form (see :func:`mmc_state_probability`); NaN-free for ``a >= 0``."""
    from scipy.special import gammaincc
    from scipy.stats import poisson

    a = np.asarray(a, dtype=float)
    c = float(c)
    stable = a < c
    safe = np.where(stable, a, 0.5 * c)  # unstable points are masked by the caller
    norm = np.log(gammaincc(c, safe) + np.exp(poisson.logpmf(c, safe)) * c / (c - safe))
    queued = (n - c) * np.log(safe / c) if n > c else 0.0  # not 0 * log(0): a/c can underflow to 0
    log_p = poisson.logpmf(min(n, c), safe) + queued - norm
    return np.where(safe > 0, np.exp(log_p), float(n == 0))


def mm1_state_probability(arrival_rate, service_rate, n):
    """:math:`p_n = (1-\\rho)\\rho^n` for an M/M/1 queue (``n = 0``: :math:`p_0 = 1 - \\rho`).

    Assumptions as :func:`~virtmodel.queueing.mm1`; stable only for
    :math:`\\rho = \\lambda/\\mu < 1` (a scalar raises UnstableError, an array gets 0 there).

    Parameters
    ----------
    arrival_rate, service_rate : float, array or SymPy expression
        :math:`\\lambda` (>= 0) and :math:`\\mu` (> 0) per second.
    n : int
        The number in system (>= 0).

    Returns
    -------
    float, ndarray or SymPy expression

    Examples
    --------
    >>> mm1_state_probability(0.8, 1.0, 0)  # Octave qsmm1(0.8, 1): p0 = 0.2
    0.19999999999999996

    References
    ----------
    L. Kleinrock, *Queueing Systems, Vol. 1*, Wiley 1975, eq. 3.23.
    """
    kind, lam, mu, _, n = _inputs(arrival_rate, service_rate, 1, n)
    rho = lam / mu
    with quiet_numerics(kind):
        value = (1 - rho) * rho**n
    return _mask_unstable(value, rho, kind, "M/M/1")


def mmck_state_probability(arrival_rate, service_rate, servers, capacity, n):
    """:math:`p_n` of an M/M/c/K queue (0 for ``n > capacity``).

    .. math::
        p_n = p_0 \\frac{a^n}{n!}\\ (n \\le c),\\qquad
        p_n = p_0 \\frac{a^c}{c!}\\Bigl(\\frac{a}{c}\\Bigr)^{n-c}\\ (c < n \\le K)

    Always stable. Assumptions and limits as :func:`~virtmodel.queueing.mmck`
    (whose ``blocking_probability`` is :math:`p_K`).

    Parameters
    ----------
    arrival_rate, service_rate : float, array or SymPy expression
        :math:`\\lambda` (>= 0) and :math:`\\mu` (> 0) per second.
    servers, capacity : int
        :math:`c` (>= 1) and :math:`K` (>= c).
    n : int
        The number in system (>= 0).

    Returns
    -------
    float, ndarray or SymPy expression

    Examples
    --------
    >>> round(mmck_state_probability(3.0, 1.0, 2, 5, 0), 6)  # Octave qsmmmk(3, 1, 2, 5): p0 = 0.024653
    0.024653

    References
    ----------
    D. Gross et al., *Fundamentals of Queueing Theory*, 4th ed., Wiley 2008, section 2.5.
    """
    from .mmck import MAX_STATES, SYMBOLIC_STATES, state_probabilities

    kind, lam, mu, c, n = _inputs(arrival_rate, service_rate, servers, n)
    K = whole("capacity", capacity, maximum=SYMBOLIC_STATES if kind == SYMBOLIC else MAX_STATES)
    if not isinstance(K, int):
        raise ParameterError("capacity", capacity, "a concrete whole number")
    if K < c:
        raise ParameterError("capacity", capacity, f">= servers = {c}")
    if n > K:
        return as_output(0 * np.asarray(lam, dtype=float), kind) if kind != SYMBOLIC else 0
    p = state_probabilities(lam, mu, c, K, kind)
    return p[n] if kind == SYMBOLIC else as_output(p[..., n], kind)
