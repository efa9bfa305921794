"""A server whose receive path polls: interrupts only while the poll is inactive (NAPI, virtio event index).

One server (a vCPU) takes Poisson arrivals at rate :math:`\\lambda`. Each
request's ordinary work is :math:`a`, of which :math:`r \\le a` is receive-path
work done by a poll (Linux NAPI: a softirq, which preempts the application).
A request that finds the poll *inactive* raises an interrupt of cost
:math:`e` and starts a poll window; the window lasts until the poll finds the
ring empty and re-enables interrupts, so a request that arrives while the
window is open raises none. A request that finds the server *halted* (idle)
also pays a wake-up :math:`w`. The window is busy for the receive work, the
interrupts and the wake-ups; the server for all the work:

.. math::
    1 - q = \\lambda\\,(r + e\\,q + w\\,p), \\qquad 1 - p = \\lambda\\,(a + e\\,q + w\\,p)

(:math:`q` the share of time, and by PASTA of arrivals, that find the poll
inactive; :math:`p` that find the server idle). Both balances are exact long-run
averages of a work-conserving server; their solution is

.. math::
    p = \\frac{1 - \\lambda a - \\lambda^2 e\\,(a - r)}{1 + \\lambda (w + e)}, \\qquad
    q = p + \\lambda\\,(a - r)

(the poll is inactive whenever the server is idle, and while it runs the
application's share :math:`a - r`). Limits: :math:`r = a` gives
:math:`q = p = (1-\\lambda a)/(1+\\lambda(w+e))`, the halting server of
:mod:`~virtmodel.queueing.mg1_exceptional` (suppression for as long as the
server is busy); :math:`r = e = w = 0` gives :math:`q = 1` (an interrupt per
request); :math:`\\lambda = 0` gives :math:`p = q = 1`. For :math:`0 \\le r \\le a`
and :math:`p \\ge 0`: :math:`p \\le q \\le 1`.

Interrupts paid while the server is busy (share :math:`q - p` of the requests)
are work in its queue, so the work per request that queues is linear in the load,
:math:`D(\\lambda) = \\alpha + \\beta\\lambda` with :math:`\\beta = e\\,(a - r)`.
The server saturates where :math:`p = 0`, i.e. :math:`\\lambda D(\\lambda) = 1`;
for :math:`k` servers' worth of capacity (:func:`saturation_rate`)

.. math::
    \\lambda_{\\max} = \\frac{2k}{\\alpha + \\sqrt{\\alpha^2 + 4\\beta k}}

(the root of :math:`\\beta\\lambda^2 + \\alpha\\lambda - k = 0`, written without a
division by :math:`\\beta`: :math:`\\beta = 0` gives :math:`k/\\alpha`).

References: Linux kernel documentation, Documentation/networking/napi.rst
("Scheduling and IRQ masking": interrupts stay masked after the NAPI instance is
scheduled until polling finishes; a poll that exhausts its budget is polled again
without being scheduled); OASIS virtio specification, split-ring.tex, "Used Buffer
Notification Suppression" (``used_event``).
"""

from __future__ import annotations

import sympy as sp


def polled_idle(arrival_rate, work, poll_work, interrupt, wake):
    """``(p, q)``: the share of arrivals that find the server idle, and the poll inactive (module formula).

    ``work`` :math:`a` (every request's ordinary work), ``poll_work`` :math:`r \\le a` (its
    receive-path part), ``interrupt`` :math:`e` (paid when the poll is inactive),
    ``wake`` :math:`w` (paid when the server is idle); any kind (numbers, arrays,
    SymPy), unvalidated.

    >>> polled_idle(0.5, 1.0, 1.0, 0.0, 0.0)   # r = a, no costs: the M/G/1's 1 - rho, twice
    (0.5, 0.5)
    >>> polled_idle(0.5, 1.0, 0.0, 0.0, 0.0)   # no receive work: every request interrupts
    (0.5, 1.0)
    """
    lam, a, r, e, w = arrival_rate, work, poll_work, interrupt, wake
    p = (1 - lam * a - lam**2 * e * (a - r)) / (1 + lam * (w + e))
    return p, p + lam * (a - r)


def saturation_rate(capacity_units, demand, rate):
    """The largest ``rate`` with ``rate * demand <= capacity_units`` when ``demand`` is linear in ``rate``.

    ``demand`` a SymPy expression :math:`\\alpha + \\beta\\lambda` in the symbol
    ``rate`` (:math:`\\lambda`); returns :math:`2k/(\\alpha + \\sqrt{\\alpha^2 + 4\\beta k})`
    (module formula), or ``None`` when ``demand`` does not depend on ``rate`` (the
    caller keeps :math:`k/D`). A demand that is not linear in ``rate`` raises ``ValueError``.

    >>> lam = sp.Symbol("lam", positive=True)
    >>> saturation_rate(1, 1 + lam, lam)   # lam (1 + lam) = 1
    2/(1 + sqrt(5))
    """
    demand = sp.sympify(demand)
    if not demand.has(rate):
        return None
    slope = sp.diff(demand, rate)
    if slope.has(rate):
        raise ValueError(f"saturation_rate: the demand is not linear in {rate}")
    at_zero = demand.subs(rate, 0)
    k = capacity_units
    return 2 * k / (at_zero + sp.sqrt(at_zero**2 + 4 * slope * k))


__all__ = ["polled_idle", "saturation_rate"]
