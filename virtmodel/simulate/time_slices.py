"""One host core time-sliced among vCPUs, with host work at preemptive priority (an event loop).

The mechanism itself, not the model's formulas: each vCPU has its own FIFO of
requests; a vCPU with work joins the core's round-robin run queue; the running
vCPU keeps the core until its FIFO is empty or it has run ``quantum`` seconds,
then the next runnable vCPU takes a fresh quantum (a vCPU that still has work goes
to the back; alone it simply continues). Host work (interrupts, back-end threads)
arrives at the core as its own Poisson stream and preempts whichever vCPU runs
(preemptive-resume; the vCPU's quantum pauses meanwhile). ``hogs`` more vCPUs
always have work (CPU-bound neighbours).

A vCPU that wakes (a request reaches it while it has no work) joins the run queue
as ``boost`` says: ``"none"`` at the back; ``"next_slice"`` at the front (it runs
when the turn in progress ends); ``"preempt"`` at once: the running vCPU goes back
to the front of the queue (with a fresh quantum when it resumes) and the core first
spends ``switch_cost`` on the switch (as host work, so nothing else runs meanwhile).
The vCPUs listed in ``background`` also run a CPU-bound job below their requests:
they are always runnable, never wake (no boost), and serve a request as soon as
their turn comes (and at once if it comes while they run).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from .._validate import choice, whole
from ..errors import ParameterError
from ._inputs import check_stable, confidence_level, generator, run_lengths, vector
from ._number import number
from .distributions import distribution
from .estimates import Estimate, from_batches


def simulate_time_slices(arrival_rates, mean_service_times, service_scvs, quantum, *, hogs=0, host_rate=0.0,
                         host_mean=1.0, host_scv=1.0, boost="none", switch_cost=0.0, background=(), customers=60_000,
                         warmup=6_000, batches=20, seed=0, confidence=0.95) -> dict:
    """Simulate the core (module docstring); returns per vCPU the mean response time and p99.

    Parameters
    ----------
    arrival_rates, mean_service_times, service_scvs : sequences, one value per vCPU with its own requests
        Poisson arrivals, gamma service (s).
    quantum : float
        The time slice (s).
    hogs : int
        vCPUs that always have work (their requests are not measured).
    host_rate, host_mean, host_scv : float
        Host work at priority: Poisson rate (1/s), gamma time per item (s).
    boost : {"none", "next_slice", "preempt"}
        Where a waking vCPU joins the run queue (module docstring).
    switch_cost : float
        The core's time for a ``"preempt"`` switch (s).
    background : sequence of int
        Indices of the request-serving vCPUs that also run a CPU-bound job below their requests.
    customers, warmup, batches, seed, confidence
        Requests of vCPU 0 measured after ``warmup`` of them; batch means over ``batches``.

    Returns
    -------
    dict
        ``{"mean": [Estimate per vCPU], "p99": [float per vCPU], "responses": [ndarray per vCPU]}``
        (``responses`` after the warm-up, in completion order).
    """
    arrival_rates = vector("arrival_rates", arrival_rates)
    mean_service_times = vector("mean_service_times", mean_service_times, arrival_rates.size)
    service_scvs = vector("service_scvs", service_scvs, arrival_rates.size, allow_zero=True)
    quantum = number("quantum", quantum)
    hogs = whole("hogs", hogs, minimum=0)
    host_rate = number("host_rate", host_rate, allow_zero=True)
    host_mean, host_scv = number("host_mean", host_mean), number("host_scv", host_scv, allow_zero=True)
    customers, warmup, batches = run_lengths(customers, warmup, batches)
    confidence = confidence_level(confidence)
    boost = choice("boost", boost, ("none", "next_slice", "preempt"))
    switch_cost = number("switch_cost", switch_cost, allow_zero=True)
    if isinstance(background, (str, bytes)) or not hasattr(background, "__iter__"):
        raise ParameterError("background", background, "a sequence of vCPU indices")
    background = {whole("background", i, minimum=0, maximum=arrival_rates.size - 1) for i in background}
    load = float(np.sum(arrival_rates * mean_service_times)) + host_rate * host_mean
    if hogs == 0 and not background:
        check_stable(load, "time-sliced core", False)
    elif host_rate * host_mean >= 1:
        check_stable(host_rate * host_mean, "time-sliced core (host work)", False)
    if (customers + warmup) * (1 + hogs) > 10**6:
        raise ParameterError("customers", customers + warmup,
                             "customers + warmup at most 10**6 / (1 + hogs) (a Python event loop)")
    if quantum < 1e-9 or quantum * float(np.max(arrival_rates)) < 1e-9:
        raise ParameterError("quantum", quantum, ">= 1e-9 s and >= 1e-9 of the mean time between arrivals",
                             "shorter slices make the event loop take too many steps")
    if float(np.max(arrival_rates) / np.min(arrival_rates)) > 1e4:
        raise ParameterError("arrival_rates", arrival_rates.tolist(), "rates within a factor 1e4 of each other",
                             "the run is sized by the first vCPU's requests")
    rng = generator(seed)
    k = len(arrival_rates)
    total = customers + warmup
    scale = [r / arrival_rates[0] for r in arrival_rates]
    streams = []
    for i in range(k):
        n = int(total * scale[i] * 1.2) + 1000
        times = np.cumsum(rng.exponential(1 / arrival_rates[i], n))
        work = distribution(mean_service_times[i], service_scvs[i]).sample(rng, n)
        streams.append((times, work))
    if host_rate > 0:
        horizon = streams[0][0][min(total, len(streams[0][0]) - 1)] * 1.5
        hn = int(horizon * host_rate * 1.2) + 1000
        host_times = np.cumsum(rng.exponential(1 / host_rate, hn))
        host_work = distribution(host_mean, host_scv).sample(rng, hn)
    else:
        host_times, host_work = np.array([np.inf]), np.array([0.0])
    nxt = [0] * k                   # index of each vCPU's next arrival
    queues = [deque() for _ in range(k + hogs)]  # [arrival time, remaining work]
    for h in range(hogs):
        queues[k + h].append([0.0, np.inf])
    runq = deque(sorted(background) + list(range(k, k + hogs)))
    always = [i in background for i in range(k + hogs)]
    host_q = deque()
    hi = 0
    running, left = None, 0.0       # the vCPU on the core and its quantum left
    t = 0.0
    done = [[] for _ in range(k)]
    while len(done[0]) < total:
        # next arrival of any vCPU or of host work
        arr_t, who = np.inf, -1
        for i in range(k):
            if nxt[i] < len(streams[i][0]) and streams[i][0][nxt[i]] < arr_t:
                arr_t, who = streams[i][0][nxt[i]], i
        host_t = host_times[hi] if hi < len(host_times) else np.inf
        if running is None and runq and not host_q:
            running, left = runq.popleft(), quantum
        if host_q:
            end = t + host_q[0]
        elif running is not None:
            end = t + (min(queues[running][0][1], left) if queues[running] else left)  # else its background job
        else:
            end = np.inf
        step = min(arr_t, host_t, end)
        if step == np.inf:
            break
        spent = step - t
        finished = step == end
        if host_q:
            host_q[0] = 0.0 if finished else host_q[0] - spent
        elif running is not None:
            job = queues[running][0] if queues[running] else None
            if finished and job is None:
                left = 0.0
            elif finished:   # exact bookkeeping at the activity's end (no rounding residue left behind)
                used = min(job[1], left)
                job[1], left = (0.0, left - used) if job[1] <= left else (job[1] - left, 0.0)
            else:
                if job is not None:
                    job[1] -= spent
                left -= spent
        t = step
        if finished:
            if host_q:
                host_q.popleft()
            else:
                if queues[running] and queues[running][0][1] == 0.0:
                    job = queues[running].popleft()
                    if running < k:
                        done[running].append(t - job[0])
                if not queues[running] and not always[running]:
                    running = None
                elif left <= 0.0:
                    if runq:
                        runq.append(running)
                        running = None
                    else:
                        left = quantum
        elif step == host_t:
            host_q.append(host_work[hi])
            hi += 1
        else:
            was_empty = not queues[who]
            queues[who].append([arr_t, streams[who][1][nxt[who]]])
            nxt[who] += 1
            if was_empty and running != who and not always[who]:
                if boost == "none":
                    runq.append(who)
                elif boost == "next_slice" or running is None:
                    runq.appendleft(who)
                else:   # preempt: the running vCPU goes back to the front; the switch is core time
                    runq.appendleft(running)
                    running, left = who, quantum
                    if switch_cost > 0:
                        host_q.appendleft(switch_cost)
    responses = [np.asarray(d[warmup if i == 0 else int(warmup * scale[i]):], dtype=float) for i, d in enumerate(done)]
    means = []
    for r in responses:
        usable = len(r) - len(r) % batches
        means.append(from_batches(r[:usable].reshape(batches, -1).mean(axis=1), confidence) if usable
                     else Estimate(np.nan, np.inf, 1, confidence))
    return {"mean": means, "p99": [float(np.quantile(r, 0.99)) if len(r) else np.nan for r in responses],
            "responses": responses}


__all__ = ["simulate_time_slices"]
