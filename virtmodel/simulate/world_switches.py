"""Simulation oracle for a hosted monitor's world switches: one CPU, periodic host ticks, FCFS requests.

The closed form of :mod:`virtmodel.techniques.hosted_world_switch` stretches the
VMM's demand per request by the share of the CPU the host's ticks take and solves
the CPU as an M/G/1 queue. This module draws the mechanism itself: the host's
timer ticks come strictly periodically (period ``1 / tick_rate``, a random phase)
whether the CPU is busy or idle, and each takes ``switch_time`` of the CPU before
anything else runs (a world switch round trip); requests arrive as a Poisson
stream, each bringing gamma-distributed work plus one ``switch_time`` for each of
a Poisson number of device interrupts; they are served first come, first served,
and a request's work only advances outside the ticks.

Time outside the ticks ("available time") is a monotone map of wall time,
:math:`A(t) = k (T - c) + \\max(0, u - kT - c)` with :math:`u = t - \\phi`,
:math:`k = \\lfloor u / T \\rfloor`, so FCFS service is the Lindley recursion in
available time, and a request's wall-clock finish is :math:`A^{-1}` of its finish
there. Nothing here is shared with the closed form.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ._number import number
from .lindley import lindley_waits


def available_time(t, period: float, switch: float, phase: float):
    """Wall time ``t`` mapped to the CPU time available outside the ticks (module docstring)."""
    u = np.asarray(t, dtype=float) - phase
    k = np.floor(u / period)
    return k * (period - switch) + np.maximum(0.0, u - k * period - switch)


def wall_time(a, period: float, switch: float, phase: float):
    """The inverse of :func:`available_time`: the wall time at which ``a`` of available time has passed."""
    a = np.asarray(a, dtype=float)
    k = np.floor(a / (period - switch))
    return phase + k * period + switch + (a - k * (period - switch))


def simulate_world_switches(arrival_rate, mean_work, work_scv, interrupts_per_request, switch_time, tick_rate, *,
                            customers=200_000, warmup=20_000, seed=0) -> dict:
    """Mean response time, mean service span and throughput of the CPU of a hosted monitor (module docstring).

    Returns ``{"response": mean response time, "span": mean time from a request's start of
    service to its end, "capacity": requests per second when the CPU never idles}``.

    Examples
    --------
    >>> r = simulate_world_switches(10.0, 1e-3, 1.0, 0, 0.0, 100.0, customers=2000, warmup=0)
    >>> round(r["capacity"] * 1e-3, 1)   # no world switches: 1 / mean work
    1.0
    """
    rate = number("arrival_rate", arrival_rate)
    if tick_rate > 0 and switch_time * tick_rate >= 1:
        raise ParameterError("tick_rate", tick_rate, "ticks whose world switches leave CPU time "
                             "(tick_rate x switch_time < 1)")
    rng = np.random.default_rng(seed)
    n = customers + warmup
    shape = 1.0 / work_scv if work_scv > 0 else None
    work = rng.gamma(shape, mean_work / shape, n) if shape else np.full(n, float(mean_work))
    work = work + switch_time * rng.poisson(interrupts_per_request, n)
    arrivals = np.cumsum(rng.exponential(1.0 / rate, n))
    if tick_rate > 0:
        period, phase = 1.0 / tick_rate, rng.uniform(0.0, 1.0 / tick_rate)
        to_avail = lambda t: available_time(t, period, switch_time, phase)  # noqa: E731
        to_wall = lambda a: wall_time(a, period, switch_time, phase)  # noqa: E731
    else:
        to_avail = to_wall = lambda t: np.asarray(t, dtype=float)  # noqa: E731
    a = to_avail(arrivals)
    waits = lindley_waits(np.diff(a, prepend=a[0]), np.concatenate(([0.0], work[:-1])))
    start, finish = to_wall(a + waits), to_wall(a + waits + work)
    busy_finish = to_wall(a[0] + np.cumsum(work))  # a CPU that never idles
    keep = slice(warmup, None)
    return {"response": float((finish - arrivals)[keep].mean()),
            "span": float((finish - start)[keep].mean()),
            "capacity": float(n / (busy_finish[-1] - to_wall(a[0])))}


__all__ = ["available_time", "simulate_world_switches", "wall_time"]
