"""Model timings: first use (derive + compile, cold) and a 10^6-point sweep.

Prints the cold and warm first-evaluation times of one technique, then a
10^6-point ``mean_latency`` sweep over the arrival rate against the same
formula hand-written in NumPy (the baseline of design/performance.md), then
all metrics of all techniques over 10^6 points. Costs grow linearly in points.

Run: ``python benchmarks/model_sweep.py``
"""

from __future__ import annotations

import time

import numpy as np


def _best(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    t = time.perf_counter()
    from virtmodel.model import Model, metric_names
    from virtmodel.techniques import names

    m = Model("hardware_assist", "small_packet_rr")
    m.evaluate("mean_latency")
    cold = time.perf_counter() - t
    warm = _best(lambda: m.evaluate("mean_latency"))
    print(f"first use (import + derive + compile), cold: {cold:.3f} s; cached call: {warm * 1e3:.2f} ms")

    lam = np.linspace(0.0, 0.95 * m.evaluate("throughput_limit"), 10**6)
    model_time = _best(lambda: m.evaluate("mean_latency", arrival_rate=lam))
    table = m.station_table()
    s, v = table["demand"].to_numpy(), table["service_variance"].to_numpy()
    from virtmodel.queueing.erlang_function import erlang_c_over_load

    def by_hand():  # the same M/G/c stations written directly in NumPy
        total = 0.0
        for (c, mult), si, vi in zip(((1, 1), (32, 8), (1, 8)), s, v):
            arr = mult * lam
            a = arr * si
            total = total + arr * (si**2 + vi) * erlang_c_over_load(c, a) / (2 * (c - a)) + si
        return total + table.attrs["delay"]

    hand_time = _best(by_hand)
    assert np.allclose(by_hand(), m.evaluate("mean_latency", arrival_rate=lam), rtol=1e-9)
    print(f"10^6-point mean_latency sweep: {model_time * 1e3:.0f} ms; hand-written NumPy {hand_time * 1e3:.0f} ms; "
          f"ratio {model_time / hand_time:.2f}")

    t = time.perf_counter()
    for tech in names():
        mt = Model(tech, "small_packet_rr")
        x = np.linspace(0.0, 0.95 * mt.evaluate("throughput_limit"), 10**6)
        for metric in metric_names():
            mt.evaluate(metric, arrival_rate=x)
    print(f"all {len(metric_names())} metrics x {len(names())} techniques x 10^6 points "
          f"(first compile included): {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
