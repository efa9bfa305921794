"""A vCPU whose receive path polls (NAPI): interrupts only while the poll is inactive (event loop).

The oracle of :mod:`virtmodel.queueing.polled_receiver` and
:mod:`virtmodel.techniques.interrupt_window`, written from the mechanism, not from
the closed form. One server; Poisson arrivals. A request brings receive work
(mean ``poll_work``, deterministic or gamma) and application work (mean
``work - poll_work``). The server runs two FIFO lists with preemptive priority:

- the *window* (NAPI's poll, a softirq): interrupt handling, the wake-up of a
  halted server and the requests' receive work. An arrival that finds the window
  empty raises an interrupt: ``interrupt`` seconds at the head of the window
  (and, if the server was halted, ``wake`` seconds before it); one that finds
  the window busy only appends its receive work (the interrupt stays masked);
- the *application*: a request's application work, queued when its receive
  work is done, served in arrival order when the window is empty (a request
  without application work leaves when its receive work is done).

The window empties when its list does (the poll finds the ring empty and
re-enables the interrupt). The server halts when both lists are empty. A
request leaves when its application work is done. Reported per batch of
requests: the share that raised an interrupt, the share that found the server
halted, and the mean response time.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError
from ._inputs import check_stable, generator
from ._number import number
from .distributions import distribution
from .estimates import Estimate, from_batches


@dataclass(frozen=True)
class PolledReceiverResult:
    """Batch-means estimates: interrupts per request, wake-ups per request, mean response time (s)."""

    interrupts: Estimate
    wakeups: Estimate
    response_time: Estimate


def _serve(arrivals, receive, app, interrupt, wake):
    """Event loop over the arrivals: ``(interrupted, woke, departure)`` per request."""
    n = len(arrivals)
    interrupted = np.zeros(n, dtype=bool)
    woke = np.zeros(n, dtype=bool)
    departure = np.empty(n)
    window, queue = deque(), deque()  # [request or -1 (interrupt/wake), remaining]; [request, remaining]
    t, i = 0.0, 0
    arrivals, receive, app = arrivals.tolist(), receive.tolist(), app.tolist()
    while i < n or window or queue:
        head = window[0] if window else (queue[0] if queue else None)
        done_at = t + head[1] if head is not None else float("inf")
        if i < n and arrivals[i] < done_at:  # the next event is an arrival
            if head is not None:
                head[1] -= arrivals[i] - t
            t = arrivals[i]
            if not window:
                interrupted[i] = True
                if not queue:
                    woke[i] = True
                    window.append([-1, wake])
                window.append([-1, interrupt])
            window.append([i, receive[i]])
            i += 1
            continue
        t = done_at
        if window:
            req, _ = window.popleft()
            if req >= 0 and app[req] > 0:
                queue.append([req, app[req]])
            elif req >= 0:  # no application work: done with its receive work
                departure[req] = t
        else:
            req, _ = queue.popleft()
            departure[req] = t
    return interrupted, woke, departure


def simulate_polled_receiver(arrival_rate, work, poll_work, interrupt, wake, *, work_scv=1.0, poll_scv=0.0,
                             customers=2 * 10**5, warmup=None, batches=20, seed=0,
                             confidence=0.95) -> PolledReceiverResult:
    """Simulate one vCPU with a NAPI-style receive path (module docstring).

    Parameters
    ----------
    arrival_rate : float
        Requests per second (> 0).
    work : float
        Every request's ordinary work (s, > 0), receive work included.
    poll_work : float
        Its receive-path part (s, 0 <= ``poll_work`` <= ``work``).
    interrupt, wake : float
        Seconds of an interrupt, and of a halted server's wake-up (>= 0).
    work_scv, poll_scv : float
        SCVs of the application work and of the receive work (gamma).
    customers, warmup, batches, seed, confidence
        Requests measured, discarded at the start (default ``customers // 10``),
        batches, seed, confidence level of the intervals.
    """
    lam = number("arrival_rate", arrival_rate)
    a = number("work", work)
    r = number("poll_work", poll_work, allow_zero=True)
    e = number("interrupt", interrupt, allow_zero=True)
    w = number("wake", wake, allow_zero=True)
    if r > a:
        raise ParameterError("poll_work", poll_work, f"<= work = {a}", "the receive work is a part of the request's work")
    check_stable(lam * a, "polled receiver", False)
    warmup = customers // 10 if warmup is None else warmup
    n = warmup + customers
    rng = generator(seed)
    arrivals = np.cumsum(rng.exponential(1 / lam, n))
    receive = distribution(r, poll_scv).sample(rng, n) if r > 0 else np.zeros(n)
    app = distribution(a - r, work_scv).sample(rng, n) if a > r else np.zeros(n)
    interrupted, woke, departure = _serve(arrivals, receive, app, e, w)
    m = slice(warmup, n)
    cols = np.column_stack([interrupted[m], woke[m], departure[m] - arrivals[m]]).astype(float)
    rows = np.array([c.mean(axis=0) for c in np.array_split(cols, batches)])
    return PolledReceiverResult(from_batches(rows[:, 0], confidence), from_batches(rows[:, 1], confidence),
                                from_batches(rows[:, 2], confidence))


__all__ = ["PolledReceiverResult", "simulate_polled_receiver"]
