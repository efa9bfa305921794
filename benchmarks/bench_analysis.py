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


def sriov_terms_by_hand(v) -> tuple:
    """SR-IOV's constants for :func:`sriov_latency_by_hand`, written out from the formulas (no virtmodel
    code): ``(a, c, v0, v1, b, m2, s_d, q_d, vms, delay)``.

    Guest (one vCPU): every request pays cpu work + interrupt, TLB-walk and IOMMU events, ``a``;
    its device-interrupt exits ``e`` (``io_interrupts`` x ``exits_per_interrupt`` exits) only when NAPI's
    poll is inactive (docs/preregistered.md section 3): a request that finds the vCPU halted (share
    ``p``) pays ``b = e + w`` (``w`` = ``vcpu_wake_time``) as a setup, one that finds it busy outside the
    poll's window (share ``lam (a - r)``, ``r`` = kernel_fraction x cpu_time) pays ``e`` in the queue.
    So the queue's service is ``S = a + c lam`` with ``c = (a - r) e``, variance ``v0 + v1 lam``, and the
    setup adds Takagi's ``(2b + lam m2) / (2 (1 + lam b))``, ``m2 = E[B^2]``. Device: ``io_ops``
    transfers of ``io_bytes / B``, one server shared by all VMs (M/G/1, second moment ``q_d``)."""
    f = v["clock_hz"]
    t_x = (v["exit_cycles"] + v["exit_handling_cycles"]) / f
    t_irq = v["exits_per_interrupt"] * t_x
    ev = [(v["interrupts"], t_irq), (v["register_writes"] * v["register_write_exits"], t_x),
          (v["tlb_misses"], v["nested_walk_cycles"] / f), (v["io_ops"], v["iommu_cycles"] / f)]
    e, var_e = v["io_interrupts"] * t_irq, v["io_interrupts"] * t_irq**2
    a = v["cpu_time"] + sum(n * t for n, t in ev)
    v0 = v["cpu_scv"] * v["cpu_time"] ** 2 + sum(n * t * t for n, t in ev)
    r = v["kernel_fraction"] * v["cpu_time"]
    b = e + v["vcpu_wake_time"]
    t_d = v["io_bytes"] / v["device_bandwidth"]
    s_d = v["io_ops"] * t_d
    q_d = s_d**2 + v["io_ops"] * t_d**2 * (1 + v["device_scv"])
    return (a, (a - r) * e, v0, (a - r) * var_e, b, var_e + b * b, s_d, q_d, v["vms"],
            v["io_ops"] * v["device_latency"])


def sriov_latency_by_hand(v, lam):
    """SR-IOV mean latency written out from the formulas (no virtmodel code), wake-ups and NAPI's
    interrupt window in (``wakeups="on"``, the default; constants: :func:`sriov_terms_by_hand`):

    guest M/G/1 with the load-dependent service ``S = a + c lam``, saturated (inf) from the root of
    ``lam (a + c lam) = 1``, ``2 / (a + sqrt(a^2 + 4c))``; plus the halted vCPU's setup term; device
    M/G/1 (Pollaczek-Khinchine); plus the device delay.
    """
    assert v["vcpus"] == 1  # one vCPU: M/G/1 (the VF's interrupts exit: posted_interrupts=False, the default)
    a, c, v0, v1, b, m2, s_d, q_d, vms, delay = sriov_terms_by_hand(v)
    s_g = a + c * lam
    q_g = s_g**2 + v0 + v1 * lam
    cap_g = 2 / (a + np.sqrt(a * a + 4 * c))
    lam_d = vms * lam
    with np.errstate(divide="ignore", invalid="ignore"):
        r_g = np.where(lam < cap_g, lam * q_g / (2 * (1 - lam * s_g)) + s_g, np.inf)
        r_d = np.where(lam_d * s_d < 1, lam_d * q_d / (2 * (1 - lam_d * s_d)) + s_d, np.inf)
    return r_g + r_d + (2 * b + lam * m2) / (2 * (1 + lam * b)) + delay


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
