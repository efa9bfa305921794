"""M/G/1 FCFS with server vacations (multiple or single), by a recursion over customers."""

from __future__ import annotations

import numpy as np

from .._validate import choice
from ..errors import ParameterError
from ._inputs import check_stable, generator, number, station_inputs
from .batching import customer_batches
from .distributions import distribution
from .result import PERCENTILES, SimulationResult, single_station_result


#: the most vacations the multiple-vacation recursion steps through in one run
_MAX_VACATION_STEPS = 5e7


class _RunawayVacations(Exception):
    """Idle periods that more than ``max_steps`` vacations do not cover (draws all near 0)."""


def vacation_start_times(arrivals, services, vacations, multiple: bool, max_steps: float = _MAX_VACATION_STEPS):
    """Service start times: FCFS, and a server that leaves on vacation whenever it empties.

    When customer i finds the server done at ``free <= a_i`` (the system
    emptied at ``free``): with multiple vacations it returns at the first end of
    a run of vacations that is >= a_i; with a single vacation at
    ``max(a_i, free + V)``. Otherwise service starts at ``free``.
    """
    start = np.empty(len(arrivals))
    free, j = 0.0, 0
    vac = vacations.tolist()
    for i, (a, s) in enumerate(zip(arrivals.tolist(), services.tolist())):
        if free <= a:
            end = free + vac[j]
            j += 1
            while multiple and end < a:
                end += vac[j]
                j += 1
                if j >= len(vac) - 1:
                    if len(vac) > max_steps:
                        raise _RunawayVacations
                    vac.extend(vac[:len(vac) // 2])  # reuse draws only if a run is extraordinarily long
            begin = max(a, end)
        else:
            begin = free
        start[i] = begin
        free = begin + s
    return start


def simulate_vacations(arrival_rate, mean_service_time, service_scv, mean_vacation, vacation_scv,
                       policy="multiple", *, customers=2 * 10**5, warmup=None, batches=20, seed=0,
                       confidence=0.95, percentiles=PERCENTILES) -> SimulationResult:
    """Simulate an M/G/1 FCFS queue with server vacations (gamma service and vacation times).

    Assumptions as :func:`~virtmodel.queueing.mg1_vacations`: Poisson arrivals,
    i.i.d. service (mean, SCV), i.i.d. vacations (mean > 0, SCV) taken whenever
    the server finds the system empty (``"multiple"``: until someone waits;
    ``"single"``: one, then idle). The system starts empty.

    Parameters
    ----------
    arrival_rate, mean_service_time, service_scv, mean_vacation, vacation_scv : float
    policy : {"multiple", "single"}
    customers, warmup, batches, seed, confidence, percentiles
        As in :func:`~virtmodel.simulate.simulate_gg1`.

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> r = simulate_vacations(0.5, 1.0, 1.0, 2.0, 0.0, customers=10**5, seed=1)
    >>> r.waiting_time.contains(2.0, 0.99)  # mg1_vacations: W = 1 + E[V^2]/(2E[V]) = 2
    True

    References
    ----------
    H. Takagi, *Queueing Analysis, Vol. 1*, North-Holland 1991, chapter 2.
    """
    choice("policy", policy, ("multiple", "single"))
    q = station_inputs(arrival_rate, mean_service_time, 1.0, service_scv, "gamma", "gamma",
                       customers, warmup, batches, confidence, percentiles)
    vacation = distribution(number("mean_vacation", mean_vacation),
                            number("vacation_scv", vacation_scv, allow_zero=True), "gamma")
    check_stable(q.arrival_rate * q.mean_service_time, "M/G/1 with vacations", False)
    n = q.warmup + q.customers
    if policy == "multiple" and n > _MAX_VACATION_STEPS * q.arrival_rate * vacation.mean:  # no division: lambda E[V] may underflow to 0
        # the recursion steps through every vacation of an idle period: about 1/(lambda E[V]) of them
        raise ParameterError("mean_vacation", mean_vacation,
                             f"at least {n / (q.arrival_rate * _MAX_VACATION_STEPS):.3g} for {n} customers",
                             "with multiple vacations the simulation steps through each one; vacations this short "
                             f"would take more than {_MAX_VACATION_STEPS:.0e} steps (the closed form is mg1_vacations)")
    rng = generator(seed)
    a = q.arrivals.sample(rng, n)
    s = q.services.sample(rng, n)
    v = vacation.sample(rng, 4 * n + 1000)
    arrival_times = np.cumsum(a)
    try:
        # the run needs about n / (lambda E[V]) vacations; 100 times that (at least 10^6) is a runaway
        steps = min(_MAX_VACATION_STEPS, max(1e6, 100 * n / (q.arrival_rate * vacation.mean)))
        start = vacation_start_times(arrival_times, s, v, policy == "multiple", steps)
    except _RunawayVacations:
        # gamma draws of a huge SCV are almost all 0: an idle period would take endless vacations
        raise ParameterError("vacation_scv", vacation_scv, "a spread whose vacations cover an idle period in "
                             f"fewer than {steps:.2g} steps") from None
    m = slice(q.warmup, n)
    response = start - arrival_times + s
    rows = customer_batches(a[m], response[m], s[m], 1.0, q.batches, quantiles=q.percentiles)
    return single_station_result(rows, q, f"M/G/1 with {policy} vacations (recursion over customers)")
