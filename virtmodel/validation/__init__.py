"""Checks of the model against the published record, one paper per module.

==================  ======================================================
``adams2006``       binary translation vs first-generation VT-x: per-operation
                    cycles and the winner per workload mix (Pentium 4 672)
``xen2003``         Xen vs VMware Workstation: lmbench latencies and ttcp
                    throughput at MTU 1500 / 500 (Dell 2650, 2.4 GHz Xeon)
``sriov2010``       SR-IOV line rate, CPU per VM, the VF limit (10 GbE)
``timeline``        the generation from which hardware assist beats binary
                    translation (Agesen 2012 exit costs)
``applications``    out-of-sample: application results from sources the
                    presets were not calibrated on, ``recompute(flags,
                    techniques)`` (rows: ``app_records``; first model:
                    ``app_baseline``; roles of every figure: ``roles``)
``error_summary``   how wrong it may be: the out-of-sample errors by kind
                    of question, technique or source (hit rate with a
                    Wilson interval, bias, error quantiles)
``error_band``      a range for a prediction of one's own, from the log
                    ratios of the clean rows of the same kind; its
                    coverage on held-out sources (``held_out_coverage``)
``scenario_bands``  each technique of a scenario against bare metal
                    (throughput kept, p99 ratio, latency added), each
                    with its error band (the scenario report's section)
``post_hoc``        the rows whose inputs were set after comparing
==================  ======================================================

Parameters come from the microbenchmarks (rows of kind ``calibration`` agree by
construction); the rest are predictions, with the relative error stated and,
where the model misses, the reason in the note. :func:`validation_table`
gathers every row; ``docs/validation.md`` is generated from it.

>>> table = validation_table()
>>> set(table["verdict"]) <= {"within", "outside", "agrees", "differs", "miss (noted)",
...                           "no tolerance set", "no published value"}
True
"""

from __future__ import annotations

from . import adams2006, sriov2010, timeline, xen2003
from ._rows import COLUMNS, Row
from .error_band import error_band, held_out_coverage
from .error_summary import error_summary

CHECKS = (adams2006, xen2003, sriov2010, timeline)


def rows() -> list:
    """Every :class:`Row` of every check, in module order."""
    return [row for check in CHECKS for row in check.rows()]


def validation_table():
    """Every check as a pandas DataFrame.

    Returns
    -------
    pandas.DataFrame
        Columns ``check, situation, quantity, measured, model, unit, error,
        tolerance, verdict, kind, source, note`` (see :mod:`._rows`): ``error``
        is relative, (model - measured) / measured, NaN for qualitative rows.
    """
    import pandas as pd

    return pd.DataFrame([row.record() for row in rows()], columns=list(COLUMNS))


__all__ = ["validation_table", "rows", "Row", "CHECKS", "error_summary", "error_band", "held_out_coverage"]
