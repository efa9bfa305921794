"""Time the closed model (workload ``users`` > 0): the fixed point of the load-dependent demands.

    python benchmarks/bench_closed.py [--repeats 5] [--profile]

One closed model of ``hardware_assist`` with ``wakeups="on"`` (the reported model) on one VM and
on four, ``small_packet_rr`` with 32 users and a think time of 50 us, and a sweep of 50 users
values (1..50). Prints, best of the repeats after one warm-up call of each (the structures derived
and compiled), each call solving its fixed points (those kept by ``_solve_loaded`` forgotten
first): one ``evaluate("throughput")``, one ``closed()`` (and again with them kept), the sweep,
and the per-call times of the pieces of the fixed point (``_solve_loaded``, the stations at one scalar point,
``_load_dependent``), with how many stations evaluations a fixed point takes.
``--profile`` prints cProfile's top functions of the sweep instead.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

import numpy as np

from virtmodel.model import Model
from virtmodel.model import closed as closed_module
from virtmodel.platform import Platform
from virtmodel.techniques import get

USERS = 32
SWEEP = np.arange(1, 51)


def model(vms=1, users=USERS):
    base = Model(get("hardware_assist", wakeups="on"), "small_packet_rr", Platform(vms=vms))
    return Model(base.technique, base.workload.replace(users=users, think_time=5e-5), base.platform)


def best_of(fn, repeats, fresh=True):
    """Best-of-``repeats`` seconds of ``fn()`` and its result; ``fresh``: the kept fixed points
    (``closed._solve_loaded``'s) forgotten before each call, so that each call solves them."""
    best, out = np.inf, None
    for _ in range(repeats):
        if fresh:
            forget()
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def forget():
    """Forget the kept fixed points, if this version keeps them."""
    kept = getattr(closed_module, "_remembered_fixed_point", None)
    if kept is not None:
        kept.cache_clear()


def counted(fn):
    """``fn()`` and how many times the stations were evaluated during it."""
    calls = [0]
    original = closed_module._numeric_stations

    def counting(*args):
        calls[0] += 1
        return original(*args)

    closed_module._numeric_stations = counting
    forget()
    try:
        return fn(), calls[0]
    finally:
        closed_module._numeric_stations = original


def report(vms, repeats):
    m = model(vms)
    m.closed()  # warm-up: derive and compile (this model's, the native model's, the open model's)
    m.evaluate("throughput", users=SWEEP)
    values = m.values()
    point = {**values, "arrival_rate": 1e5}
    t_eval, x = best_of(lambda: m.evaluate("throughput"), repeats)
    t_closed, _ = best_of(m.closed, max(1, repeats // 2))
    t_again, _ = best_of(m.closed, max(1, repeats // 2), fresh=False)
    t_solve, _ = best_of(lambda: closed_module._solve_loaded(m.key, values, USERS), repeats)
    (_, steps) = counted(lambda: closed_module._solve_loaded(m.key, values, USERS))
    t_st, _ = best_of(lambda: closed_module._numeric_stations(m.key, point), 20 * repeats)
    t_ld, _ = best_of(lambda: closed_module._load_dependent(m.key), 20 * repeats)
    t_sweep, xs = best_of(lambda: m.evaluate("throughput", users=SWEEP), max(1, repeats // 2))
    print(f"hardware_assist, wakeups on, small_packet_rr, vms = {vms}, {USERS} users: X = {x:.12g}/s")
    print(f"  evaluate('throughput')         {t_eval * 1e3:9.2f} ms")
    print(f"  closed() (metrics and curve)   {t_closed * 1e3:9.2f} ms  (again, its fixed points kept: "
          f"{t_again * 1e3:.2f} ms)")
    print(f"  _solve_loaded (fixed point)    {t_solve * 1e3:9.2f} ms  ({steps} stations evaluations)")
    print(f"  _numeric_stations (one point)  {t_st * 1e6:9.1f} us")
    print(f"  _load_dependent                {t_ld * 1e6:9.1f} us")
    print(f"  sweep of {SWEEP.size} users values      {t_sweep * 1e3:9.2f} ms  ({t_sweep / SWEEP.size * 1e3:.2f} ms a point;"
          f" X(50) = {xs[-1]:.12g}/s)")


def profile():
    m = model(4)
    m.evaluate("throughput")
    prof = cProfile.Profile()
    prof.enable()
    m.evaluate("throughput", users=SWEEP)
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.profile:
        profile()
        return
    for vms in (1, 4):
        report(vms, args.repeats)


if __name__ == "__main__":
    main()
