"""Mixed BCMP networks: open classes inflate the closed demands, multi-class MVA does the rest."""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC
from .._validate import whole
from ..errors import ParameterError, UnstableError
from ._closed_network_input import servers_array, think_times_array
from ._multiclass_input import call_kind, class_rates, stations_by_classes, visits_for
from ._multiclass_result import MulticlassNetworkResult, _labels, build_multiclass
from ._stability import quiet_numerics
from .mva_multiclass import mva_multiclass
from .open_network import _objects


def _populations(populations, C):
    arr = _objects("populations", populations)
    if arr.shape != (C,):
        raise ParameterError("populations", f"an array of shape {arr.shape}",
                             f"{C} whole numbers (one per class; 0 for an open class)")
    return np.array([whole("populations", n, minimum=0) for n in arr], dtype=np.int64)


def _open_and_closed(lam, N, kind):
    """Class c is closed when N_c > 0 (its arrival rate must be 0), open otherwise."""
    closed = N > 0
    for c in np.flatnonzero(closed):
        if np.any(lam[..., c] != 0):
            raise ParameterError("arrival_rates", lam[..., c].tolist(), f"0 for class {c}, a closed class "
                                 f"(populations[{c}] = {N[c]})", "a class is either open or closed")
    return closed


def _closed_part(D_closed, N, Z, servers, queueing, U_open, kind):
    """Throughputs (C_cl,) and residence times (K, C_cl) of the closed classes, open load removed."""
    inflate = np.where(queueing, 1 - U_open, 1)
    r = mva_multiclass(D_closed / inflate[:, None], N, Z, servers)
    K, C = D_closed.shape
    if kind == SYMBOLIC:
        return (np.array(list(r.system_throughput), dtype=object).reshape(C),
                np.array(r.residence_time.tolist(), dtype=object).reshape(K, C))
    return np.reshape(r.system_throughput, C), np.reshape(r.residence_time, (K, C))


def _solve_point(lam, N, D, Z, servers, closed, kind, labels, sweep, class_labels):
    """One operating point: per-class utilization, residence time, queue length and throughput."""
    queueing = np.isfinite(servers)
    K, C = D.shape
    opened = ~closed
    U = np.where(opened[None, :], lam[None, :] * D, 0)   # a delay station's: its mean busy servers
    U_open = np.where(queueing[:, None], U, 0).sum(axis=1)
    residence = D.copy()
    X = np.where(opened, lam, 0)
    if kind != SYMBOLIC and np.any(queueing & (U_open >= 1)):
        k = int(np.argmax(queueing & (U_open >= 1)))
        if not sweep:
            share = ", ".join(f"class {c}: {u:.6g}" for c, u, o in zip(class_labels, U[k], opened) if o)
            raise UnstableError(float(U_open[k]), f"station {labels[k]}",
                                f"the open classes alone saturate it ({share})")
        inf = np.where(D > 0, np.inf, 0.0)
        return U, inf, inf, np.where(opened, lam, 0.0)
    Q_closed = np.zeros(K, dtype=D.dtype)
    if closed.any():
        Xc, Rc = _closed_part(D[:, closed], N[closed], Z[closed], servers, queueing, U_open, kind)
        X = np.array(X, dtype=D.dtype)
        X[closed] = Xc
        residence[:, closed] = Rc
        U[:, closed] = Xc[None, :] * D[:, closed]
        Q_closed = (Xc[None, :] * Rc).sum(axis=1)
    grow = np.where(queueing, (1 + Q_closed) / (1 - U_open), 1)
    residence[:, opened] = D[:, opened] * grow[:, None]
    return U, residence, X[None, :] * residence, X


