"""How wrong a scenario's answers may be: the validation's error band on each technique's comparison with bare metal.

A scenario (techniques on one workload and platform) gets from the model three answers that
the out-of-sample validation has asked of published systems, each against bare metal
(``native``, built on the same workload and platform):

- *throughput kept*, :math:`X_{\\max} / X_{\\max}^{\\mathrm{native}}` (rows of kind ``relative_throughput``);
- *p99 ratio*, :math:`t_{99} / t_{99}^{\\mathrm{native}}` (kind ``percentile_ratio``);
- *latency added*, :math:`\\bar R - \\bar R^{\\mathrm{native}}` (kind ``added_latency``).

For each, :func:`~virtmodel.validation.error_band.error_band` gives the range of measured
values that the model's past answers to the same kind of question allow, and
:func:`~virtmodel.validation.error_band.held_out_coverage` how often such a band held the
rows of sources it was not built from, which is the figure to quote with it. The band is
the kind's (with its fallback), not narrowed to the technique: the held-out coverage
quoted beside it is checked for bands built that way.

Assumptions: the scenario's question is like the validation's rows of its kind (the same
assumption as :func:`~virtmodel.validation.error_band.error_band`); the percentiles and means
are at the scenario's own arrival rate (a closed workload, ``users`` > 0, has no open load: only
the throughput question is asked, from MVA's throughput limit); an answer the model cannot give
(saturated, not positive) gets no band and is left out.
"""

from __future__ import annotations

import math
from functools import lru_cache

from ..errors import UnstableError
from ._app_table import check_share
from .error_band import ALL_KINDS, _check_weights, error_band, held_out_coverage

#: (question, metric, kind, how the technique's value and native's make the answer)
QUESTIONS = (
    ("throughput kept", "throughput_limit", "relative_throughput", "ratio"),
    ("p99 ratio", "p99", "percentile_ratio", "ratio"),
    ("latency added", "mean_latency", "added_latency", "difference"),
)

#: the columns of :func:`scenario_bands`
COLUMNS = ("technique", "question", "kind", "model", "low", "high", "group", "rows", "sources",
           "held_out_coverage")


@lru_cache(maxsize=1)
def reported_table():
    """The reported model's validation table (:func:`~virtmodel.validation.applications.recompute`
    with no arguments), computed once per process: it depends only on the package's code and data."""
    from .applications import recompute

    return recompute()


def _value(model, metric):
    try:
        value = float(model.evaluate(metric))
    except UnstableError:
        return math.nan
    return value


def scenario_bands(techniques, workload, platform=None, coverage: float = 0.8, table=None,
                   weights: str = "rows"):
    """Each technique's answers against bare metal, with the validation's error band (module docstring).

    Parameters
    ----------
    techniques : sequence
        Technique names or objects, as :func:`virtmodel.analysis.compare` takes them (``native``
        among them is skipped: it is the reference).
    workload, platform
        As for :func:`virtmodel.analysis.compare` (names of presets or objects).
    coverage : float
        The band's coverage, strictly between 0 and 1 (default 0.8).
    table : pandas.DataFrame, optional
        The validation table the bands rest on
        (:func:`~virtmodel.validation.applications.recompute`; default: the reported model's,
        computed on first use, about 10 s, and kept for the process: :func:`reported_table`).
    weights : str
        ``"rows"`` or ``"sources"``, as for :func:`~virtmodel.validation.error_band.error_band`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, one line per technique and question the model answers:
        ``low``/``high`` bound the measured value at ``coverage``; ``held_out_coverage`` is the
        share of held-out rows of the band's kind (or family) that such a band held.
    """
    import pandas as pd

    from ..analysis._common import PastLimitModel, make_models

    check_share(coverage, "coverage")
    weights = _check_weights(weights)
    models = make_models(techniques, workload, platform)
    native = make_models(["native"], workload, platform)["native"]
    table = reported_table() if table is None else table
    held = held_out_coverage(coverage, table=table, weights=weights).set_index("group")
    closed = native.workload.users > 0   # no open load: the throughput question only
    questions = [q for q in QUESTIONS if not closed or q[1] == "throughput_limit"]
    reference = {metric: _value(native, metric) for _, metric, _, _ in questions}
    lines = []
    for label, model in models.items():
        if model.technique.name == "native" or isinstance(model, PastLimitModel):
            continue  # the reference itself; SR-IOV past its VF limit does not apply
        for question, metric, kind, how in questions:
            value, ref = _value(model, metric), reference[metric]
            answer = value / ref if how == "ratio" else value - ref
            if not (math.isfinite(answer) and answer > 0):
                continue
            band = error_band(answer, kind, coverage=coverage, table=table, weights=weights)
            group = kind if kind in held.index else ALL_KINDS
            lines.append({"technique": label, "question": question, "kind": kind, "model": answer,
                          "low": band.low, "high": band.high, "group": band.group, "rows": band.rows,
                          "sources": band.sources, "held_out_coverage": float(held.loc[group, "held_out_coverage"])})
    return pd.DataFrame(lines, columns=list(COLUMNS))


__all__ = ["scenario_bands", "reported_table", "QUESTIONS", "COLUMNS"]
