"""Latency percentile metrics: ``p50``, ``p95``, ``p99`` and any other ``p<P>``.

A percentile metric is named ``p`` followed by the percentage P (0 < P < 100)
in its shortest decimal form: ``p90``, ``p99.9``, ``p99.99``, ``p0.5`` (not
``p99.90`` or ``p050``, so that one percentile has one name). The three of
:data:`PERCENTILES` are the ones :func:`virtmodel.model.metric_names` lists
(the tables, the dashboard); everything that takes a metric name of an open
model takes any percentile name (``evaluate``, ``sweep``, ``break_even``,
``win_regions``, the plots).

All percentiles of one evaluation come from one gamma distribution fitted to
the exact mean and variance of the path's queueing time, plus the path's pure
delay (:func:`virtmodel.queueing._percentiles.gamma_quantiles`). The fit is
exact for an exponential or deterministic response time; further out in the
tail (p99.9 and beyond) it leans on the fitted shape more, and the simulation
checks in the tests say how far it is.
"""

from __future__ import annotations

import re
from decimal import Decimal

#: the standard percentiles, listed by ``metric_names()``: name -> probability
PERCENTILES = {"p50": 0.50, "p95": 0.95, "p99": 0.99}

_NAME = re.compile(r"p((?:[1-9]\d?|0)(?:\.\d*[1-9])?)\Z")


def percentile_level(metric) -> float | None:
    """The probability of a percentile metric name (``"p99.9"`` -> 0.999), else ``None``.

    >>> percentile_level("p99.9"), percentile_level("p50"), percentile_level("mean_latency")
    (0.999, 0.5, None)
    """
    if not isinstance(metric, str):
        return None
    match = _NAME.match(metric)
    if not match:
        return None
    level = float(Decimal(match.group(1)) / 100)
    return level if 0.0 < level < 1.0 else None  # p99.99999999999999999 rounds to 1: not a percentile


def is_percentile(metric) -> bool:
    """Whether ``metric`` names a latency percentile (``p50``, ``p99.9``, ...)."""
    return percentile_level(metric) is not None


def accepts_percentiles(valid) -> bool:
    """Whether a list of valid metric names takes percentiles (the open and the closed model's do)."""
    return all(p in valid for p in PERCENTILES)


def percentile_title(metric: str) -> str:
    """Words for a percentile metric: ``"median latency"``, ``"99.9th-percentile latency"``."""
    percent = metric[1:]
    if percent == "50":
        return "median latency"
    whole = percent.split(".")[0]
    suffix = "th" if "." in percent or whole[-2:] in ("11", "12", "13") else \
        {"1": "st", "2": "nd", "3": "rd"}.get(whole[-1], "th")
    return f"{percent}{suffix}-percentile latency"


#: how an unknown metric name's error message describes the percentile names
PERCENTILE_HINT = "or a latency percentile p<P>, 0 < P < 100, P written shortest (p90, p99.9; not p99.90)"
