"""Open Jackson networks: traffic equations, then an M/M/c station at each node."""

from __future__ import annotations

import numpy as np

from .._backend import ARRAY, SCALAR, SYMBOLIC, kind_of
from .._validate import nonnegative, positive, probability, whole
from ..errors import ParameterError
from ._network_result import NetworkResult
from ._stability import check_stability, quiet_numerics
from .mm1 import mm1_formulas
from .mmc import mmc_formulas


def _objects(name, value):
    """``value`` as an object array; strings are rejected, never parsed."""
    arr = np.asarray(value, dtype=object)
    if any(isinstance(v, (str, bytes)) for v in arr.flat):
        raise ParameterError(name, value, "numbers or SymPy expressions", "strings are never parsed")
    return arr


def _vector(name, value, stations, check, kind):
    """Validate a per-station input (a scalar is broadcast); returns a list."""
    arr = _objects(name, value)
    if arr.ndim == 0:
        arr = np.full(stations, value, dtype=object)
    if arr.shape != (stations,):
        raise ParameterError(name, value, f"a scalar or a vector of {stations} values (one per station)",
                             f"got shape {arr.shape}")
    if kind == SYMBOLIC:
        return [check(f"{name}[{i}]", v, SYMBOLIC) for i, v in enumerate(arr)]
    return [float(v) for v in check(name, arr.astype(float), ARRAY)]


def _symbolic_probability(name, value):
    """A routing entry of a symbolic call: SymPy kept, plain numbers made exact."""
    import sympy as sp

    if isinstance(value, sp.Basic):
        return probability(name, value, SYMBOLIC, closed=True)
    v = float(probability(name, value, ARRAY, closed=True))
    return sp.Integer(int(v)) if v.is_integer() else sp.Float(v)


def _servers(servers, stations):
    values = np.ravel(np.asarray(servers, dtype=object)) if np.ndim(servers) else [servers] * stations
    if len(values) != stations:
        raise ParameterError("servers", servers,
                             f"an integer or inf, or {stations} of them (one per station)")
    return [whole("servers", c, allow_inf=True, maximum=2**53) for c in values]  # more: use inf (a delay)


def _station(lam, mu, c, kind):
    """One station's metrics: M/M/1, M/M/c, or a delay station (M/M/inf: no queue; its utilization is
    the mean number of busy servers, lambda/mu, as the peers report it)."""
    if c == 1:
        return mm1_formulas(lam, mu, None)
    if c == float("inf"):
        zero = 0 if kind != SYMBOLIC else __import__("sympy").Integer(0)
        return {"utilization": lam / mu, "number_in_system": lam / mu, "response_time": 1 / mu,
                "waiting_time": zero, "number_in_queue": zero}
    return mmc_formulas(lam, mu, c, kind)[0]


def _total_rate(arrival_rates, kind):
    """The one total arrival rate of the visits/demands form (> 0)."""
    if np.ndim(arrival_rates) != 0:
        raise ParameterError("arrival_rates", arrival_rates, "one total rate (jobs/s) when visits or demands "
                             "are given", "per-station rates go with routing")
    if kind == SYMBOLIC:
        return _vector("arrival_rates", [arrival_rates], 1, positive, kind)[0]
    return float(positive("arrival_rates", arrival_rates, SCALAR))


def _flows_from_visits(service_rates, visits, demands, kind):
    """Visit ratios and service rates from visits (+ service_rates) or demands (+ optional visits)."""
    if demands is None and (visits is None or service_rates is None):
        raise ParameterError("routing", None, "given, or visits with service_rates, or demands")
    if demands is not None and service_rates is not None:
        raise ParameterError("service_rates", "given", "left out when demands are given (mu = V / D)")
    ref = demands if demands is not None else visits
    name = "demands" if demands is not None else "visits"
    if np.ndim(_objects(name, ref)) != 1 or np.size(ref) == 0:
        raise ParameterError(name, ref, "a vector with one value per station")
    K = np.size(ref)
    V = [1] * K if visits is None else _vector("visits", visits, K, positive, kind)
    if demands is None:
        return V, _vector("service_rates", service_rates, K, positive, kind), K
    D = _vector("demands", demands, K, positive, kind)
    return V, [v / d for v, d in zip(V, D)], K


