"""Open multi-class BCMP networks: per-class utilizations, then each station's queue."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC
from .._validate import choice
from ..errors import ParameterError, UnstableError
from ._closed_network_input import servers_array
from ._multiclass_input import call_kind, network_inputs
from ._multiclass_result import MulticlassNetworkResult, _labels, build_multiclass
from ._stability import quiet_numerics
from .mmc import mmc_formulas

DISCIPLINES = ("FCFS", "PS", "LCFS-PR", "IS")


def _same(a, b, kind):
    if kind == SYMBOLIC:
        import sympy as sp

        return np.vectorize(lambda x, y: sp.cancel(x - y) == 0, otypes=[bool])(a, b)
    return np.isclose(a, b, rtol=1e-12, atol=0)


def class_independent_time(S, V, k, label, why):
    """The one service time per visit of station ``k`` (all classes that visit it), or a ParameterError."""
    visiting = [c for c in range(S.shape[-1]) if np.all(V[..., k, c] != 0)]
    if not visiting:
        return S[..., k, 0]
    first = S[..., k, visiting[0]]
    for c in visiting[1:]:
        if not np.all(_same(S[..., k, c], first, "symbolic" if S.dtype == object else "array")):
            raise ParameterError("service_times", f"{S[..., k, c]} (class {c}) and {first} at station "
                                 f"{label}", "equal for every class at this station", why)
    return first


def _disciplines(disciplines, servers, K, labels):
    """Per-station disciplines (``None``: IS for delay stations, else PS); IS turns a station into a delay."""
    if disciplines is None:
        return ["IS" if np.isinf(c) else "PS" for c in servers], servers
    values = [disciplines] * K if isinstance(disciplines, str) else list(disciplines)
    if len(values) != K:
        raise ParameterError("disciplines", disciplines,
                             f"one of {DISCIPLINES} or {K} of them (one per station)")
    values = [choice("disciplines", d, DISCIPLINES) for d in values]
    for k, d in enumerate(values):
        if (d == "IS") != bool(np.isinf(servers[k])):
            raise ParameterError("servers", servers[k], "inf exactly where the discipline is 'IS'",
                                 f"station {labels[k]} is {d}")
    return values, servers


def open_multiclass_metrics(lam, V, D, S, servers, disciplines, kind, labels, sweep, class_labels=None):
    """Per-class throughputs, utilizations, residence times and queue lengths (arrays (..., K, C))."""
    K = V.shape[-2]
    finite = np.isfinite(servers)
    if kind == SYMBOLIC:
        import sympy as sp

        c = np.array([sp.Integer(int(v) if f else 1) for v, f in zip(servers, finite)], dtype=object)
    else:
        c = np.where(finite, servers, 1.0)
    X = lam[..., None, :] * V
    U = lam[..., None, :] * D / c[:, None]      # a delay station's (c = 1 there): its mean busy servers
    Uk = np.where(finite, U.sum(axis=-1), 0)
    with quiet_numerics(kind):
        if kind == SYMBOLIC:
            residence = np.where(finite[:, None], D / (1 - Uk[..., None]), D)
        else:
            residence = np.where(finite[:, None] & (D > 0), D / (1 - Uk[..., None]), D)
        S = D / np.where(V != 0, V, 1) if S is None else S
        for k in range(K):
            if finite[k] and (servers[k] > 1 or disciplines[k] == "FCFS"):
                Sk = class_independent_time(S, V, k, labels[k], "FCFS and multi-server BCMP stations need "
                                            "class-independent exponential service")
                if servers[k] > 1:
                    ck = int(servers[k])
                    Rk = mmc_formulas(X[..., k, :].sum(axis=-1), 1 / Sk, ck, kind)[0]["response_time"]
                    residence[..., k, :] = V[..., k, :] * np.asarray(Rk)[..., None]
        unstable = finite & (np.asarray(Uk >= 1) if kind != SYMBOLIC else False)
        if kind != SYMBOLIC and np.any(unstable):
            if not sweep:
                k = int(np.argmax(unstable))
                names = class_labels if class_labels is not None else range(U.shape[-1])
                share = ", ".join(f"class {c}: {u:.6g}" for c, u in zip(names, U[k]))
                raise UnstableError(float(Uk[k]), f"station {labels[k]}", f"per-class utilizations {share}")
            residence = np.where(unstable[..., None] & (D > 0), np.inf, residence)
        Q = lam[..., None, :] * residence
        if kind != SYMBOLIC:
            Q = np.where(np.isinf(residence) & (lam[..., None, :] == 0), 0.0, Q)
    return X, U, residence, Q


def open_multiclass(arrival_rates, demands=None, servers=1, *, visits=None, service_times=None, routing=None,
                    disciplines=None, stations=None, classes=None) -> MulticlassNetworkResult:
    """Open multi-class BCMP network: per-class and per-station metrics, labelled.

    With class-c arrival rate :math:`\\lambda_c`, demand
    :math:`D_{kc} = V_{kc} S_{kc}` and :math:`U_{kc} = \\lambda_c D_{kc}/c_k`,
    :math:`U_k = \\sum_c U_{kc}`, the residence time of a class-c job at
    station k is

    .. math::
        R'_{kc} = \\begin{cases}
          \\dfrac{D_{kc}}{1 - U_k} & \\text{single server (FCFS, PS, LCFS-PR)}\\\\
          V_{kc}\\,R^{M/M/c}\\!\\left(\\textstyle\\sum_c \\lambda_c V_{kc},\\ 1/S_k,\\ c_k\\right)
            & c_k \\text{ servers, FCFS}\\\\
          D_{kc} & \\text{delay (IS)}
        \\end{cases},\\qquad
        Q_{kc} = \\lambda_c R'_{kc},\\qquad R_c = \\sum_k R'_{kc}

    Assumptions (BCMP): Poisson arrivals per class; FCFS stations with
    exponential service times equal for all classes (checked when the
    service times are known), PS or LCFS-PR single servers and delay
    stations with any service distribution; Markov routing without class
    switching. Every queueing station must be stable, :math:`U_k < 1`: a
    scalar call raises :class:`~virtmodel.errors.UnstableError` naming the
    station with its per-class utilizations; in a sweep (``arrival_rates``
    with leading axes) the saturated points are ``inf``.

    The network is given in one of three ways: ``demands`` (with optional
    ``visits``, for per-visit times); ``service_times`` with ``visits``; or
    ``service_times`` with per-class ``routing`` (then ``arrival_rates`` are
    per station and class and the visit ratios solve the traffic equations
    :math:`\\lambda_{kc} = \\gamma_{kc} + \\sum_j \\lambda_{jc} P^{(c)}_{jk}`).

    Parameters
    ----------
    arrival_rates : array_like (C,), or (K, C) with routing
        :math:`\\lambda_c` (1/s) per class, >= 0 (with ``routing``:
        external arrivals :math:`\\gamma_{kc}` at station k). Leading axes
        make a sweep.
    demands : array_like (K, C), optional
        :math:`D_{kc}` (s per class-c job), >= 0.
    servers : 1, int or ``numpy.inf``, or array_like (K,) of them
        Servers per station; ``inf`` is a delay station.
    visits : array_like (K, C), optional
        :math:`V_{kc}` visits per class-c job (> 0 where the demand is > 0).
    service_times : array_like (K, C) or (K, 1), optional
        :math:`S_{kc}` (s per visit).
    routing : array_like (C, K, K) or (K, K), optional
        :math:`P^{(c)}_{jk}` per class (one matrix is shared), rows summing to <= 1.
    disciplines : str or sequence of str, optional
        ``"FCFS"``, ``"PS"``, ``"LCFS-PR"`` or ``"IS"`` per station (default:
        IS at delay stations, else PS); FCFS requires class-independent
        service times.
    stations, classes : sequence, optional
        Labels (default 0..K-1 and 0..C-1).

    Returns
    -------
    MulticlassNetworkResult
        xarray DataArrays with dims ``("station", "class")``: ``utilization``,
        ``throughput``, ``response_time`` (per visit), ``residence_time`` (per
        job), ``number_in_system``, ``visits``; ``station_utilization`` (total
        per station); per class ``system_throughput``, ``system_response_time``,
        ``system_number_in_system``; ``.table()`` as a pandas DataFrame.

    Examples
    --------
    >>> r = open_multiclass([1.0, 2.0], [[0.2, 0.1], [0.3, 0.0]], stations=["cpu", "disk"],
    ...                     classes=["web", "batch"])
    >>> round(float(r.station_utilization.sel(station="cpu")), 6)
    0.4
    >>> r.system_response_time.round(6).values.tolist()  # 0.2/0.6 + 0.3/0.7, 0.1/0.6
    [0.761905, 0.166667]

    References
    ----------
    F. Baskett, K. M. Chandy, R. R. Muntz and F. G. Palacios, "Open, closed,
    and mixed networks of queues with different classes of customers",
    J. ACM 22(2), 1975. E. D. Lazowska et al., *Quantitative System
    Performance*, Prentice-Hall 1984, section 7.4.1.
    """
    kind = call_kind(arrival_rates=arrival_rates, demands=demands, visits=visits, service_times=service_times,
                     routing=routing)
    lam, V, D, S = network_inputs(arrival_rates, demands, service_times, visits, routing, kind)
    K, C = V.shape[-2:]
    sweep = lam.ndim > 1
    station_labels = _labels("stations", stations, K, "station")
    cs = servers_array(servers, K)
    rules, cs = _disciplines(disciplines, cs, K, station_labels)
    class_labels = _labels("classes", classes, C, "class")
    X, U, residence, Q = open_multiclass_metrics(lam, V, D, S, cs, rules, kind, station_labels, sweep,
                                                 class_labels)
    return build_multiclass(model="open multi-class BCMP network", kind=kind, visits=V, throughput=X,
                            utilization=U, number_in_system=Q, residence_time=residence,
                            system_throughput=lam, stations=station_labels, classes=class_labels,
                            details={"servers": cs, "disciplines": rules})
