"""Input checks shared by the closed-network (MVA) solvers.

Every check raises :class:`~virtmodel.errors.ParameterError` naming the
parameter, the value and the valid range. Numeric inputs come back as float
arrays; symbolic ones (any SymPy object among the demands or think times) as
object arrays of SymPy numbers/expressions, so that one recursion serves both.
"""

from __future__ import annotations

import math

import numpy as np

from .._backend import SYMBOLIC, kind_of
from .._validate import positive, whole
from ..errors import ParameterError


def _reject_strings(name, value):
    arr = np.asarray(value, dtype=object)
    if any(isinstance(x, (str, bytes)) for x in arr.flat):
        raise ParameterError(name, value, "numbers or SymPy expressions", "strings are never parsed")
    return arr


def _times(name, value, kind, shape=None, *, allow_zero=True):
    """A float (or SymPy object) array of non-negative times, checked element-wise."""
    obj = _reject_strings(name, value)
    if shape is not None:
        obj = _broadcast(name, obj, shape)
    if kind == SYMBOLIC:
        out = np.empty(obj.shape, dtype=object)
        for idx, x in np.ndenumerate(obj):
            out[idx] = positive(name, x, kind, allow_zero=allow_zero)
        return out
    return np.array(positive(name, obj, kind, allow_zero=allow_zero), dtype=float)


def _broadcast(name, arr, shape):
    try:
        return np.broadcast_to(arr, shape)
    except ValueError:
        raise ParameterError(name, f"an array of shape {arr.shape}",
                             f"a scalar or an array of shape {shape}") from None


def network_kind(demands, think_time):
    """``"symbolic"`` if any demand or think time is a SymPy object, else ``"array"``."""
    return SYMBOLIC if kind_of(_reject_strings("demands", demands),
                               _reject_strings("think_time", think_time)) == SYMBOLIC else "array"


def demands_array(demands, kind, ndim):
    """Service demands (s per request): ``ndim``-dimensional, >= 0, finite, each column > 0 in total."""
    obj = _reject_strings("demands", demands)
    if ndim == 1 and obj.ndim == 0:
        obj = obj.reshape(1)
    if obj.ndim != ndim or obj.size == 0:
        shape = "a non-empty 1-D array (one demand per station)" if ndim == 1 else \
            "a non-empty 2-D array (stations x classes)"
        raise ParameterError("demands", f"an array of shape {obj.shape}", shape)
    d = _times("demands", obj, kind)
    totals = d.sum(axis=0)
    for c, total in enumerate(np.atleast_1d(totals)):
        if total == 0:
            where = "the total demand is 0" if ndim == 1 else f"the demands of class {c} sum to 0"
            raise ParameterError("demands", demands, "non-negative with a positive total", where)
    return d


def think_times_array(name, value, kind, classes):
    """Think times (s), one per class (a scalar is shared), >= 0."""
    return _times(name, value, kind, (classes,))


def visits_array(visits, shape, kind, demands=None):
    """Visit ratios (visits per request), >= 0; ``None`` means one visit per station.

    A visit ratio of 0 (a station a class never visits) needs a demand of 0.
    """
    if visits is None:
        return np.ones(shape, dtype=object if kind == SYMBOLIC else float)
    V = _times("visits", visits, kind, shape)
    if demands is not None:
        bad = np.argwhere((V == 0) & (np.broadcast_to(demands, shape) != 0))
        if bad.size:
            where = tuple(int(i) for i in bad[0])
            raise ParameterError("visits", visits, "> 0 wherever the demand is > 0",
                                 f"element {where} is 0 but its demand is not")
    return V


def populations_array(name, value, classes, minimum):
    """Whole-number populations, one per class (``minimum`` the smallest allowed)."""
    obj = _reject_strings(name, value)
    if obj.ndim == 0 and classes == 1:
        obj = obj.reshape(1)
    if obj.shape != (classes,):
        raise ParameterError(name, f"an array of shape {obj.shape}",
                             f"{classes} whole numbers (one per class)")
    counts = [whole(name, x, minimum=minimum, maximum=2**62) for x in obj]
    if not all(isinstance(x, (int, np.integer)) for x in counts):  # a SymPy count: MVA recurses over numbers
        raise ParameterError(name, value, "whole numbers (not symbols)")
    out = np.array(counts, dtype=np.int64)
    if out.sum() < 1:
        raise ParameterError(name, value, "whole numbers >= 0 with a positive total")
    return out


def servers_array(servers, stations, *, multi_server=True):
    """Servers per station: a whole number >= 1 or ``inf`` (delay); returns a float array."""
    obj = _reject_strings("servers", servers)
    obj = _broadcast("servers", obj, (stations,))
    out = np.empty(stations)
    for k, c in enumerate(obj):
        if type(c).__module__.startswith("sympy") and not c.is_number:
            raise ParameterError("servers", c, "a whole number >= 1 or inf", "symbolic server counts are not supported")
        out[k] = whole("servers", c, minimum=1, allow_inf=True)
        if not multi_server and 1 < out[k] < math.inf:
            raise ParameterError("servers", c, "1 (queueing) or inf (delay)",
                                 "use mva for multi-server stations")
    return out
