"""CPU work per technique, split into guest vCPUs, host cores and the offload card.

>>> from virtmodel.analysis.breakdown import cpu_breakdown
>>> float(cpu_breakdown(["paravirtual", "sriov"], "small_packet_rr").loc["sriov", "host"])
0.0

Drawn by :func:`virtmodel.plotting.cpu_breakdown_plot` (``cpu_breakdown_data`` there).
"""

from __future__ import annotations

import numpy as np

from .._tables import table_from_rows
from ..errors import ParameterError
from ..techniques import label_of
from ._common import as_list, check_parameters, limit_mask, make_models, own

COMPONENTS = ("guest", "host", "card", "wakeups")
PER = ("request", "load")


def cpu_breakdown(techniques, workload=None, platform=None, *, per="request", **overrides):
    """CPU work per technique split into guest, host and card parts.

    Parameters
    ----------
    techniques : sequence of str or Technique
    workload : str or Workload, optional
    platform : Platform, optional
    per : {"request", "load"}
        ``"request"``: core-seconds per request at each station (s);
        ``"load"``: cores busy across all VMs at the workload's arrival rate
        (or ``arrival_rate=`` in ``overrides``).
    **overrides
        Scalar model parameters.

    Returns
    -------
    pandas.DataFrame
        Index ``technique`` (names), columns ``guest``, ``host``, ``card`` (NaN where the
        technique does not apply: SR-IOV past its VF limit) and ``wakeups``: per request, the
        CPU paid off the queues by requests that find a vCPU or back-end idle (the :math:`b\\,p`
        terms of :mod:`virtmodel.techniques.notifications`, guest and host), so that the row sums to
        ``cpu_per_request``; per load 0 (the busy cores of ``guest_cores``/``host_cores`` include them);
        ``attrs``: ``per``, ``unit`` (``"s"`` or ``"cores"``), ``labels``
        (technique -> label) and ``arrival_rate``.
    """
    if per not in PER:
        raise ParameterError("per", per, "one of " + ", ".join(PER))
    rows, rates = {}, set()
    models = make_models(as_list(techniques, "technique"), workload, platform)
    check_parameters(overrides, models)
    for name, model in models.items():
        if limit_mask(model, own(model, overrides)) is not None:
            rows[name] = dict.fromkeys(COMPONENTS, np.nan)   # not applicable (vms > max_vfs)
            continue
        if per == "request":
            demand = model.station_table(**overrides)["demand"]
            rows[name] = {c: float(demand.get(c, 0.0)) for c in COMPONENTS[:3]}
            cpu = [st.name for st in model._derived.stations if st.cores_of in COMPONENTS[:3]]
            total = float(model.evaluate("cpu_per_request", **overrides))
            off_queue = total - float(demand[cpu].sum())
            rows[name]["wakeups"] = off_queue if abs(off_queue) > 1e-12 * total else 0.0   # rounding: none
        else:
            card = model.evaluate("card_load", **overrides) * model.values()["card_cores"]
            rows[name] = {"guest": model.evaluate("guest_cores", **overrides),
                              "host": model.evaluate("host_cores", **overrides), "card": card, "wakeups": 0.0}
            if np.ndim(rows[name]["guest"]):
                raise ParameterError("overrides", sorted(overrides), "scalars (one bar per technique)")
        rates.add(overrides.get("arrival_rate", model.values()["arrival_rate"]))
    table = table_from_rows(rows, "technique", columns=list(COMPONENTS), dtype=float)
    table.attrs.update(per=per, unit="s" if per == "request" else "cores",
                       labels={t: label_of(t) for t in table.index},
                       arrival_rate=float(rates.pop()) if len(rates) == 1 else None)
    return table


__all__ = ["COMPONENTS", "PER", "cpu_breakdown"]
