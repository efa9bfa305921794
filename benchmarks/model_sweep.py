"""Model timings: first use (derive + compile, cold) and a 10^6-point sweep.

Prints the cold and warm first-evaluation times of one technique, then a
10^6-point ``mean_latency`` sweep over the arrival rate against the same
formula hand-written in NumPy (the baseline of design/performance.md), then
all metrics of all techniques over 10^6 points. Costs grow linearly in points.

Then the fused kernels (:mod:`virtmodel.model.kernels`, issue 17): in one
process, round after round (the machine is shared: the quietest round and the
range are reported), each of these at 10^6 points: a plain copy of the input
array (the limit: one read, one write into a new array; for all metrics x all techniques, the
same copy into one new (technique, point) array per metric, and into arrays of that size written
before, whose pages are in place), the SR-IOV mean latency hand-written as
a numba loop, the same in numexpr and in NumPy, then ``Model.evaluate`` and
``sweep`` (also on a read-only copy of the input, which the sweep keeps as its coordinate
instead of copying it) with the NumPy path and with the fused kernel, hardware assist (Erlang
C host) both ways, and all metrics x all techniques both ways (fused also with every result block
in new memory: the sweeps' result pool off, as for a first sweep). The fused rows twice: as the
settings choose (on every core when the load average leaves one to spare,
:func:`virtmodel.model.kernels.parallel`) and on one thread; each round prints its 1-minute
load average and whether the kernels ran on every core. Every variant is
checked equal to the hand-written formula (1e-12 relative) first.

Run: ``python benchmarks/model_sweep.py [--fused-only] [--rounds 3]``
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np


def _best(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _sriov_terms(model) -> tuple:
    """``(a, c, v0, v1, b, m2, s_d, q_d, vms, delay)``: SR-IOV's constants with the wake-up and NAPI
    terms (``bench_analysis.sriov_terms_by_hand``, written from the formulas), from the model's values."""
    from bench_analysis import sriov_terms_by_hand

    return tuple(float(x) for x in sriov_terms_by_hand(model.values()))


def _hand_numba():
    """The SR-IOV mean latency (bench_analysis.sriov_latency_by_hand) as a numba loop: ``f(terms, lam)``
    with ``terms`` from :func:`_sriov_terms`: vCPU service ``a + c lam`` (saturated where
    ``lam (a + c lam) >= 1``), the halted vCPU's setup term, the device's M/G/1."""
    import numba

    @numba.njit(nogil=True, error_model="numpy")  # a new output array each call, as every variant
    def loop(lam, a, c, v0, v1, b, m2, s_d, q_d, vms, delay, out):
        for i in range(lam.shape[0]):
            x = lam[i]
            y = vms * x
            s_g = a + c * x
            r = (2 * b + x * m2) / (2 * (1 + x * b)) + delay
            r += x * (s_g * s_g + v0 + v1 * x) / (2 * (1 - x * s_g)) + s_g if x * s_g < 1 else np.inf
            r += y * q_d / (2 * (1 - y * s_d)) + s_d if y * s_d < 1 else np.inf
            out[i] = r
        return out

    return lambda terms, lam: loop(lam, *terms, np.empty_like(lam))


def _numexpr_formula(terms, lam):
    """The same formula as one numexpr expression (the candidate numexpr path: no special functions)."""
    import numexpr

    a, c, v0, v1, b, m2, s_d, q_d, vms, delay = terms  # noqa: F841 (read by numexpr from this frame)
    return numexpr.evaluate("where(lam * (a + c * lam) < 1, lam * ((a + c * lam) ** 2 + v0 + v1 * lam)"
                            " / (2 * (1 - lam * (a + c * lam))) + a + c * lam, inf)"
                            " + where(vms * lam * s_d < 1, vms * lam * q_d / (2 * (1 - vms * lam * s_d)) + s_d, inf)"
                            " + (2 * b + lam * m2) / (2 * (1 + lam * b)) + delay", local_dict={**locals(), "inf": np.inf})


