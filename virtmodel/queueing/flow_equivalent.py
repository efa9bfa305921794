"""A closed network with at most W customers inside a subnetwork: a flow-equivalent server.

Some customers of a closed single-class network may enter a subset of its
stations (the *inside*: a device and what serves it) only while fewer than
:math:`W` others are there; the rest wait outside in FCFS order (a
population constraint, a window of :math:`W` tokens). The inside is replaced
by one load-dependent station, its flow-equivalent server (Chandy, Herzog and
Woo's decomposition; Lazowska et al., *Quantitative System Performance*, 1984,
ch. 9, memory constraints):

1. the inside alone, a closed network without think time, solved by exact MVA
   (:func:`virtmodel.queueing.mva`) for :math:`j = 1 \\dots W`: throughputs
   :math:`X_{\\mathrm{in}}(j)`;
2. the flow-equivalent server: demand :math:`D_f = 1/X_{\\mathrm{in}}(1) = \\sum_{k \\in \\mathrm{in}} D_k`
   and rate multipliers :math:`\\alpha_f(j) = X_{\\mathrm{in}}(\\min(j, W))\\, D_f`
   (its rate with :math:`j` customers is :math:`X_{\\mathrm{in}}(\\min(j, W))`: the
   customers beyond :math:`W` wait and add nothing);
3. the outside stations with the flow-equivalent server, solved by exact
   load-dependent MVA at population :math:`N` (a multi-server station as
   the rates :math:`\\min(j, c)`).

With :math:`W \\ge N` the window never binds and the result is the plain
network's (returned by :func:`virtmodel.queueing.mva` itself). Otherwise the
decomposition is an approximation (the inside's state given :math:`j`
customers is taken at its own equilibrium); it is checked against the
discrete-event simulation of the windowed network
(:func:`virtmodel.simulate.windowed_network.simulate_windowed_network`).
Per-station figures inside the window are the inside's own residence times at
the population nearest the server's mean queue (at most :math:`W`), and the
rest of the server's residence time is the wait outside for a place inside,
``window_wait`` (an apportionment, for the station table only; throughput and
response time do not use it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError
from .mva import mva


@dataclass(frozen=True)
class WindowResult:
    """What :func:`mva_window` gives (the fields the closed model reads of an MVA result)."""

    system_throughput: float
    system_response_time: float
    throughput_by_population: object  # X(1..N) or None
    number_in_system: np.ndarray      # (K,) per station, in the caller's order
    residence_time: np.ndarray        # (K,) per request
    window_wait: float = 0.0          # per request, waiting outside for a place inside


def mva_window(demands, population, think_time=0.0, servers=1, *, inside, window, history=False):
    """Exact MVA of a closed network with at most ``window`` customers at the ``inside`` stations
    (module docstring: the flow-equivalent server).

    Parameters
    ----------
    demands, population, think_time, servers, history
        As in :func:`virtmodel.queueing.mva` (floats; ``servers`` may hold ``inf`` for delays).
    inside : array_like of bool (K,)
        The stations behind the window.
    window : int
        :math:`W` >= 1, the customers allowed inside at once.
    """
    D = np.asarray(demands, dtype=float)
    c = np.broadcast_to(np.asarray(servers, dtype=float), D.shape)
    inner = np.broadcast_to(np.asarray(inside, dtype=bool), D.shape)
    N = int(population)
    if int(window) != window or window < 1:
        raise ParameterError("window", window, "a whole number >= 1", "customers allowed inside at once")
    W = int(window)
    if W >= N or not np.any(inner & (D > 0)):
        return mva(D, N, think_time, c, history=history)
    sub = mva(D[inner], W, 0.0, c[inner], history=True)
    x_in = np.asarray(sub.throughput_by_population, dtype=float)
    d_f = float(D[inner].sum())
    outer = ~inner
    d_out = np.append(D[outer], d_f)
    c_out = c[outer]
    L = max(W, int(np.max(np.where(np.isfinite(c_out), c_out, 1), initial=1)))
    j = np.arange(1, L + 1)
    rows = [np.ones(L) if np.isinf(ck) else np.minimum(j, ck) for ck in c_out]
    rows.append(x_in[np.minimum(j, W) - 1] * d_f)
    srv = np.append(np.where(np.isinf(c_out), np.inf, 1.0), 1.0)
    result = mva(d_out, N, think_time, srv, rates=np.array(rows), history=history)
    X = float(result.system_throughput)
    residence = np.empty(D.shape)
    residence[outer] = np.asarray(result.residence_time, dtype=float).ravel()[:-1]
    r_f = float(np.asarray(result.residence_time, dtype=float).ravel()[-1])
    nearest = min(max(int(round(X * r_f)), 1), W)
    at = mva(D[inner], nearest, 0.0, c[inner])
    share = np.asarray(at.residence_time, dtype=float).ravel()
    inside_time = min(r_f, float(share.sum()))  # the inside's own residence at that population; the rest waits
    residence[inner] = inside_time * share / share.sum()
    return WindowResult(X, float(result.system_response_time),
                        None if not history else np.asarray(result.throughput_by_population, dtype=float),
                        X * residence, residence, r_f - inside_time)


__all__ = ["WindowResult", "mva_window"]
