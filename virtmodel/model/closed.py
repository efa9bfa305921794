"""The closed model: ``users`` per VM with a think time, solved by exact MVA.

A workload with ``users`` :math:`N > 0` is closed: each of the :math:`V` VMs
has :math:`N` users, each thinking :math:`Z` (``think_time``) between a
response and its next request. The network is built from the same stations as
the open model (:mod:`._derive`; demands :math:`D_i` from the technique):

=========================  =============================  ==================
station                    servers                        demand per request
=========================  =============================  ==================
guest (one per VM)         ``vcpus``                      :math:`D_g`
host (shared)              ``cores``                      :math:`D_h`
device (shared)            1                              :math:`D_d`
card (shared)              ``card_cores``                 :math:`D_c`
delay                      :math:`\\infty`                 path delay :math:`d`
=========================  =============================  ==================

solved by exact single-class MVA (:func:`virtmodel.queueing.mva`) of one VM's
:math:`N` users. Demands that depend on the load (the vCPU's and back-end's wake-ups and
interrupts, :mod:`virtmodel.techniques.notifications`) are taken at the loop's own per-VM
throughput :math:`X`, which solves :math:`X = X_{\\mathrm{MVA}}(N; D(X))`: the curve's
asymptote is then the open model's ``throughput_limit`` (at the workload's ``arrival_rate``
they would exceed it: paravirtual small_packet_rr, 200 users, 173,866/s > 171,667/s).

**Several VMs** (the documented choice: shadow servers). All VMs run the same
workload, so by symmetry one VM is solved and the other :math:`V-1` appear as
load on the shared stations: a shared station :math:`k` (:math:`c_k`
servers) loses the capacity they use, its demand inflated to

.. math::
    D_k' = \\frac{D_k}{1 - (V-1)\\,X\\,D_k/c_k}

with :math:`X` the per-VM throughput, which solves the fixed point
:math:`X = X_{\\mathrm{MVA}}(N;\\,D')` (Brent's method; the map decreases in
:math:`X`). Exact for :math:`V = 1`, at light load and in the saturation
limits (the shared bottleneck gives :math:`X \\to c_k/(V D_k)`). Against
exact multi-class MVA (one class per VM, single-server stations; 2 and 3 VMs,
1-8 users, think time 0-5 times the population's demand, three techniques,
four workloads) the largest error in throughput or response time is 3.8%,
the mean 0.1% (``tests/test_model_closed.py`` checks <= 5%). The alternative
of one class of :math:`VN` users visiting one of the :math:`V` guests at
random was measured too and rejected: up to 33% off (users of one VM
collide on a guest they never share).

Metrics (:math:`X` per VM, :math:`R` the response time of one VM's MVA):

- ``throughput`` :math:`X`; ``mean_latency`` :math:`R = N/X - Z` (think
  excluded, path delay included);
- ``overhead`` :math:`R/R_{\\mathrm{native}}` and ``throughput_ratio``
  :math:`X/X_{\\mathrm{native}}`, the native model at the same :math:`N, Z`;
- ``guest_cores`` :math:`V X D_g`, ``host_cores`` :math:`V X D_h`,
  ``card_load`` :math:`V X D_c / c_{\\mathrm{card}}`, ``guest_cores_left``
  :math:`c_{\\mathrm{host}} - V X D_h` (all VMs);
- with load-dependent demands (wake-ups) the CPU metrics are the open model's at
  :math:`\\lambda = X`, so they include the wake-up work paid off the queues
  (:meth:`~virtmodel.techniques.notifications.Wakeups.off_queue_work`);
- load-free metrics (``throughput_limit``, ``capacity_ratio``,
  ``cpu_per_request``, ``host_cores_per_100k_iops``, ``bottleneck``) are those
  of the open model;
- ``latency_variance`` and the percentiles ``p<P>`` (below).

**Latency variance and percentiles** (:func:`_moments`). By the arrival theorem a request
finds each station as the network of :math:`N-1` users holds it (MVA's marginal probabilities
:math:`p_k(j\\mid N-1)`, from the same run's :math:`X(1..N-1)`); its residence given :math:`j` found
is the residual service of the one in service plus :math:`j` full services (at :math:`c_k`
servers: :math:`j-c_k+1` departures, then its own), with the station's service-time SCV
:math:`\\mathrm{Var}(S)/S^2` of the open model (at an inflated shared station divided by the
inflation, below; the path delay is a constant), and the stations are summed with the covariance
of their residences: given the state a request finds as it sets out (the network of :math:`N-1`
users), its residences are independent (the product form of sojourn times along an overtake-free
path), so the covariances come from that state's product form
(:func:`virtmodel.queueing.mva_response_variance.response_moments`, step 4; the vhost workers a
resource is split over are one visit of one of them). Where a service is not exponential the
product form is *shaped* first (step 1b there): each station's queue-length factor takes the spread
that its service SCV and the SCV of the stream reaching it give (QNA's linking equations around the
loop, :mod:`virtmodel.queueing.flow_scv`), so a nearly constant-time bottleneck sends the rest of the
loop a regular stream and holds a narrow queue; exponential stations are left as they are. A
percentile is, as in the open model, the path delay plus the gamma fit
(:func:`~virtmodel.queueing._percentiles.gamma_quantile`) to MVA's mean response time less the delay
and this variance. With a device-side window the variance is the network's without the window,
scaled to the windowed mean (its SCV kept; an approximation not checked against the simulation).
Exact for exponential single servers crossed in a fixed order, with or without think time. Measured
against the event simulation of a request's fixed route through 1-3 stations
(``tests/queueing/test_mva_response_variance.py``; N = 1, 4, 16, 64; think time 0 and twice the
demands; gamma service), model / simulation - 1:

==========  =================  ================  ================  ================
stations    SCV 1               SCV 0.25          SCV 4             SCV 0.02
==========  =================  ================  ================  ================
1-3         var -5%..+7%,      var -5%..+15%,    var -13%..+31%,   var -13%..+206%,
            p99 -2%..+6%       p99 -2%..+10%     p99 -9%..+14%     p99 0..+26%
==========  =================  ================  ================  ================

(before the shaping: SCV 0.25 var 0..+34%, p99 up to +13%; SCV 0.02 var up to +617%, p99 up to
+42%). Before the covariance (stations independent) the variance reached +60% at SCV 1 and +254%
at SCV 0.25 with three stations, and the p99 +29%. What remains is largest with no think time and
few users (a nearly deterministic loop falls into a nearly periodic pattern). Cost: :math:`O(N K)`
per station plus :math:`O(N c_k)` at :math:`c_k` servers and :math:`O(K N^2)` for the covariance (and, shaped,
:math:`O(K^2 N^2)` for the marginals): a p99 at 200 users (hardware assist, ``small_packet_rr``)
takes 3.2 ms with its fixed point, against 2.3 ms for the mean; 0.3 ms of it is the covariance
(best of 15; measured before the shaping). With it, on the slower machine of 2026-12-07's second session: 6.7 ms against
5.2 ms for the mean.

**The spread with several VMs** (the shadow servers), against an event simulation of every VM's
users on the model's own network (``tests/test_model_closed_several_vms.py``; 1-8 VMs, 2-32 users,
five techniques, think time 0 and the demands): where the VM's own stations are its bottleneck the
mean, variance and p99 are within -2%..+9%, and a split resource (two vhost workers) within +13%.
Where a *shared* station is the bottleneck of several VMs (the host's cores under four or eight
paravirtual VMs, inflation 2-8) the mean is within +12%, the variance -16%..+11% and the p99
-3%..+4%, with the shared station's SCV divided by its inflation (:func:`_shared_scv`: the time the
inflated visit stands for is many small services, not a few large ones); with the SCV kept, the
variance was +12% to +340% too large and the p99 +5% to +21%. Behind a nearly constant-time
bottleneck (the wire, SCV 0.02; one or two VMs) the variance is +1% to +241% too large and the p99
+1% to +23%, the mean up to +15% (MVA's exponential service); before the shaping the variance was
+21% to 18x and the p99 up to +45%. The tail errs on the safe side there.

**A window on the device side.** A technique whose virtqueue holds fewer requests than the
users (:mod:`virtmodel.techniques.virtqueue_capacity`: no indirect descriptors) caps one VM's
requests on the device side (every station but the guest's, the path delay included) at
:math:`C`; the others wait in the guest. That part of the network is a flow-equivalent server
with the rate of its own MVA at :math:`\\min(j, C)` requests
(:func:`virtmodel.queueing.flow_equivalent.mva_window`, checked against the simulation);
without a cap, or with :math:`C \\ge N`, nothing changes.

Assumptions: a product-form (BCMP) network: exponential service at the FCFS
queueing and multi-server stations (the technique's service-time variance is
*not* used, unlike the open model), the think and delay stages any
distribution; one visit per station per request. A station with at least
:math:`VN` servers never queues and is solved as a delay station (exact).
What the exponential assumption costs, measured against the simulation (two
stations, demands 1 and 0.5, think time 3, 3 and 8 users): with deterministic
service (SCV 0) MVA's throughput is 2.5-3.5% low and its response time 4-9% high;
with SCV 4 the throughput is 6-7% high and the response time 10-13% low
(``tests/queueing/test_mva_service_variance.py`` keeps them within 8% and 15%).
The textbook correction for the residual service time (a job found in service
costs :math:`S(1+c^2)/2`) was tried and rejected: on the same network it
overshoots, up to a throughput above the bottleneck's :math:`1/D_{\\max}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from .._tables import table_from_rows
from ..errors import ParameterError, SymbolicUnsupportedError
from ..metrics import CLOSED, LOAD_FREE, METRICS, names
from ..percentile_names import PERCENTILE_HINT, percentile_level
from ..queueing import mva
from ..queueing._percentiles import gamma_quantile
from ..queueing.flow_equivalent import WindowResult, mva_window
from ..queueing.mva_response_variance import response_moments
from ..symbols import symbol
from ..techniques import Native

#: metric -> (LaTeX left-hand side, unit) of the metrics the closed model computes (from the metric table)
CLOSED_METRICS = {name: (METRICS[name].symbol, METRICS[name].unit) for name in names(CLOSED) if name not in LOAD_FREE}
_NATIVE = ("overhead", "throughput_ratio")
#: metrics of the response time's spread (numeric only: :func:`_moments`)
_SPREAD = ("latency_variance",) + tuple(m for m in CLOSED_METRICS if percentile_level(m) is not None)
_CPU = ("guest_cores", "host_cores", "card_load", "guest_cores_left")
_TINY = 1e-12
CURVE_POINTS = 64
MAX_SYMBOLIC_USERS = 6
MAX_SYMBOLIC_KEEP = 3
_COUNTS = ("users", "vms", "vcpus", "cores", "card_cores", "queues")


def closed_metric_names() -> tuple:
    """Every metric of a closed model."""
    return names(CLOSED)


def is_closed(values: dict) -> bool:
    """True if ``users`` > 0 (anywhere in a sweep; then it must be > 0 everywhere)."""
    users = values.get("users", 0)
    if type(users) in (int, float):  # a plain number (the usual case, every call): no array made
        return users > 0
    users = np.asarray(users)
    if not np.any(users > 0):
        return False
    if np.any(users == 0):
        raise ParameterError("users", 0, "> 0 at every point of a closed-model sweep",
                             "a sweep cannot mix the open (users = 0) and the closed model")
    return True


# -- the network ------------------------------------------------------------------
def network(stations, delay, vms, users):
    """``(demands, servers, owner, shared)`` of one VM's network (module table).

    ``stations`` is ``[(name, demand, servers, shared)]`` (``shared``: every VM's
    requests reach it, :attr:`virtmodel.resources.Resource.shared`). Stations with no
    work or at least ``vms*users`` servers never queue and become delay stations
    (exact); ``shared`` marks the other shared stations (those the shadow servers inflate).
    """
    total = vms * users
    demands, servers, owner, shared = [], [], [], []
    for name, demand, c, common in stations:
        idle = demand == 0 or c >= total
        demands.append(demand)
        servers.append(np.inf if idle else int(c))
        owner.append(name)
        shared.append(common and not idle)
    if delay != 0:
        demands += [delay]
        servers += [np.inf]
        owner += ["delay"]
        shared += [False]
    return demands, np.array(servers, dtype=float), np.array(owner), np.array(shared)


def solve(stations, delay, vms, users, think_time, window=None):
    """One VM's network at the shadow-server fixed point: ``(result, owner, inflation)``.

    ``result`` is the :func:`~virtmodel.queueing.mva` result of one VM's
    ``users`` customers with the shared demands inflated by ``inflation``
    :math:`= 1/(1 - (V-1) X D_k/c_k)`; :math:`X` (per VM) solves
    :math:`X = X_{\\mathrm{MVA}}(X)` (Brent's method on :math:`[0, X_{\\mathrm{MVA}}(0)]`,
    where the map decreases). One run when :math:`V = 1` or nothing is shared.
    ``window``: at most this many of the VM's requests on the device side (every station but the
    guest's, the path delay included: :mod:`virtmodel.techniques.virtqueue_capacity`), solved with
    :func:`~virtmodel.queueing.flow_equivalent.mva_window`; None: no cap.
    """
    return _solve(stations, delay, vms, users, think_time, window, True)[1]


def _solve(stations, delay, vms, users, think_time, window, full):
    """``(X, out)``: :func:`solve`'s per-VM throughput :math:`X` and, if ``full`` or if it was
    computed on the way (no fast kernel), its ``(result, owner, inflation)``, else None.

    The same numbers as before, with less work: Brent's steps take :math:`X` from
    :func:`_queueing_throughput` where it applies (the same kernel and arithmetic as
    :func:`~virtmodel.queueing.mva`, without its checks and result), and each :math:`x` is solved
    once (Brent evaluates its two ends again, and returns a point it evaluated). ``full`` False:
    the steps of an outer fixed point (:func:`_solve_loaded`), whose first and last runs are full
    (the input checked)."""
    demands, servers, owner, shared = network(stations, delay, vms, users)
    c = np.where(shared, servers, 1.0)
    capped = window is not None and window < users
    brent = vms > 1 and shared.any()
    fast = None if capped or (full and not brent) else _queueing_throughput(servers, users, think_time)
    seen: dict = {}  # x -> (X, (result, owner, inflation) or None)

    def run(x, whole):
        inflation = [1 / max(1 - (vms - 1) * x * d / ck, _TINY) if sh else 1 for d, ck, sh in zip(demands, c, shared)]
        inflated = [d * f for d, f in zip(demands, inflation)]
        if fast is not None and not whole:
            seen[x] = (fast(inflated), None)
            return seen[x]
        if capped:
            inside = np.array([str(name).split("[")[0] != "guest" for name in owner])
            result = mva_window(inflated, users, think_time, servers, inside=inside, window=window, history=True)
        else:
            result = mva(inflated, users, think_time, servers, history=True)
        seen[x] = (result.system_throughput, (result, owner, np.array(inflation, dtype=float)))
        return seen[x]

    def throughput(x):
        return float((seen.get(x) or run(x, False))[0])

    x = run(0.0, full)[0]  # (a SymPy expression in expression(): V = 1, no Brent)
    if brent:
        from scipy.optimize import brentq

        def gap(x):
            return throughput(x) - x

        # gap(x0) >= 0 only by rounding (the others' load changes nothing): x0 is the fixed point
        x0 = float(x)
        x = x0 if gap(x0) >= 0 else brentq(gap, 0.0, x0, xtol=1e-15 * x0, rtol=1e-13)
    else:
        x = 0.0
    X, out = seen[x]
    return run(x, True) if full and out is None else (X, out)


def _queueing_throughput(servers, users, think_time):
    """``D -> X(N)`` for a network of queueing (1 server) and delay stations, else None: the number
    :func:`~virtmodel.queueing.mva` gives (``system_throughput``) by the same steps (a station with
    :math:`c \\ge N` servers a delay, the delay demands added to the think time, the float kernel
    :func:`~virtmodel.queueing._mva_kernel.queueing_kernel` over the stations with work), without
    checking the input or building a result: the steps of a fixed point, 0.03 ms instead of 0.3 ms.
    A multi-server station (:math:`1 < c < N`, load-dependent MVA) gives None."""
    from ..queueing._mva_kernel import queueing_kernel

    delay = servers >= users
    if not np.all(delay | (servers == 1)):
        return None
    Z = np.float64(think_time)

    def throughput(demands):
        D = np.asarray(demands, dtype=float)
        queue = ~delay & (D > 0)
        Zd = Z + D[delay].sum()
        return float(queueing_kernel(D[queue], Zd, users)[0]) if queue.any() else float(users / Zd)

    return throughput


@dataclass(frozen=True)
class _Path:
    """What the closed model needs of one structure, found once (:func:`_path`): the compiled
    stations' demands, servers and splits (:func:`~._compile.closed_station_bundle`), each station's name and ``shared``, where its
    demand, servers and splits are among the bundle's outputs, whether a demand or the delay
    depends on the arrival rate, and the technique (for :func:`device_window`)."""

    bundle: Any
    stations: tuple       # ((name, shared, index of the demand, of the servers, of the splits), ...)
    load_dependent: bool
    technique: Any


@lru_cache(maxsize=256)
def _path(key) -> _Path:
    """The :class:`_Path` of a model key, cached by it (as :func:`~._derive.derive` is): a key holds
    the technique's structure and the platform's resources, so a model whose structure changes
    has another key. Before, each step of the fixed point rebuilt the station bundle's expressions
    (every station's symbolic capacity) and looked for the rate symbol in every demand."""
    import sympy as sp

    from ..techniques._base import of_structure
    from ._compile import CLOSED_PER_STATION, closed_station_bundle
    from ._derive import derive

    d, n, rate = derive(key), len(CLOSED_PER_STATION), symbol("arrival_rate")
    i_d, i_c, i_q = (CLOSED_PER_STATION.index(c) for c in ("demand", "servers", "splits"))
    stations = tuple((st.name, st.shared, n * k + i_d, n * k + i_c, n * k + i_q) for k, st in enumerate(d.stations))
    dependent = any(sp.sympify(x).has(rate) for x in [d.delay] + [st.demand for st in d.stations])
    return _Path(closed_station_bundle(key), stations, dependent, of_structure(key[0]))


def _numeric_stations(key, values):
    """``([(name, D, c, shared)], delay)`` at one scalar point, from the open model's compiled stations."""
    out = _path(key).bundle(values)
    stations = []
    for name, shared, i_d, i_c, i_q in _path(key).stations:
        stations += _split(name, float(out[i_d]), float(out[i_c]), shared, int(round(float(out[i_q]))))
    return stations, float(out[-1])


def _load_dependent(key) -> bool:
    """Whether the structure's demands or delay depend on the arrival rate (the wake-up terms)."""
    return _path(key).load_dependent


#: how many fixed points :func:`_solve_loaded` keeps (the validation table: 1,650 asked, 339 distinct)
SOLVED = 256


def _solve_loaded(key, point, users):
    """:func:`_fixed_point`, kept by ``(key, point, users)``: each closed metric of a point asks for the
    same fixed point (``closed()``: eight metrics and the curve; the validation table: 1,650 calls
    for 339 points). The key holds the structure and every value, so a change of either is another
    entry; a point with a value that cannot be hashed (an array) is solved afresh. Callers only read
    the result."""
    try:
        items = tuple(sorted(point.items()))
        hash(items)
    except TypeError:
        return _fixed_point(key, point, users)
    return _remembered_fixed_point(key, items, users)


@lru_cache(maxsize=SOLVED)
def _remembered_fixed_point(key, items, users):
    return _fixed_point(key, dict(items), users)


def _fixed_point(key, point, users):
    """``(result, stations, delay, inflation, exact_for_fewer)`` of one VM's ``users`` at ``point``.

    Load-dependent demands (the wake-up terms, :mod:`virtmodel.techniques.notifications`) are
    evaluated at the loop's own per-VM throughput :math:`X`, which solves
    :math:`X = X_{\\mathrm{MVA}}(N;\\, D(X))` (Brent's method on :math:`[0, x_1]`, :math:`x_1`
    doubled from :math:`X_{\\mathrm{MVA}}(D(0))` until the map lies below it), so the curve's
    asymptote is the open model's ``throughput_limit``, :math:`\\lambda D(\\lambda) = k`. Demands that do
    not depend on the rate: one run at ``point`` (``exact_for_fewer``: MVA's
    :math:`X(n)`, :math:`n < N`, hold when nothing was inflated either).
    """
    vms, think = int(point["vms"]), float(point["think_time"])
    window = device_window(key, point)

    def at(x):
        stations, delay = _numeric_stations(key, point if x is None else {**point, "arrival_rate": x})
        result, _, inflation = solve(stations, delay, vms, users, think, window)
        return result, stations, delay, inflation

    if not _load_dependent(key):
        out = at(None)
        return out + (bool(np.all(out[3] == 1)),)
    from scipy.optimize import brentq

    seen: dict = {}  # x -> (stations, delay, X, solve's output or None): each x evaluated once

    def gap(x):  # X alone where the fast kernel applies (_solve, not full)
        if x not in seen:
            stations, delay = _numeric_stations(key, {**point, "arrival_rate": x})
            seen[x] = (stations, delay) + _solve(stations, delay, vms, users, think, window, False)
        return float(seen[x][2]) - x

    first = at(0.0)
    hi = float(first[0].system_throughput)
    seen[0.0] = first[1:3] + (hi, None)
    for _ in range(64):
        if gap(hi) <= 0:
            break
        hi *= 2
    x = brentq(gap, 0.0, hi, xtol=1e-15 * hi, rtol=1e-13)
    if x == 0.0:
        return first + (False,)
    gap(x)  # (brentq returns a point it evaluated: nothing to do)
    stations, delay, _, out = seen[x]
    result, _, inflation = out if out is not None else solve(stations, delay, vms, users, think, window)
    return (result, stations, delay, inflation, False)


def device_window(structure, values):
    """The requests of one VM the device side holds at once (an int), or None for no cap: the
    technique's virtqueue capacity (:func:`virtmodel.techniques.virtqueue_capacity.ring_capacity`)."""
    from ..techniques.virtqueue_capacity import ring_capacity

    return ring_capacity(_path(structure).technique, values)


def _split(name, demand, servers, shared, q):
    """A VM's resource split over ``q`` stations (the vhost workers of its queues) as ``q`` stations,
    each visited by a request with probability 1/q: demand :math:`D/q` each (product form)."""
    if q == 1:
        return [(name, demand, servers, shared)]
    return [(f"{name}[{j}]", demand / q, servers, shared) for j in range(q)]


def _by_kind(key, demands: dict, zero):
    """``kind -> demand on the CPUs of that kind`` ("guest", "host", "card"; the sum over the
    resources whose ``cores_of`` it is), from ``{station: demand}``."""
    from ._derive import derive

    kinds = {st.name: st.cores_of for st in derive(key).stations}
    return lambda kind: sum((d for name, d in demands.items() if kinds.get(name.split("[")[0]) == kind), zero)


def _native_key(model):
    from ._derive import model_key

    return model_key(Native(), model.platform)


def _metric(metric, v, X, R, Xn, Rn, demand):
    """One metric from the throughputs ``X`` of all VMs and response times ``R`` (module list)."""
    if metric == "throughput":
        return X / v["vms"]
    if metric == "mean_latency":
        return R
    if metric == "overhead":
        return R / Rn
    if metric == "throughput_ratio":
        return X / Xn
    if metric == "guest_cores":
        return X * demand("guest")
    if metric == "host_cores":
        return X * demand("host")
    if metric == "card_load":
        return X * demand("card") / v["card_cores"]
    return v["cores"] - X * demand("host")


# -- the spread ---------------------------------------------------------------------
@lru_cache(maxsize=256)
def _service_variances(key):
    """The compiled :math:`\\mathrm{Var}(S_i)` of the structure's stations (the open model's, per visit)."""
    from ._compile import compiled
    from ._derive import derive

    return compiled(tuple(st.variance for st in derive(key).stations))


def _spread(key, point, users, level):
    """``latency_variance`` (``level`` None) or the ``level``-quantile of one VM's response time."""
    try:
        items = tuple(sorted(point.items()))
        hash(items)
    except TypeError:
        R, delay, var = _moments(key, point, users)
    else:
        R, delay, var = _remembered_moments(key, items, users)
    if level is None:
        return var
    return delay + float(gamma_quantile(R - delay, var, level, "numeric"))


@lru_cache(maxsize=SOLVED)
def _remembered_moments(key, items, users):
    return _moments(key, dict(items), users)


def _moments(key, point, users):
    """``(R, delay, Var(R))`` of one VM's ``users`` at ``point`` (module: latency variance).

    The network of :func:`_fixed_point` (demands at the loop's throughput, the shared stations'
    inflation), each station's service SCV the open model's :math:`\\mathrm{Var}(S)/S^2`
    (:func:`_station_spread`; at an inflated shared station divided by its inflation,
    :func:`_shared_scv`), the path delay a constant;
    :func:`~virtmodel.queueing.mva_response_variance.response_moments` with MVA's :math:`X(1..N)` of the same run. With a device-side window (``mva_window``) the
    variance is the network's without the window at the windowed mean: :math:`\\mathrm{Var} =
    c^2_{\\mathrm{no\\,window}}\\,(R - d)^2`."""
    result, stations, delay, inflation, _ = _solve_loaded(key, point, users)
    vms, think = int(point["vms"]), float(point["think_time"])
    at = {**point, "arrival_rate": float(result.system_throughput)} if _load_dependent(key) else point
    scv, visits, groups = _station_spread(key, at)
    demands, servers, _, _ = network(stations, delay, vms, users)
    if delay != 0:
        scv, visits, groups = scv + [0.0], visits + [1.0], groups + ["delay"]
    inflation = np.asarray(inflation, dtype=float)
    demands = np.asarray(demands, dtype=float) * inflation
    scv = _shared_scv(np.asarray(scv, dtype=float), inflation)
    R = float(result.system_response_time)
    history = getattr(result, "throughput_by_population", None)
    windowed = isinstance(result, WindowResult)
    moments = response_moments(demands, users, think, servers, scv, visits=visits, groups=groups,
                               throughputs=None if windowed or history is None else history)
    if not windowed:
        return R, delay, moments.variance
    open_mean = float(np.sum(np.asarray(visits) * moments.mean)) - delay
    return R, delay, moments.variance * ((R - delay) / open_mean) ** 2 if open_mean > 0 else 0.0


def _station_spread(key, at) -> tuple:
    """``(scv, visits, groups)`` of one VM's stations at the point ``at``, in the order of
    :func:`_numeric_stations` (a resource split over ``q`` stations gives ``q`` entries, each visited with
    probability :math:`1/q`, one group): each visit's service SCV, the open model's
    :math:`\\mathrm{Var}(S)/S^2` of the whole resource (0 where it has no work); a processor-sharing
    resource (the memory) 1, whatever its service: its queue is an exponential server's (insensitivity)."""
    from ._derive import derive

    variances, out = _service_variances(key)(at), _path(key).bundle(at)
    sharing = {st.name for st in derive(key).stations if st.discipline == "ps"}  # (derive: cached by key)
    scv, visits, groups = [], [], []
    for (name, _, i_d, _, i_q), var in zip(_path(key).stations, variances):
        S, q = float(out[i_d]), int(round(float(out[i_q])))
        scv += [1.0 if name in sharing and S > 0 else float(var) / S**2 if S > 0 else 0.0] * q
        visits += [1.0 / q] * q
        groups += [name] * q
    return scv, visits, groups


def _shared_scv(scv, inflation):
    """The per-visit service SCV of each station as the spread sees it under the shadow servers:
    :math:`c^2/f_k` at a shared station inflated by :math:`f_k` (1 elsewhere: unchanged).

    The shadow server makes the other VMs' work at a shared station part of the tagged VM's: its
    demand :math:`f_k D_k`, with :math:`f_k = 1/(1 - (V-1) X D_k / c_k)`. Its mean is right, but
    kept at the station's SCV the inflated visit's variance would be :math:`c^2 (f_k m)^2`, a few
    large pieces, where the time it stands for is made of :math:`f_k` times as many visits of the
    station's own service time (the tagged VM's and the others' requests), whose independent spreads
    add: :math:`f_k\\,c^2 m^2 = (c^2/f_k)(f_k m)^2`. With :math:`V = 1` or nothing shared,
    :math:`f_k = 1`: no change. Against the simulation of every VM (module docstring) this took a
    shared bottleneck's variance from +12%..+340% to -3%..+36% and its p99 from +5%..+21% to -1%..+4%.
    """
    return scv / inflation


# -- numbers ------------------------------------------------------------------------
def _throughputs(structure, point, ns):
    """``({n: (X, R)}, {n: stations})`` at one point for the users counts ``ns`` (the stations'
    demands at each population's own throughput, :func:`_solve_loaded`).

    ``X`` is the system throughput (all VMs), ``R`` the response time. With
    one run (:math:`V = 1` or nothing shared) MVA's :math:`X(n)` for every
    :math:`n \\le N` gives them all; otherwise one fixed point per ``n``.
    """
    vms, think = int(point["vms"]), float(point["think_time"])
    out, stations = {}, {}
    for n in sorted(set(ns), reverse=True):
        if n in out:
            continue
        result, stations[n], _, _, exact_for_fewer = _solve_loaded(structure, point, n)
        out[n] = (vms * float(result.system_throughput), float(result.system_response_time))
        if exact_for_fewer:  # no fixed point: the run is exact for every smaller n
            X = np.asarray(result.throughput_by_population, dtype=float)
            out.update({m: (vms * X[m - 1], m / X[m - 1] - think) for m in ns if m < n})
            stations.update({m: stations[n] for m in ns if m < n})
    return out, stations


def evaluate(model, metric: str, values: dict, scalar: bool):
    """A closed-model metric at the resolved ``values`` (arrays broadcast; a loop over MVA runs).

    Points that differ only in ``users`` are solved together (:func:`_throughputs`).
    """
    level = percentile_level(metric)
    if metric not in CLOSED_METRICS and level is None:
        raise ParameterError("metric", metric, "one of " + ", ".join(closed_metric_names()) + " " + PERCENTILE_HINT)
    shape = np.broadcast_shapes(*(np.shape(v) for v in values.values()))
    flat = {k: np.broadcast_to(np.asarray(v), shape).ravel() for k, v in values.items()}
    others = [k for k in flat if k != "users"]
    groups: dict = {}
    for i in range(int(np.prod(shape))):
        groups.setdefault(tuple(flat[k][i] for k in others), []).append(i)
    out = np.empty(int(np.prod(shape)))
    structures = [] if metric == "latency_variance" or level is not None else \
        [model.key] + ([_native_key(model)] if metric in _NATIVE else [])
    for key, idx in groups.items():
        point = dict(zip(others, key))
        ns = [int(flat["users"][i]) for i in idx]
        runs = [_throughputs(st, point, ns) for st in structures]
        for i, n in zip(idx, ns):
            if metric == "latency_variance" or level is not None:
                out[i] = _spread(model.key, point, n, level)
                continue
            XR = [v for by_n, _ in runs for v in by_n[n]] + [None, None] * (2 - len(runs))
            if metric in _CPU and _load_dependent(model.key):   # with the off-queue wake-up work
                at = {**point, "users": 0, "arrival_rate": XR[0] / point["vms"]}
                out[i] = float(model._evaluate_open((metric,), at, True, errors=False)[metric])
                continue
            demand = _by_kind(model.key, {name: d for name, d, _, _ in runs[0][1][n]}, 0.0)
            out[i] = _metric(metric, point, *XR, demand)
    return float(out[0]) if scalar else out.reshape(shape)


@dataclass(frozen=True)
class ClosedResult:
    """Everything the closed model gives at one point (:meth:`Model.closed`).

    Attributes
    ----------
    metrics : dict
        ``{metric: value}`` for every metric of :data:`CLOSED_METRICS`.
    stations : pandas.DataFrame
        One row per station (``guest`` is one VM's; ``delay`` the path delay):
        demand (s per request), servers, utilization (per server), queue_length
        (mean requests there: one VM's at the guest, all VMs' at shared
        stations), residence_time (s per request).
    curve : pandas.DataFrame
        Index ``users`` = 1..N per VM; columns throughput (per VM) and
        mean_latency: the throughput-vs-users curve of the same MVA run.
    method : str
    throughput_limit : float
        The open model's throughput limit per VM (1/s): the asymptote of the curve.
    """

    metrics: dict
    stations: Any
    curve: Any
    method: str
    throughput_limit: float = float("nan")   # the open model's X_max per VM, the curve's asymptote

    def plot(self, ax=None, **kwargs):
        """Throughput and mean latency against the users (:func:`virtmodel.plotting.closed.closed_curve_plot`)."""
        from ..plotting.closed import closed_curve_plot

        return closed_curve_plot(self, ax, **kwargs)

    def __getattr__(self, name):
        if name in CLOSED_METRICS:
            return self.metrics[name]
        raise AttributeError(name)


def _curve_users(users, vms):
    """Users counts of the curve: all of 1..N for one run, else at most ``CURVE_POINTS``."""
    if vms == 1 or users <= CURVE_POINTS:
        return np.arange(1, users + 1)
    return np.unique(np.round(np.geomspace(1, users, CURVE_POINTS)).astype(int))


def closed(model, values: dict) -> ClosedResult:
    """The :class:`ClosedResult` of ``model`` at scalar ``values`` with ``users`` > 0."""
    import pandas as pd

    structure = model.key
    vms, users, think = int(values["vms"]), int(values["users"]), float(values["think_time"])
    result, stations, delay, inflation, _ = _solve_loaded(structure, values, users)
    X = float(result.system_throughput)  # per VM
    rows = {}
    for k, (name, demand, c, common) in enumerate(stations + ([("delay", delay, np.inf, False)]
                                                             if delay != 0 else [])):
        share = vms if common else 1  # shared stations: all VMs
        rows[name] = dict(demand=demand, servers=c, utilization=share * X * demand / c,
                          queue_length=share * float(result.number_in_system[k]),
                          residence_time=float(result.residence_time[k]), inflation=float(inflation[k]))
    wait = float(getattr(result, "window_wait", 0.0))
    if wait > 0:  # requests held in the guest's block layer by the device side's window (virtqueue_capacity)
        rows["window_wait"] = dict(demand=0.0, servers=np.inf, utilization=0.0, queue_length=X * wait,
                                   residence_time=wait, inflation=1.0)
    metrics = {m: evaluate(model, m, values, True) for m in CLOSED_METRICS}
    n = _curve_users(users, vms)
    by_n, _ = _throughputs(structure, values, n.tolist())
    curve = pd.DataFrame({"throughput": [by_n[m][0] / vms for m in n], "mean_latency": [by_n[m][1] for m in n]},
                         index=pd.Index(n, name="users"))
    method = "exact MVA" + (" (exact)" if vms == 1 else
                            f" of one VM, the other {vms - 1} as shadow-server load on shared stations")
    limit = float(model._evaluate_open(("throughput_limit",), values, True, errors=False)["throughput_limit"])
    return ClosedResult(metrics, table_from_rows(rows), curve, method, limit)


# -- symbolic -------------------------------------------------------------------------
def expression(model, metric: str, keep):
    """A closed-model metric as a rational function (SymPy MVA), for small populations.

    The counts (``users``, ``vms``, ``vcpus``, ``cores``, ``card_cores``, ``queues``) are
    always this model's numbers; the parameters in ``keep`` (at most
    ``MAX_SYMBOLIC_KEEP``) stay symbols, the others take this model's values.
    Demands that depend on the load (the wake-up terms: a fixed point in the throughput,
    :func:`_solve_loaded`) are refused. ``keep=None`` (every parameter a symbol) is refused: MVA cancels a rational
    function in all of them at every step, which takes minutes even for 2 users.
    """
    import sympy as sp

    from ._derive import derive
    from ._formula import Formula

    if metric not in CLOSED_METRICS or metric in _SPREAD or percentile_level(metric) is not None:
        raise SymbolicUnsupportedError(f"{metric} has no closed-model expression (the variance sums MVA's "
                                       "marginal probabilities, the percentiles a gamma fit); closed metrics "
                                       "with one: " + ", ".join(m for m in CLOSED_METRICS if m not in _SPREAD))
    values = model.values()
    if keep is None:
        raise SymbolicUnsupportedError(
            "a closed-model expression keeps only a few parameters symbolic: pass keep=[...] "
            f"(at most {MAX_SYMBOLIC_KEEP} names, e.g. keep=['think_time'])")
    keep = [keep] if isinstance(keep, str) else list(keep)
    if len(keep) > MAX_SYMBOLIC_KEEP:
        raise SymbolicUnsupportedError(f"at most {MAX_SYMBOLIC_KEEP} symbolic parameters in a closed-model "
                                       f"expression (got {len(keep)})")
    for name in keep:
        if name not in values:
            raise ParameterError("keep", name, "parameter names of this model")
        if name in _COUNTS:
            raise SymbolicUnsupportedError(f"{name} must be a number in a closed-model expression "
                                           "(MVA recurses over the population and the servers)")
    vms, users = int(values["vms"]), int(values["users"])
    if vms != 1:
        raise SymbolicUnsupportedError(
            f"closed-model expressions need vms = 1 (got {vms}): several VMs are solved by a numerical "
            "fixed point (shadow servers); use evaluate(), or Platform(vms=1)")
    if users > MAX_SYMBOLIC_USERS:
        raise SymbolicUnsupportedError(
            f"closed-model expressions are rational functions that grow with the population: at most "
            f"{MAX_SYMBOLIC_USERS} users (got {users}); use evaluate()")
    if _load_dependent(model.key):
        raise SymbolicUnsupportedError(
            "closed-model expressions need demands free of the load: this technique's wake-up terms "
            "depend on the loop's own throughput, a numerical fixed point (use evaluate(), or wakeups='off')")
    subs = {symbol(k): (sp.Integer(v) if k in _COUNTS or isinstance(v, int) else sp.Rational(str(v)))
            for k, v in values.items() if k in _COUNTS or k not in keep}

    window = device_window(model.key, values)
    if window is not None and window < users:
        raise SymbolicUnsupportedError(f"the device side holds at most {window} requests (a virtqueue without "
                                       "indirect descriptors) and the closed-model expression has no window; "
                                       "use evaluate()")

    def run(structure):
        d = derive(structure)
        stations = [row for st in d.stations
                    for row in _split(st.name, sp.sympify(st.demand).xreplace(subs),
                                      int(sp.sympify(st.servers).xreplace(subs)), st.shared,
                                      int(sp.sympify(st.splits).xreplace(subs)))]
        think = symbol("think_time").xreplace(subs)
        result, *_ = solve(stations, sp.sympify(d.delay).xreplace(subs), vms, users, think)
        demand = _by_kind(structure, {name: dm for name, dm, _, _ in stations}, sp.Integer(0))
        return result.system_throughput, result.system_response_time, demand

    X, R, demand = run(model.key)
    Xn, Rn = run(_native_key(model))[:2] if metric in _NATIVE else (None, None)
    v = {k: subs.get(symbol(k), symbol(k)) for k in ("vms", "card_cores", "cores")}
    expr = sp.cancel(_metric(metric, v, X, R, Xn, Rn, demand))
    lhs, unit = CLOSED_METRICS[metric]
    return Formula(metric, lhs, expr, model._descriptions(), unit)


__all__ = ["CLOSED_METRICS", "ClosedResult", "closed", "closed_metric_names", "evaluate", "expression",
           "is_closed", "network", "solve"]
