"""Per-batch metrics from the records of a run (shared by every simulator).

Two ways of cutting a run into batches:

* :func:`customer_batches` for a single station: batches of equal numbers of
  consecutive customers (in arrival order). The time a batch covers is the sum
  of its interarrival times, so throughput, utilization and the time-average
  numbers follow per batch (the numbers in system and in queue by Little's law
  applied to the batch: :math:`L_b = \\sum_{i\\in b} R_i / T_b`).
* :func:`time_batches` for networks: batches of equal simulated time; a visit
  (a customer's passage through a station) counts in the batch in which it
  departs, and so does a completed passage through the network.

Each returns a dict ``metric -> array`` whose axis 0 indexes the batches, ready
for :func:`~virtmodel.simulate.estimates.from_batches`. Percentiles are
estimated per batch (the empirical quantile of the batch's response times)
and averaged over batches; the batch spread gives their interval.
"""

from __future__ import annotations

import numpy as np


def _station_metrics(count, sum_response, sum_service, span, servers):
    with np.errstate(divide="ignore", invalid="ignore"):
        sum_wait = np.maximum(sum_response - sum_service, 0.0)  # no negative rounding residue
        return dict(
            throughput=count / span,
            utilization=sum_service / (servers * span),
            response_time=sum_response / count,
            waiting_time=sum_wait / count,
            number_in_system=sum_response / span,
            number_in_queue=sum_wait / span,
        )


def _batch_quantiles(groups, quantiles):
    """``{p: array over batches}`` of the empirical p-quantiles of each group."""
    if not quantiles:
        return {}
    q = np.array([np.quantile(g, quantiles) if len(g) else np.full(len(quantiles), np.nan) for g in groups])
    return {p: q[:, i] for i, p in enumerate(quantiles)}


def customer_batches(interarrival, response, service, servers, batches, *, accepted=None, quantiles=()):
    """Batch metrics of one station from per-customer records in arrival order.

    Parameters
    ----------
    interarrival, response, service : 1-d arrays
        Per arriving customer: the time since the previous arrival, the time in
        system and the service time (ignored where ``accepted`` is False).
    servers : float
        Number of servers (utilization is per server).
    batches : int
        Number of equal batches (trailing customers that do not fill a batch
        are dropped).
    accepted : bool array, optional
        False for customers blocked by a full buffer; adds a
        ``blocking_probability`` row.
    quantiles : tuple of float
        Response-time percentiles to estimate, e.g. ``(0.5, 0.95, 0.99)``.

    Returns
    -------
    rows : dict
        ``metric -> (batches,) array``; percentiles under ``("percentile", p)``.
    """
    size = len(response) // batches
    n = size * batches
    shape = (batches, size)
    span = np.asarray(interarrival[:n]).reshape(shape).sum(axis=1)
    response = np.asarray(response[:n]).reshape(shape)
    service = np.asarray(service[:n]).reshape(shape)
    if accepted is None:
        count = np.full(batches, float(size))
        sum_r, sum_s = response.sum(axis=1), service.sum(axis=1)
        groups = list(response)
    else:
        acc = np.asarray(accepted[:n]).reshape(shape)
        count = acc.sum(axis=1).astype(float)
        sum_r = np.where(acc, response, 0.0).sum(axis=1)
        sum_s = np.where(acc, service, 0.0).sum(axis=1)
        groups = [r[a] for r, a in zip(response, acc)]
    rows = _station_metrics(count, sum_r, sum_s, span, servers)
    if accepted is not None:
        rows["blocking_probability"] = 1.0 - count / size
    rows.update({("percentile", p): v for p, v in _batch_quantiles(groups, quantiles).items()})
    return rows


def time_batches(start, end, batches, visits, stations, servers, passages, quantiles=()):
    """Batch metrics of a network over the simulated interval ``[start, end)``.

    Parameters
    ----------
    visits : tuple of arrays ``(station, arrive, depart, service)``
        One entry per completed visit to a station.
    stations : int
        Number of stations; ``servers`` their server counts (``inf`` for a
        delay station, whose utilization is then reported as 0).
    passages : tuple of arrays ``(enter, leave)``
        One entry per completed passage through the network (open: arrival to
        exit; closed: leaving the think/delay stage to coming back to it).

    Returns
    -------
    station_rows, system_rows : dict
        ``metric -> (batches, stations)`` arrays (``throughput``,
        ``utilization``, ``response_time`` per visit, ``waiting_time``,
        ``number_in_system``, ``number_in_queue``, ``visits`` per passage,
        ``residence_time`` per passage) and ``metric -> (batches,)`` arrays
        (``throughput``, ``response_time``, ``number_in_system`` and
        ``("percentile", p)``).
    """
    length = (end - start) / batches
    station, arrive, depart, service = (np.asarray(a) for a in visits)
    keep = (depart >= start) & (depart < end)
    b = ((depart[keep] - start) // length).astype(int).clip(0, batches - 1)
    idx = b * stations + station[keep].astype(int)

    def per_cell(weights=None):
        out = np.bincount(idx, weights=weights, minlength=batches * stations)
        return out.reshape(batches, stations).astype(float)

    count = per_cell()
    sum_r = per_cell((depart - arrive)[keep])
    sum_s = per_cell(service[keep])
    rows = _station_metrics(count, sum_r, sum_s, length, np.asarray(servers, dtype=float))

    enter, leave = (np.asarray(a) for a in passages)
    keep = (leave >= start) & (leave < end)
    pb = ((leave[keep] - start) // length).astype(int).clip(0, batches - 1)
    times = (leave - enter)[keep]
    n_pass = np.bincount(pb, minlength=batches).astype(float)
    sum_pass = np.bincount(pb, weights=times, minlength=batches)
    with np.errstate(divide="ignore", invalid="ignore"):
        rows["visits"] = count / n_pass[:, None]
        rows["residence_time"] = sum_r / n_pass[:, None]
        system = dict(
            throughput=n_pass / length,
            response_time=sum_pass / n_pass,
            number_in_system=sum_pass / length,
        )
    order = np.argsort(pb, kind="stable")
    groups = np.split(times[order], np.cumsum(n_pass.astype(int))[:-1])
    system.update({("percentile", p): v for p, v in _batch_quantiles(groups, quantiles).items()})
    return rows, system
