"""Analysis timings: break-even curves, win-region maps, sweeps (targets: design/performance.md).

Prints, each at three sizes (costs grow linearly in points):

1. a break-even curve over N values of a second parameter (closed form, cold
   and warm; numeric Illinois search, warm) -- target <= 50 ms at N = 1,000;
2. a win-region map of 5 techniques over an n x n grid -- target <= 0.5 s at 500 x 500;
3. ``sweep`` of one metric of one technique (SR-IOV mean latency) against the
   same formula written by hand in NumPy (two M/G/1 stations, Pollaczek-Khinchine,
   plus the device delay; equality checked) -- target <= 1.5x;
4. ``sweep`` of all metrics of all techniques -- target <= 2 s at 10^6 points.

Run: ``python benchmarks/bench_analysis.py``
"""

from __future__ import annotations

import time

import numpy as np
from model_sweep import _best  # best-of-n wall time, shared with the model benchmark


def break_even_curves():
    from virtmodel.analysis import break_even
    from virtmodel.analysis._symbolic import _solve

    args = ("hardware_assist", "binary_translation", "exit_cycles", "mean_latency")
    for n in (100, 1_000, 10_000):
        ys = np.linspace(1, 40, n)
        _solve.cache_clear()
        t = time.perf_counter()
        ds = break_even(*args, workload="syscall_heavy", over={"syscalls": ys})
        cold = time.perf_counter() - t
        warm = _best(lambda ys=ys: break_even(*args, workload="syscall_heavy", over={"syscalls": ys}))
        num = _best(lambda ys=ys: break_even(*args, workload="syscall_heavy", over={"syscalls": ys},
                                       method="numeric root", bounds=(0, 1e7)))
        assert ds.attrs["method"] == "closed form"
        print(f"break-even curve, {n:>6} values: closed form {warm * 1e3:6.1f} ms (cold, SymPy solve "
              f"included: {cold * 1e3:.0f} ms); numeric root {num * 1e3:6.1f} ms")


def region_maps():
    from virtmodel.analysis import win_regions

    techs = ["native", "binary_translation", "paravirtual", "hardware_assist", "sriov"]
    win_regions(techs, ("arrival_rate", [1e3]), ("io_bytes", [100.0]), "mean_latency", workload="small_packet_rr")
    for n in (100, 250, 500):
        x, y = ("arrival_rate", np.linspace(1e3, 1e5, n)), ("io_bytes", np.linspace(64, 9000, n))
        t = _best(lambda x=x, y=y: win_regions(techs, x, y, "mean_latency", workload="small_packet_rr"), 3)
        tc = _best(lambda x=x, y=y: win_regions(techs, x, y, "mean_latency", workload="small_packet_rr",
                                       constraints={"host_cores": ("<=", 4)}), 3)
        print(f"win-region map {n}x{n} x 5 techniques: {t:.3f} s; with a host_cores constraint {tc:.3f} s")


def sriov_latency_by_hand(v, lam):
    """SR-IOV mean latency written out from the formulas (no virtmodel code):

    guest: cpu work + interrupt, TLB-walk, IOMMU and device-interrupt events, one vCPU (M/G/1);
    device: io_ops transfers of io_bytes / B, one server shared by all VMs (M/G/1); plus the delay.
    """
    f = v["clock_hz"]
    t_x = (v["exit_cycles"] + v["exit_handling_cycles"]) / f
    ev = [(v["interrupts"], v["exits_per_interrupt"] * t_x), (v["register_writes"] * v["register_write_exits"], t_x),
          (v["tlb_misses"], v["nested_walk_cycles"] / f), (v["io_ops"], v["iommu_cycles"] / f),
          (v["io_interrupts"], v["exits_per_interrupt"] * t_x)]
    s_g = v["cpu_time"] + sum(n * t for n, t in ev)
    var_g = v["cpu_scv"] * v["cpu_time"] ** 2 + sum(n * t * t for n, t in ev)
    t_d = v["io_bytes"] / v["device_bandwidth"]
    s_d, var_d = v["io_ops"] * t_d, v["io_ops"] * t_d**2 * (1 + v["device_scv"])
    lam_d = v["vms"] * lam
    r_g = lam * (s_g**2 + var_g) / (2 * (1 - lam * s_g)) + s_g
    r_d = lam_d * (s_d**2 + var_d) / (2 * (1 - lam_d * s_d)) + s_d
    return r_g + r_d + v["io_ops"] * v["device_latency"]


def sweeps():
    from virtmodel.analysis import sweep
    from virtmodel.model import Model, metric_names
    from virtmodel.techniques import names

    model = Model("sriov", "small_packet_rr")
    v = model.values()
    top = 0.95 * model.evaluate("throughput_limit")
    for n in (10**4, 10**5, 10**6):
        lam = np.linspace(0.0, top, n)
        ours = sweep("mean_latency", "sriov", "small_packet_rr", arrival_rate=lam)
        np.testing.assert_allclose(ours["mean_latency"].values[0], sriov_latency_by_hand(v, lam), rtol=1e-12)
        t_s = _best(lambda lam=lam: sweep("mean_latency", "sriov", "small_packet_rr", arrival_rate=lam), 5)
        t_h = _best(lambda lam=lam: sriov_latency_by_hand(v, lam), 5)
        print(f"sweep one metric, {n:>8} points: {t_s * 1e3:7.1f} ms; hand-written NumPy {t_h * 1e3:7.1f} ms; "
              f"ratio {t_s / t_h:.2f}")
    everything = list(metric_names())
    no_pct = [m for m in everything if m not in ("p50", "p95", "p99")]
    sweep(everything, list(names()), "small_packet_rr", arrival_rate=np.linspace(0, 1e4, 10))  # compile
    for n in (10**4, 10**5, 10**6):
        lam = np.linspace(0.0, 9e4, n)
        t_all = _best(lambda lam=lam: sweep(everything, list(names()), "small_packet_rr", arrival_rate=lam), 1)
        t_np = _best(lambda lam=lam: sweep(no_pct, list(names()), "small_packet_rr", arrival_rate=lam), 1)
        print(f"sweep all {len(everything)} metrics x {len(names())} techniques, {n:>8} points: {t_all:.2f} s "
              f"(without the 3 percentiles: {t_np:.2f} s)")


def main():
    break_even_curves()
    region_maps()
    sweeps()


if __name__ == "__main__":
    main()
