"""A flash drive at the level of its parts: internal servers, then one shared channel (trace-driven).

A request reaches the drive at its arrival time with an access time (its
operations' medium or cache work) and a transfer time (its bytes over the
drive's link). It takes the first free one of ``servers`` internal servers in
arrival order (FCFS), and when its access is done it queues, in the order the
accesses finish, for the one channel (FCFS), which moves its bytes. Its
response time is the moment its transfer ends minus its arrival. Both stages
are the Kiefer-Wolfowitz recursion (:func:`~virtmodel.simulate.multiserver.fcfs_start_times`)
on the sampled times; nothing here uses a queueing formula, so it checks the
model's decomposition of the drive into two stations (:mod:`virtmodel.disk`):
the channel's arrivals are the departures of the servers, not a Poisson stream.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from .multiserver import fcfs_start_times


def flash_drive_response_times(arrival_times, access, transfer, servers: int) -> np.ndarray:
    """Response time of each request of a trace through ``servers`` internal servers, then the channel.

    ``arrival_times`` nondecreasing (s); ``access`` and ``transfer`` the
    request's times at each stage (s, >= 0), arrays of the same length.
    """
    arrivals, access, transfer = (np.asarray(a, dtype=float) for a in (arrival_times, access, transfer))
    if not (arrivals.shape == access.shape == transfer.shape) or arrivals.ndim != 1:
        raise ParameterError("access", access.shape, f"arrays of the arrivals' shape {arrivals.shape}")
    finite = all(np.isfinite(a).all() for a in (arrivals, access, transfer))
    if not finite or np.any(np.diff(arrivals) < 0) or np.any(access < 0) or np.any(transfer < 0):
        raise ParameterError("arrival_times", "the trace", "finite, nondecreasing arrivals and times >= 0")
    if not isinstance(servers, (int, np.integer)) or servers < 1:
        raise ParameterError("servers", servers, "a whole number >= 1")
    accessed = fcfs_start_times(arrivals, access, servers) + access
    order = np.argsort(accessed, kind="stable")  # the channel serves in the order the accesses finish
    done = np.empty_like(accessed)
    done[order] = fcfs_start_times(accessed[order], transfer[order], 1) + transfer[order]
    return done - arrivals


__all__ = ["flash_drive_response_times"]