def fused(rounds: int = 3, n: int = 10**6) -> dict:
    """``{name: [seconds per round]}`` (best of 5 within each round), after the equality checks
    (see the module docstring)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_analysis import sriov_latency_by_hand

    from virtmodel.analysis import sweep
    from virtmodel.model import Model, kernels, metric_names
    from virtmodel.techniques import get as get_technique, names

    m = Model("sriov", "small_packet_rr")
    v = m.values()
    lam = np.linspace(0.0, 0.95 * m.evaluate("throughput_limit"), n)
    hand, terms = _hand_numba(), _sriov_terms(m)
    ref = sriov_latency_by_hand(v, lam)
    np.testing.assert_allclose(hand(terms, lam), ref, rtol=1e-12)
    # the back-end pooled on the 32 host cores (Erlang C): the default virtio path has a one-server vhost worker now
    hw = Model(get_technique("hardware_assist", io_path="virtio_pooled"), "small_packet_rr")
    lam_hw = np.linspace(0.0, 0.95 * hw.evaluate("throughput_limit"), n)
    every, techs = list(metric_names()), list(names())
    lam_all = np.linspace(0.0, 9e4, n)
    one = lambda: sweep("mean_latency", "sriov", "small_packet_rr", arrival_rate=lam)  # noqa: E731
    kept = lam.copy()
    kept.flags.writeable = False  # a read-only grid is kept as the coordinate (no copy)
    one_kept = lambda: sweep("mean_latency", "sriov", "small_packet_rr", arrival_rate=kept)  # noqa: E731
    every_sweep = lambda: sweep(every, techs, "small_packet_rr", arrival_rate=lam_all)  # noqa: E731
    block = (len(techs), n)  # the all-metrics result: one (technique, point) array per metric
    kept_block = [np.empty(block) for _ in every]  # the same size, written before (its pages in place)
    cases = {
        "copy": lambda: lam.copy(),
        "copy, all-metrics size": lambda: [np.array(np.broadcast_to(lam_all, block)) for _ in every],
        "copy, all-metrics size, into kept memory": lambda: [np.copyto(b, lam_all) for b in kept_block],
        "hand numba": lambda: hand(terms, lam),
        "hand NumPy": lambda: sriov_latency_by_hand(v, lam),
        "evaluate": lambda: m.evaluate("mean_latency", arrival_rate=lam),
        "sweep": one,
        "sweep, read-only input": one_kept,
        "hardware assist evaluate": lambda: hw.evaluate("mean_latency", arrival_rate=lam_hw),
        "all metrics x techniques": every_sweep,
    }
    try:
        np.testing.assert_allclose(_numexpr_formula(terms, lam), ref, rtol=1e-12)
        cases["hand numexpr"] = lambda: _numexpr_formula(terms, lam)
    except ImportError:
        pass
    fused_cases = ("evaluate", "sweep", "sweep, read-only input", "hardware assist evaluate",
                   "all metrics x techniques")
    with kernels.using("numba"):
        for name in fused_cases:
            cases[name]()  # compile the kernels outside the timing
        np.testing.assert_allclose(one()["mean_latency"].values[0], ref, rtol=1e-12)
        np.testing.assert_allclose(one_kept()["mean_latency"].values[0], ref, rtol=1e-12)
        fused_all = every_sweep()
    with kernels.using("numpy"):
        numpy_all = every_sweep()
    for metric in every:
        a, b = fused_all[metric].values, numpy_all[metric].values
        same = (a == b).all() if a.dtype.kind in "OU" else np.allclose(a, b, rtol=1e-12, equal_nan=True)
        assert same, metric
    with kernels.using("numba", parallel_min_points=10**12):
        for name in fused_cases:
            cases[name]()  # the one-thread kernels compiled outside the timing too
    times: dict = {}
    import os

    for k in range(rounds):
        print(f"round {k + 1}: 1-minute load average {os.getloadavg()[0]:.2f}, kernels on every core: "
              f"{kernels.parallel(n)} ({_threads()})")
        for name, fn in cases.items():
            repeat = 2 if "all" in name else 5
            if name in fused_cases:
                with kernels.using("numpy"):
                    times.setdefault(name + " (NumPy path)", []).append(_best(fn, repeat))
                with kernels.using("numba"):
                    times.setdefault(name + " (fused)", []).append(_best(fn, repeat))
                with kernels.using("numba", parallel_min_points=10**12):
                    times.setdefault(name + " (fused, one thread)", []).append(_best(fn, repeat))
                if name == "all metrics x techniques":
                    with kernels.using("numba"), _new_memory():
                        times.setdefault(name + " (fused, new memory)", []).append(_best(fn, repeat))
            else:
                times.setdefault(name, []).append(_best(fn, repeat))
    return times


@contextmanager
def _new_memory():
    """The in-memory sweeps' result pool off (:data:`virtmodel.analysis.sweep.RESULTS`): every result
    block new memory, as a first sweep's."""
    import importlib

    pool = importlib.import_module("virtmodel.analysis.sweep").RESULTS
    keep = pool.keep_bytes
    pool.keep_bytes = 0
    pool.clear()
    try:
        yield
    finally:
        pool.keep_bytes = keep


def _threads() -> str:
    """numba's thread count and threading layer (once a parallel kernel has run)."""
    import numba

    try:
        layer = numba.threading_layer()
    except ValueError:  # no parallel kernel has run yet
        layer = "not started"
    return f"numba {numba.get_num_threads()} threads, layer {layer}"


def print_fused(times: dict) -> None:
    """One line per case: the quietest round (by the copy), the range of its ratios to the hand numba loop."""
    quiet = int(np.argmin(times["copy"]))
    for name, ts in times.items():
        ratios = [t / h for t, h in zip(ts, times["hand numba"])]
        print(f"{name:45s} {ts[quiet] * 1e3:9.2f} ms (range {min(ts) * 1e3:.2f}-{max(ts) * 1e3:.2f}); "
              f"/ hand numba {ratios[quiet]:.2f}x ({min(ratios):.2f}-{max(ratios):.2f}x)")


def main():
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fused-only", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not args.fused_only:
        first_use_and_sweeps()
    print_fused(fused(args.rounds))


def first_use_and_sweeps():
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
