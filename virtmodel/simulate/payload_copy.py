"""Simulation oracle for payload copies: one copying back-end thread, packet by packet.

The closed form of :mod:`virtmodel.techniques.payload_copy` charges a back-end
:math:`n (t_{\\mathrm{pkt}} + k t_{\\mathrm{cp}} b)` per request and solves its
station as an M/G/1 queue from the mean and variance of that demand. This module
draws the same thing directly: requests arrive as a Poisson stream; each brings a
Poisson number of packets of ``packet_bytes`` bytes; the thread's service of a
request is built one packet at a time (its per-packet work, once per packet or,
with segmentation, once per segment counted by
:func:`~virtmodel.simulate.segments.count_segments`, plus ``copies`` x
``per_byte`` for every byte the packet carries); requests are served first come,
first served (the Lindley recursion). Nothing here is shared with the closed form.
"""

from __future__ import annotations

import numpy as np

from .lindley import lindley_waits
from .segments import count_segments
from ._number import number


def copying_services(rng, requests: int, mean_packets: float, packet_bytes: float, per_packet: float,
                     per_byte: float, copies: int = 1, message_packets=None, segment_bytes=None):
    """Service times of ``requests`` requests at a copying back-end (module docstring).

    Without ``segment_bytes`` each packet pays ``per_packet``; with it, a request's packets form
    messages of ``message_packets`` (the last one shorter) cut into segments, and each segment pays
    ``per_packet``. Every byte pays ``copies * per_byte`` either way.
    """
    counts = rng.poisson(mean_packets, requests)
    services = np.empty(requests)
    for i, n in enumerate(counts):
        if segment_bytes is None:
            units = n
        else:
            k = int(message_packets)
            messages = [k] * (n // k) + ([n % k] if n % k else [])
            units = count_segments(messages, packet_bytes, segment_bytes) if messages else 0
        copy = 0.0
        for _ in range(n):  # every packet's bytes, copied
            copy += copies * per_byte * packet_bytes
        services[i] = units * per_packet + copy
    return services


def simulate_copying_thread(arrival_rate, mean_packets, packet_bytes, per_packet, per_byte, copies=1, *,
                            message_packets=None, segment_bytes=None, customers=200_000, warmup=20_000, seed=0):
    """``(mean response time, mean service time)`` of one FCFS copying thread fed Poisson requests.

    Examples
    --------
    >>> r, s = simulate_copying_thread(100.0, 4, 1500, 1e-6, 0.0, customers=2000, warmup=0)
    >>> round(s / 4e-6, 1)   # no copies: about four packets of 1 us each
    1.0
    """
    rate = number("arrival_rate", arrival_rate)
    rng = np.random.default_rng(seed)
    services = copying_services(rng, customers + warmup, mean_packets, packet_bytes, per_packet, per_byte, copies,
                                message_packets, segment_bytes)
    gaps = rng.exponential(1.0 / rate, customers + warmup)
    waits = lindley_waits(gaps, np.concatenate(([0.0], services[:-1])))
    response = (waits + services)[warmup:]
    return float(response.mean()), float(services[warmup:].mean())


__all__ = ["copying_services", "simulate_copying_thread"]
