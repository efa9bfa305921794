"""uncertainty() against a brute-force reference: the metric's law by quadrature on a fine grid.

Small cases: one or two uncertain costs (the presets' ranges of
``exit_handling_cycles`` and ``exit_cycles``). Reference: the metric at every point
of a grid of the costs' quantiles (midpoints ``(i + 1/2) / n`` per cost, each point
of equal weight), i.e. the law of the metric up to O(1/n), evaluated row by row
without the Monte Carlo draws. The Monte Carlo bounds of the 90% interval and the
median must sit at the 5%, 95% and 50% points of that law within 4 binomial
standard errors of N draws plus the grid's resolution. Open model (mean latency,
p99, p99.9) and closed model (mean latency, throughput; its MVA costs about 3 ms
per point, so one cost and fewer draws, marked slow).
"""

import dataclasses
import math

import numpy as np
import pytest

from virtmodel import workloads
from virtmodel.analysis import preset_ranges, uncertainty
from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.techniques import get

RR = workloads.get("small_packet_rr")
TWO = ("exit_handling_cycles", "exit_cycles")


def _model(kind):
    if kind == "open":
        return Model("hardware_assist", dataclasses.replace(RR, arrival_rate=40_000.0))
    # the first model's interrupts (wakeups="off"): under the default's load-dependent wake-up terms each closed
    # point is a fixed point of about ten MVA runs (model/closed.py), 2,500 points took 36 s; the quadrature law
    # and the Monte Carlo interval under test are the same machinery either way (test_uncertainty.py's
    # test_closed_model runs the default's closed model)
    technique = get("hardware_assist", wakeups="off")
    return Model(technique, dataclasses.replace(RR, users=6, think_time=50e-6, arrival_rate=0.0))


def _reference(model, metric, ranges, n):
    """The metric over the n^k quantile grid of the k costs, as a flat array."""
    names = list(ranges)
    mid = (np.arange(n) + 0.5) / n
    axes = [np.asarray(ranges[name].ppf(mid), dtype=float) for name in names]
    if len(names) == 1:
        return np.asarray(model.evaluate(metric, **{names[0]: axes[0]}), dtype=float)
    return np.concatenate([np.asarray(model.evaluate(metric, **{names[0]: float(a), names[1]: axes[1]}), dtype=float)
                           for a in axes[0]])


CASES = [
    pytest.param("open", "mean_latency", TWO, 300, 20_000),
    pytest.param("open", "p99", TWO, 300, 20_000),
    pytest.param("open", "p99.9", TWO, 300, 20_000),
    pytest.param("closed", "mean_latency", TWO[:1], 1000, 1500, marks=pytest.mark.slow),
    pytest.param("closed", "throughput", TWO[:1], 1000, 1500, marks=pytest.mark.slow),
]


@pytest.mark.parametrize("kind, metric, names, grid, samples", CASES)
def test_interval_matches_the_quadrature_reference(kind, metric, names, grid, samples):
    model = _model(kind)
    ranges = {name: preset_ranges("hardware_assist")[name] for name in names}
    reference = np.sort(_reference(model, metric, ranges, grid))
    assert np.isfinite(reference).all() and reference[-1] > 1.02 * reference[0]   # a real spread
    res = uncertainty(model, metric, samples=samples, seed=11, ranges=ranges, sobol=False)
    low, high = (float(v) for v in res.interval(0.9))
    median = float(res.quantiles.sel(quantile=0.5))
    for bound, p in ((low, 0.05), (median, 0.5), (high, 0.95)):
        share = np.searchsorted(reference, bound, side="right") / reference.size   # the reference CDF there
        assert abs(share - p) < 4 * math.sqrt(p * (1 - p) / samples) + len(names) / grid, (bound, share, p)


def test_a_percentile_of_the_closed_model_is_given_and_a_bad_name_refused():
    with pytest.raises(ParameterError, match="metric"):
        uncertainty(_model("closed"), "p100", samples=10)
    res = uncertainty(_model("closed"), "p99", samples=10, sobol=False)   # closedtail: closed percentiles
    assert np.isfinite(float(res.quantiles.sel(quantile=0.5)))
