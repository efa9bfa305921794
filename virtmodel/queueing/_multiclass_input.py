"""Input checks of the multi-class network solvers (open BCMP and mixed).

Every check raises :class:`~virtmodel.errors.ParameterError` naming the
parameter, the value and the valid range (shapes stated as stations x classes).
Numeric inputs come back as float arrays, symbolic ones (any SymPy object
among them) as object arrays of SymPy values, so one formula serves both.
"""

from __future__ import annotations

import numpy as np

from .._backend import SYMBOLIC, kind_of
from .._validate import nonnegative
from ..errors import ParameterError
from .open_network import _objects, _routing, visit_rates


def call_kind(**inputs):
    """``"symbolic"`` if any input holds a SymPy object, else ``"array"`` (strings rejected, never parsed)."""
    arrays = [_objects(name, value) for name, value in inputs.items() if value is not None]
    return SYMBOLIC if kind_of(*arrays) == SYMBOLIC else "array"


def times(name, value, kind, shape=None):
    """Non-negative finite values (rates, times, visits), broadcast to ``shape`` if given."""
    arr = _objects(name, value)
    if shape is not None:
        try:
            arr = np.broadcast_to(arr, shape)
        except ValueError:
            raise ParameterError(name, f"an array of shape {arr.shape}",
                                 f"a scalar or an array of shape {shape} (stations x classes)") from None
    if kind == SYMBOLIC:
        out = np.empty(arr.shape, dtype=object)
        for idx, v in np.ndenumerate(arr):
            out[idx] = nonnegative(f"{name}[{', '.join(map(str, idx))}]" if arr.ndim else name, v, kind)
        return out
    return np.asarray(nonnegative(name, arr, "array"), dtype=float)


def stations_by_classes(name, value, kind, C):
    """A (K, C) array of non-negative values, C fixed by the arrival rates."""
    arr = times(name, value, kind)
    if arr.ndim != 2 or arr.shape[1] != C:
        raise ParameterError(name, f"an array of shape {arr.shape}",
                             f"a stations x classes array of shape (K, {C}) ({C} classes in arrival_rates)")
    return arr


def class_rates(arrival_rates, kind, base_ndim):
    """Per-class arrival rates, last axes the base shape (``(C,)`` or ``(K, C)``), any leading sweep axes."""
    arr = _objects("arrival_rates", arrival_rates)
    if arr.ndim < base_ndim or arr.size == 0:
        want = "a vector with one rate per class" if base_ndim == 1 else \
            "a stations x classes array of external arrival rates (routing given)"
        raise ParameterError("arrival_rates", f"an array of shape {arr.shape}", want)
    return times("arrival_rates", arrival_rates, kind)


def _class_routing(routing, kind, K, C):
    """Per-class routing matrices, shape (C, K, K) (one (K, K) matrix is shared by every class)."""
    arr = _objects("routing", routing)
    if arr.ndim == 2:
        arr = np.broadcast_to(arr, (C,) + arr.shape)
    if arr.shape != (C, K, K):
        raise ParameterError("routing", f"an array of shape {arr.shape}",
                             f"a {K} x {K} matrix or {C} of them, shape ({C}, {K}, {K}) (classes, from, to)")
    return [_routing(arr[c], kind, K, name=f"routing[{c}]") for c in range(C)]


def network_inputs(arrival_rates, demands, service_times, visits, routing, kind):
    """Resolve the three ways of describing the network into rates, visits and demands.

    Returns ``lam`` (..., C) class arrival rates, ``V`` and ``D`` (..., K, C)
    visit ratios and demands, ``S`` (..., K, C) service times per visit (or
    ``None`` when only demands were given).
    """
    if routing is not None:
        if demands is not None or visits is not None or service_times is None:
            raise ParameterError("routing", "given",
                                 "used with service_times (and neither demands nor visits)")
        gamma = class_rates(arrival_rates, kind, 2)
        K, C = gamma.shape[-2:]
        S = times("service_times", service_times, kind, (K, C))
        P = _class_routing(routing, kind, K, C)
        flows = np.empty(gamma.shape, dtype=gamma.dtype)
        for c in range(C):
            g = gamma[..., c].reshape(-1, K)
            rates = [visit_rates(list(row), P[c], kind) for row in g]
            flows[..., c] = np.array(rates).reshape(gamma.shape[:-1])
        lam = gamma.sum(axis=-2)
        if kind == SYMBOLIC:
            V = flows / np.where(lam == 0, 1, lam)[..., None, :]
        else:
            V = flows / np.where(lam > 0, lam, 1.0)[..., None, :]
        return lam, V, V * S, np.broadcast_to(S, V.shape)
    lam = class_rates(arrival_rates, kind, 1)
    C = lam.shape[-1]
    if demands is not None:
        if service_times is not None:
            raise ParameterError("service_times", "given", "left out when demands are given (D = V S)")
        D = stations_by_classes("demands", demands, kind, C)
        return lam, visits_for(visits, D, kind), D, None
    if service_times is None or visits is None:
        raise ParameterError("demands", None, "given, or service_times with visits (or with routing)")
    V = stations_by_classes("visits", visits, kind, C)
    S = times("service_times", service_times, kind, V.shape)
    return lam, V, V * S, S


def visits_for(visits, D, kind):
    """Visit ratios of the shape of the demands (default 1), > 0 wherever the demand is > 0."""
    V = np.ones(D.shape, dtype=D.dtype) if visits is None else times("visits", visits, kind, D.shape)
    bad = np.argwhere(np.asarray((V == 0) & (D != 0), dtype=bool))
    if bad.size:
        k, c = bad[0]
        raise ParameterError("visits", 0, f"> 0 where the demand is > 0 (demands[{k}, {c}] = {D[k, c]})")
    return V
