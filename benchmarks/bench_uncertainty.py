"""Uncertainty timings: 10^5 Monte Carlo draws of one metric against one deterministic sweep of the same size.

Target (issue 15): ``uncertainty(model, "p99", samples=10**5, sobol=False)``
under 1 s. Baseline, in the same run: ``Model.evaluate("p99", ...)`` over
10^5 values of one parameter (the same compiled model, the same number of
points, no draws, no quantiles). Also shown: the Saltelli design for the
Sobol indices (N (k + 2) evaluations) at N = 10^4.

Run: ``python benchmarks/bench_uncertainty.py``
"""

from __future__ import annotations

import numpy as np

from model_sweep import _best as best

MODEL = ("hardware_assist", "small_packet_rr")
METRIC = "p99"


def measure(samples=10**5, sobol_samples=10**4, repeat=3) -> dict:
    """Best-of-``repeat`` wall times (s): ``uncertainty``, the deterministic sweep, and the Sobol run."""
    from virtmodel.analysis import uncertainty
    from virtmodel.model import Model

    m = Model(*MODEL)
    uncertainty(m, METRIC, samples=100, sobol=False)      # compile once, outside the timing
    values = np.linspace(0.5, 2.0, samples) * m.values()["exit_handling_cycles"]
    return {
        "samples": samples,
        "uncertainty": best(lambda: uncertainty(m, METRIC, samples=samples, sobol=False), repeat),
        "sweep": best(lambda: m.evaluate(METRIC, exit_handling_cycles=values), repeat),
        "sobol_samples": sobol_samples,
        "sobol": best(lambda: uncertainty(m, METRIC, samples=sobol_samples), repeat),
        "parameters": len(uncertainty(m, METRIC, samples=10, sobol=False).parameters),
    }


def main():
    r = measure()
    print(f"uncertainty({MODEL}, {METRIC!r}), {r['samples']:,} draws: {r['uncertainty'] * 1e3:.1f} ms "
          f"(target < 1 s: {'met' if r['uncertainty'] < 1 else 'NOT met'})")
    print(f"one deterministic sweep of {r['samples']:,} points: {r['sweep'] * 1e3:.1f} ms; "
          f"ratio {r['uncertainty'] / r['sweep']:.1f}x")
    print(f"with Sobol indices, N = {r['sobol_samples']:,}, k = {r['parameters']} "
          f"({r['sobol_samples'] * (r['parameters'] + 2):,} evaluations): {r['sobol'] * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