def _routing(routing, kind, stations, name="routing"):
    """Validate the routing matrix (square, entries in [0, 1], rows summing to <= 1)."""
    arr = _objects(name, routing)
    if arr.shape != (stations, stations):
        raise ParameterError(name, routing, f"a square {stations} x {stations} matrix (one row per station)",
                             f"got shape {arr.shape}")
    if kind == SYMBOLIC:
        return [[_symbolic_probability(f"{name}[{i}, {j}]", v) for j, v in enumerate(row)]
                for i, row in enumerate(arr)]
    p = probability(name, np.asarray(arr, dtype=float), ARRAY, closed=True)
    sums = p.sum(axis=1)
    if (sums > 1 + 1e-12).any():
        i = int(np.argmax(sums))
        raise ParameterError(name, routing, "rows summing to at most 1",
                             f"row {i} sums to {sums[i]:.6g}")
    if np.max(np.abs(np.linalg.eigvals(p))) >= 1 - 1e-12:
        raise ParameterError(name, routing, "an open network (every job eventually leaves)",
                             "the routing matrix has spectral radius 1: some jobs never leave")
    return p


def visit_rates(external, routing, kind):
    """Solve the traffic equations :math:`\\lambda = \\gamma + P^T \\lambda`."""
    if kind == SYMBOLIC:
        import sympy as sp

        P = sp.Matrix(routing)
        rates = (sp.eye(P.shape[0]) - P.T).LUsolve(sp.Matrix(external))
        return [sp.cancel(r) for r in rates]
    return list(np.linalg.solve(np.eye(len(external)) - routing.T, np.asarray(external, dtype=float)))