def mixed_network(arrival_rates, populations, demands, servers=1, *, think_times=0, visits=None,
                  stations=None, classes=None) -> MulticlassNetworkResult:
    """Mixed BCMP network: open and closed classes sharing single-server and delay stations.

    Class c is closed when its population :math:`N_c > 0` (its arrival rate
    then 0) and open otherwise, with arrival rate :math:`\\lambda_c`. The
    open classes' utilization :math:`U^o_k = \\sum_{c\\ \\text{open}}
    \\lambda_c D_{kc}` is removed from every queueing station by inflating the
    closed demands; exact multi-class MVA (:func:`mva_multiclass`) solves
    the closed classes at their full populations :math:`\\vec N`; the open
    classes then see the closed queue :math:`Q^{cl}_k(\\vec N)`:

    .. math::
        D^{*}_{kc} = \\frac{D_{kc}}{1 - U^o_k}\\ (c\\ \\text{closed}),\\qquad
        R'_{kc} = \\begin{cases}
          \\dfrac{D_{kc}\\,\\bigl(1 + Q^{cl}_k(\\vec N)\\bigr)}{1 - U^o_k} & \\text{queueing}\\\\
          D_{kc} & \\text{delay}
        \\end{cases}\\ (c\\ \\text{open}),\\qquad Q_{kc} = X_c R'_{kc}

    Delay stations keep the closed demands as they are. Assumptions: BCMP
    (single-server FCFS stations with class-independent exponential service,
    PS or LCFS-PR single servers, delay stations), Poisson arrivals per open
    class, no class switching, :math:`U^o_k < 1` at every queueing station (a
    scalar call raises :class:`~virtmodel.errors.UnstableError`; at saturated
    points of a sweep the times and queue lengths are ``inf`` where a class
    has demand, and closed throughputs 0).

    Parameters
    ----------
    arrival_rates : array_like (C,)
        :math:`\\lambda_c` (1/s), > 0 for an open class and 0 for a closed
        one. Leading axes make a sweep.
    populations : array_like (C,) of int
        :math:`N_c`, > 0 for a closed class and 0 for an open one.
    demands : array_like (K, C)
        :math:`D_{kc}` (s per class-c job), >= 0.
    servers : 1, ``numpy.inf`` or array_like (K,) of them
        1 for a queueing station, ``inf`` for a delay station.
    think_times : float or array_like (C,), optional
        :math:`Z_c` (s) of the closed classes (ignored for open ones).
    visits : array_like (K, C), optional
        Visit ratios, for per-visit response times (default 1).
    stations, classes : sequence, optional
        Labels (default 0..K-1 and 0..C-1).

    Returns
    -------
    MulticlassNetworkResult
        Labelled stations x classes metrics, as for :func:`open_multiclass`;
        ``system_throughput`` is :math:`\\lambda_c` for open classes and the
        MVA throughput for closed ones; ``system_response_time`` excludes the
        think time.

    Examples
    --------
    Lazowska et al. (1984), section 7.4.3: two open and two closed classes.

    >>> r = mixed_network([1, 0.5, 0, 0], [0, 0, 1, 1],
    ...                   [[0.25, 0.5, 0.5, 1], [1 / 6, 1, 1, 4 / 3]])
    >>> r.number_in_system.sel({"class": 2}).values.round(4).tolist()  # 4/19, 15/19
    [0.2105, 0.7895]

    References
    ----------
    F. Baskett, K. M. Chandy, R. R. Muntz and F. G. Palacios, J. ACM 22(2),
    1975. E. D. Lazowska et al., *Quantitative System Performance*,
    Prentice-Hall 1984, section 7.4.3. G. Bolch et al., *Queueing Networks
    and Markov Chains*, 2nd ed., Wiley 2006, section 8.2.2.
    """
    kind = call_kind(arrival_rates=arrival_rates, demands=demands, think_times=think_times, visits=visits)
    lam = class_rates(arrival_rates, kind, 1)
    C = lam.shape[-1]
    D = stations_by_classes("demands", demands, kind, C)
    K = D.shape[0]
    N = _populations(populations, C)
    Z = think_times_array("think_times", think_times, kind, C)
    V = visits_for(visits, D, kind)
    cs = servers_array(servers, K, multi_server=False)
    closed = _open_and_closed(lam, N, kind)
    labels = _labels("stations", stations, K, "station")
    class_labels = _labels("classes", classes, C, "class")
    sweep = lam.shape[:-1]
    flat = lam.reshape(-1, C)
    with quiet_numerics(kind):
        parts = [_solve_point(row, N, D, Z, cs, closed, kind, labels, bool(sweep), class_labels)
                 for row in flat]
    U, residence, Q, X = (np.array([p[i] for p in parts], dtype=D.dtype)
                          .reshape(sweep + np.shape(parts[0][i])) for i in range(4))
    return build_multiclass(model="mixed BCMP network", kind=kind, visits=V, throughput=X[..., None, :] * V,
                            utilization=U, number_in_system=Q, residence_time=residence, system_throughput=X,
                            stations=labels, classes=class_labels,
                            details={"populations": N, "think_times": Z, "closed": closed, "servers": cs})
