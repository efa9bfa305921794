"""A shared host's per-group mean latency as SymPy expressions (VM groups with a core per vCPU).

:meth:`virtmodel.host.Host.expression` calls :func:`mean_latency_expressions`. Each
group's own derivation (:func:`virtmodel.model._derive.derive`) gives its stations as
expressions of the parameter symbols; a group's own parameters get the group's index
as a suffix (``arrival_rate_0``, ``exit_cycles_1``, its VM count ``vms_1``), the
platform's stay shared (``cores``, ``clock_hz``, the device's). A resource every VM
reaches becomes the queueing core's :func:`~virtmodel.queueing.mgc_multiclass` over
the groups' classes, built symbolically; a VM's own vCPUs keep the group's station.
The group's mean latency is the sum of its stations' response times plus its delay,
the same composition :mod:`virtmodel.shared_host` evaluates with numbers.

Time-sliced vCPUs (``scheduler=TimeSlices(...)``) have no closed form here: their
runnable shares are a fixed point (:mod:`virtmodel.shared_host`), so the call raises
:class:`~virtmodel.errors.SymbolicUnsupportedError`.
"""

from __future__ import annotations

import sympy as sp

from .errors import SymbolicUnsupportedError
from .platform import Platform
from .queueing import mgc_multiclass

_SHARED_NAMES = {f.name for f in Platform.__dataclass_fields__.values()} - {"vms"}


def _renamer(expressions, g):
    """``{symbol: symbol_g}`` for the group's own parameters (the platform's are shared)."""
    free = set().union(*(sp.sympify(e).free_symbols for e in expressions))
    return {x: sp.Symbol(f"{x.name}_{g}", **x.assumptions0) for x in free if x.name not in _SHARED_NAMES}


def mean_latency_expressions(host) -> tuple:
    """Per merged group, its mean latency as a SymPy expression (module docstring)."""
    from .model import Model
    from .model._derive import derive

    if host.scheduler is not None:
        raise SymbolicUnsupportedError(
            "time-sliced vCPUs have no closed form (their runnable shares are a fixed point); "
            "use Host.results() for numbers")
    from .techniques.switch_daemon import on_one_daemon

    groups = host.merged()
    derived = [derive(Model(tech, g.workload, host.platform.replace(vms=g.count)).key)
               for g, tech in zip(groups, on_one_daemon(groups))]
    renames = []
    for g, d in enumerate(derived):
        terms = [e for st in d.stations for e in (st.terms.arrival_rate, st.terms.mean_service_time,
                                                 st.terms.service_variance, st.response)] + [d.delay]
        renames.append(_renamer(terms, g))
    latency = [sp.sympify(d.delay).xreplace(r) for d, r in zip(derived, renames)]
    names = []
    for d in derived:
        names += [st.name for st in d.stations if st.name not in names]
    for name in names:
        members = [(g, st) for g, d in enumerate(derived) for st in d.stations if st.name == name]
        if not members[0][1].shared:
            for g, st in members:
                latency[g] += st.response.xreplace(renames[g])
            continue
        lam = [st.terms.arrival_rate.xreplace(renames[g]) for g, st in members]
        mean = [st.terms.mean_service_time.xreplace(renames[g]) for g, st in members]
        scv = [st.terms.service_variance.xreplace(renames[g]) / m**2 for (g, st), m in zip(members, mean)]
        station = mgc_multiclass(lam, mean, scv, members[0][1].servers)
        for (g, _), klass in zip(members, station):
            latency[g] += klass.response_time
    return tuple(latency)


def values(host) -> dict:
    """``{symbol name: value}`` that puts the host's own numbers into :func:`mean_latency_expressions`."""
    from .model import Model

    from .techniques.switch_daemon import on_one_daemon

    out = {}
    groups = host.merged()
    for g, (group, tech) in enumerate(zip(groups, on_one_daemon(groups))):
        model = Model(tech, group.workload, host.platform.replace(vms=group.count))
        for name, value in model.values().items():
            out[name if name in _SHARED_NAMES else f"{name}_{g}"] = value
    return out


__all__ = ["mean_latency_expressions", "values"]
