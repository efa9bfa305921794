"""Staffing: the fewest servers that meet a target (blocking, waiting, mean wait, service level)."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC, kind_of
from .._validate import nonnegative, positive, probability, same_shape
from ..errors import ParameterError, SymbolicUnsupportedError
from .erlang import MAX_SERVERS, erlang_b_value, erlang_c_value

TARGETS = ("blocking", "waiting_probability", "mean_wait", "service_level")


def _meets(target, value, lam, mu, within):
    """The predicate "c servers meet the target" for one load (monotone in c)."""
    a = lam / mu

    def ok(c):
        if target == "blocking":
            return float(erlang_b_value(c, a, "scalar")) <= value
        if c <= a:
            return False
        pw = float(erlang_c_value(c, a, "scalar"))
        if target == "waiting_probability":
            return pw <= value
        if target == "mean_wait":
            return pw / (c * mu - lam) <= value
        return 1 - pw * np.exp(-(c * mu - lam) * within) >= value
    return ok


def _fewest(ok, start: int, target: str) -> int:
    """Smallest c >= start with ok(c), by doubling then bisection (ok is monotone)."""
    lo, hi = start - 1, max(start, 1)
    while not ok(hi):
        lo, hi = hi, 2 * hi
        if hi > MAX_SERVERS:
            raise ParameterError(target, "unreachable", f"met with at most {MAX_SERVERS:.0e} servers")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi


def staffing(arrival_rate, service_rate, *, blocking=None, waiting_probability=None, mean_wait=None,
             service_level=None, target_time=None):
    """The fewest servers :math:`c` that meet one target (Erlang B / Erlang C staffing).

    Exactly one target is given:

    ``blocking``
        M/M/c/c loss system: :math:`B(c, a) \\le` target (Erlang B);
    ``waiting_probability``
        M/M/c: :math:`C(c, a) \\le` target (Erlang C);
    ``mean_wait``
        M/M/c: :math:`W = C(c, a)/(c\\mu - \\lambda) \\le` target (seconds);
    ``service_level`` with ``target_time``
        M/M/c: :math:`P(W \\le t) = 1 - C(c,a)e^{-(c\\mu-\\lambda)t} \\ge` target.

    Each criterion is monotone in :math:`c`, so the answer is found exactly by
    doubling then bisection on the exact formulas (no square-root-staffing
    approximation); the delay criteria start above the load
    :math:`a = \\lambda/\\mu` (stability). There is no closed form for :math:`c`:
    numbers and arrays only (arrays are solved point by point).

    Parameters
    ----------
    arrival_rate, service_rate : float or array
        :math:`\\lambda` (>= 0) and :math:`\\mu` (> 0) per second.
    blocking, waiting_probability : float, optional
        Target probability, strictly between 0 and 1.
    mean_wait : float, optional
        Target mean wait in seconds (> 0).
    service_level : float, optional
        Target fraction answered within ``target_time``, strictly between 0 and 1.
    target_time : float, optional
        Seconds (>= 0), with ``service_level`` only.

    Returns
    -------
    int or ndarray of int

    Examples
    --------
    >>> staffing(5.0, 1.0, blocking=0.02)  # Erlang B table: B(10, 5) = 0.0184, B(9, 5) = 0.0375
    10
    >>> staffing(10.0, 1.0, service_level=0.8, target_time=0.2)
    13

    References
    ----------
    G. Koole, *Call Center Optimization*, MG books 2013, chapter 5; ITU-T
    *Teletraffic Engineering Handbook* (2005), chapters 4 and 12.
    """
    given = {k: v for k, v in dict(blocking=blocking, waiting_probability=waiting_probability,
                                   mean_wait=mean_wait, service_level=service_level).items() if v is not None}
    kind = kind_of(arrival_rate, service_rate, *given.values(), target_time)
    same_shape(arrival_rate=arrival_rate, service_rate=service_rate)
    lam = nonnegative("arrival_rate", arrival_rate, kind)
    mu = positive("service_rate", service_rate, kind, normal=True)
    if kind == SYMBOLIC:
        raise SymbolicUnsupportedError("staffing has no closed form; call it with numbers")
    if len(given) != 1:
        raise ParameterError(", ".join(TARGETS), ", ".join(given) or "none given", "exactly one target")
    (target, value), = given.items()
    if (target == "service_level") != (target_time is not None):
        raise ParameterError("target_time", target_time, "given with service_level (and only with it)")
    if target == "mean_wait":
        value = float(positive("mean_wait", value, "scalar"))
    else:
        value = float(probability(target, value, "scalar"))
    within = None if target_time is None else float(nonnegative("target_time", target_time, "scalar"))
    lam, mu = np.broadcast_arrays(lam, mu)
    out = np.empty(lam.shape, dtype=np.int64)
    for idx in np.ndindex(lam.shape):
        a = lam[idx] / mu[idx]
        start = 1 if target == "blocking" else int(np.floor(a)) + 1
        out[idx] = _fewest(_meets(target, value, float(lam[idx]), float(mu[idx]), within), start, target)
    return int(out) if out.ndim == 0 else out
