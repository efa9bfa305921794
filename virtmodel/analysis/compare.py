"""Compare techniques on one workload and platform: every metric, as a table.

One row per technique, one column per metric, and a ``note`` column that says,
in words, which entries are saturated (``inf``) or where a technique does not
apply (NaN, SR-IOV past its VF limit). A plain pandas DataFrame.

Units: by default the columns are the metric names and the numbers SI base
units (seconds, requests per second), for programs (``table["mean_latency"]``),
with the units in ``attrs["units"]``. For a reader, ``units="header"`` gives the
same numbers in engineering units with the unit in each header
(``mean latency [µs]``, :func:`virtmodel.units.readable`); ``units=True`` a
``(metric, unit)`` column MultiIndex; :func:`virtmodel.latex.latex_table` writes
any of them as LaTeX with units in the headers.

What the ratios mean: ``overhead`` is the mean latency over bare metal's *at the
same load* (queueing included; it grows with the load); ``low_load_slowdown``
is that ratio for a lone request (no queueing); ``capacity_ratio`` is the
throughput limit over bare metal's; the CPU slowdown is ``cpu_per_request`` over
native's.
"""

from __future__ import annotations

import numpy as np

from .._tables import table_from_rows
from ..errors import ParameterError, UnstableError
from ..metrics import unit as metric_unit
from ..units import readable
from ._common import as_list, check_metric, check_parameters, limit_mask, make_models, own, valid_metrics


def compare(techniques, workload, platform=None, metrics=None, *, units=False, **overrides):
    """Every (or the chosen) metric of several techniques at one operating point.

    Parameters
    ----------
    techniques : str or list of (str or Technique)
        Technique names of :func:`virtmodel.techniques.get` (or objects).
    workload : str or Workload
    platform : Platform, optional
    metrics : str or list of str, optional
        Default: every metric of :func:`virtmodel.model.metric_names`.
    units : bool or "header"
        False: metric-name columns in SI units (units in ``attrs``); True: a
        ``(metric, unit)`` column MultiIndex; ``"header"``: engineering units,
        ``"<label> [<unit>]"`` headers (numbers stay numbers, scaled).
    **overrides
        Scalar parameter values, applied to each technique that has the parameter.

    Returns
    -------
    pandas.DataFrame
        Index ``technique``; ``attrs``: ``units`` (metric -> unit),
        ``saturated`` (technique -> saturated metrics), ``workload``.
        Saturated latency metrics are ``inf`` (a station has utilization >= 1),
        explained in the ``note`` column.

    Examples
    --------
    >>> table = compare(["hardware_assist", "sriov"], "small_packet_rr", metrics=["mean_latency"])
    >>> list(table.columns)
    ['mean_latency', 'note']
    >>> list(compare(["sriov"], "small_packet_rr", metrics=["mean_latency"], units="header").columns)
    ['mean latency [µs]', 'note']

    References
    ----------
    K. Adams and O. Agesen, "A comparison of software and hardware techniques for
    x86 virtualization", ASPLOS 2006 (the kind of table this reproduces).
    """
    import pandas as pd

    models = make_models(techniques, workload, platform)
    first = next(iter(models.values()))
    metrics = list(valid_metrics(first)) if metrics is None else \
        [check_metric(m, models, numeric=False) for m in as_list(metrics, "metric")]
    check_parameters(overrides, models)
    for name, value in overrides.items():
        if np.ndim(value):
            raise ParameterError(name, value, "a scalar", "use sweep() for arrays")
    rows, notes, saturated = {}, {}, {}
    for label, model in models.items():
        values = own(model, overrides)
        if limit_mask(model, values) is not None:
            rows[label] = {m: np.nan for m in metrics}
            notes[label] = "not applicable: more VMs than virtual functions (vms > max_vfs)"
            continue
        everything = model.evaluate_all(**values) if len(metrics) > 3 else \
            {m: _one(model, m, values) for m in metrics}
        rows[label] = {m: everything[m] for m in metrics}
        saturated[label] = [m for m in metrics if isinstance(everything[m], float) and np.isinf(everything[m])]
        notes[label] = (f"saturated ({model.bottleneck(**values)} utilization >= 1): "
                        + ", ".join(saturated[label]) + " = inf") if saturated[label] else ""
    table = table_from_rows(rows, "technique", columns=metrics)
    table["note"] = pd.Series(notes)
    unit_of = {m: metric_unit(m) for m in metrics}
    if units not in (False, True, "header"):
        raise ParameterError("units", units, 'False, True or "header"')
    if units == "header":
        table.attrs.update(units=unit_of, saturated={k: v for k, v in saturated.items() if v},
                           workload=repr(first.workload))
        return readable(table)
    if units:
        table.columns = pd.MultiIndex.from_tuples([(m, unit_of.get(m, "")) for m in table.columns],
                                                  names=["metric", "unit"])
    table.attrs.update(units=unit_of, saturated={k: v for k, v in saturated.items() if v},
                       workload=repr(first.workload))
    return table


def _one(model, metric, values):
    try:
        return model.evaluate(metric, **values)
    except UnstableError:
        return float("inf")


__all__ = ["compare"]