def open_network(arrival_rates, routing=None, service_rates=None, servers=1, *, visits=None,
                 demands=None) -> NetworkResult:
    """Open Jackson network of M/M/c stations.

    .. math::
        \\lambda_k = \\gamma_k + \\sum_j \\lambda_j P_{jk},\\qquad
        V_k = \\frac{\\lambda_k}{\\Gamma},\\ \\Gamma = \\sum_k \\gamma_k,\\qquad
        R = \\sum_k V_k R_k = \\frac{1}{\\Gamma}\\sum_k L_k

    Each station :math:`k` is then an independent M/M/:math:`c_k` queue with
    arrival rate :math:`\\lambda_k` (Jackson's product form). Assumptions:
    Poisson external arrivals, exponential service at every station, FCFS,
    Markovian routing (a job leaving station :math:`i` goes to :math:`j` with
    probability :math:`P_{ij}` and leaves with :math:`1 - \\sum_j P_{ij}`),
    every station stable (:math:`\\lambda_k < c_k\\mu_k`; otherwise
    :class:`~virtmodel.errors.UnstableError` naming the station). A delay
    station (``servers`` ``inf``, M/M/:math:`\\infty`, any service
    distribution) has :math:`R_k = 1/\\mu_k`, :math:`L_k = \\lambda_k/\\mu_k`
    and its utilization is reported as the mean number of busy servers,
    :math:`\\lambda_k/\\mu_k` (the convention of Octave's ``queueing`` and of LINE).

    Instead of a routing matrix the network may be given by its visit ratios
    :math:`V_k` (with ``service_rates``) or its demands
    :math:`D_k = V_k/\\mu_k` (visits default 1); ``arrival_rates`` is then the
    one total rate :math:`\\Gamma` and :math:`\\lambda_k = \\Gamma V_k`.

    Parameters
    ----------
    arrival_rates : sequence of float or SymPy expressions, or one of them
        :math:`\\gamma_k`, external arrivals per second at each station (>= 0,
        not all 0); with ``visits`` or ``demands``: the total :math:`\\Gamma` (> 0).
    routing : square matrix, optional
        :math:`P_{jk}`, the probability of moving from station j to k.
    service_rates : scalar or sequence, optional
        :math:`\\mu_k`, requests per second per server (> 0); not with ``demands``.
    servers : int, ``numpy.inf`` or sequence of them
        :math:`c_k` (>= 1; ``inf``: a delay station).
    visits : sequence, optional, keyword only
        :math:`V_k`, visits per job (> 0), instead of ``routing``.
    demands : sequence, optional, keyword only
        :math:`D_k`, seconds of service per job at station k (> 0), instead of
        ``routing`` and ``service_rates``.

    Returns
    -------
    NetworkResult
        Per-station ``visits``, ``throughput``, ``utilization``,
        ``number_in_system``, ``response_time`` (per visit) and
        ``residence_time`` (per job); ``system_throughput`` :math:`\\Gamma`,
        ``system_response_time``, ``system_number_in_system``; per-station
        ``waiting_time`` and ``number_in_queue`` in ``details``.

    Examples
    --------
    A tandem of two M/M/1 stations: ``open_network([1, 0], [[0, 1], [0, 0]], [2, 3])``
    has ``system_response_time`` 1/(2-1) + 1/(3-1) = 1.5 s. By demands, with a
    delay station of 0.5 s:

    >>> open_network(1.0, demands=[0.5, 1 / 3, 0.5], servers=[1, 1, np.inf]).system_response_time
    2.0

    References
    ----------
    J. R. Jackson, "Jobshop-like queueing systems", Management Science 10 (1963)
    131-142; E. D. Lazowska et al., *Quantitative System Performance*,
    Prentice Hall 1984, chapter 8.
    """
    kind = kind_of(arrival_rates, routing, service_rates, servers, visits, demands)
    _objects("arrival_rates", arrival_rates)
    if routing is None:
        V, mu, K = _flows_from_visits(service_rates, visits, demands, kind)
        total = _total_rate(arrival_rates, kind)
        lam = [total * v for v in V]
    else:
        if visits is not None or demands is not None:
            raise ParameterError("routing", "given", "left out when visits or demands are given")
        K = np.size(_objects("arrival_rates", arrival_rates))
        if np.ndim(arrival_rates) != 1 or K == 0:
            raise ParameterError("arrival_rates", arrival_rates, "a vector with one rate per station")
        gamma = _vector("arrival_rates", arrival_rates, K, nonnegative, kind)
        P = _routing(routing, kind, K)
        if service_rates is None:
            raise ParameterError("service_rates", None, "given with routing (one rate per station)")
        mu = _vector("service_rates", service_rates, K, positive, kind)
        total = sum(gamma)
        if kind != SYMBOLIC and total <= 0:
            raise ParameterError("arrival_rates", arrival_rates, "non-negative with at least one > 0")
        lam = visit_rates(gamma, P, kind)
    cs = _servers(servers, K)
    stations = []
    for k in range(K):
        with quiet_numerics(kind):
            m = _station(lam[k], mu[k], cs[k], kind)
        if cs[k] != float("inf"):  # a delay station never saturates (its utilization counts busy servers)
            check_stability(m["utilization"], SCALAR if kind != SYMBOLIC else SYMBOLIC, f"station {k} (M/M/{cs[k]})")
        stations.append(m)
    return _assemble(kind, lam, total, stations)


def _cancel(expr):
    import sympy as sp

    return sp.cancel(expr)


def _assemble(kind, lam, total, stations):
    def column(values):
        if kind == SYMBOLIC:
            import sympy as sp

            return sp.Matrix(values)
        return np.array([float(v) for v in values])

    visits = [x / total for x in lam]
    L = [s["number_in_system"] for s in stations]
    R = [s["response_time"] for s in stations]
    number = sum(L)
    system_throughput = total if kind == SYMBOLIC else float(total)
    return NetworkResult(
        model="open Jackson network",
        kind=kind,
        visits=column(visits),
        throughput=column(lam),
        utilization=column([s["utilization"] for s in stations]),
        number_in_system=column(L),
        response_time=column(R),
        residence_time=column([v * r for v, r in zip(visits, R)]),
        system_throughput=system_throughput,
        system_response_time=_cancel(number / total) if kind == SYMBOLIC else float(number / total),
        system_number_in_system=number if kind == SYMBOLIC else float(number),
        details={"waiting_time": column([s["waiting_time"] for s in stations]),
                 "number_in_queue": column([s["number_in_queue"] for s in stations])},
    )
