"""Before/after of the one-metric fused sweep: two source trees, measured in alternating processes.

Each round starts one process per tree, in turn (A, B, A, B, ...), with ``PYTHONPATH`` set to
that tree, so both see the same machine load within minutes of each other. Every process compiles
first, then times (best of ``--repeat`` calls, several passes) the cases of
``model_sweep.py``'s fused part that concern one metric: the hand-written numba loop of the SR-IOV
mean latency over 10^6 points (the yardstick), ``Model.evaluate`` and ``sweep`` of the same metric
with the fused kernels, as the settings choose (two threads when the load leaves a core) and on one
thread. Every result is checked against the NumPy path (1e-12 relative) in the process first.

Run: ``python benchmarks/ab_sweep.py TREE_A TREE_B [--rounds 4] [--repeat 7] [--hog]`` (e.g. TREE_A a
``git archive`` of an older commit unpacked to /tmp). Prints each process's 1-minute load, its
times and the ratios to its own hand loop, then per tree the minimum and range over rounds.

``--hog``: the moment a busy process starts on a quiet machine, as the kernels see it: one
busy-loop process (started here, ended at the end) holds a core while each measured process
reads a 1-minute load average of 0.4 (``os.getloadavg`` replaced in it: the average lags the
new process by tens of seconds), so the settings' choice of threads is what is measured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

CASES = ("hand numba", "evaluate (fused)", "sweep (fused)", "sweep (fused, one thread)")


def _child(repeat: int, hog: bool = False) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    real_load = os.getloadavg
    if hog:  # the average of a machine that was quiet until a moment ago
        os.getloadavg = lambda: (0.4, 0.4, 0.4)
    from model_sweep import _hand_numba, _sriov_terms

    import virtmodel
    from virtmodel.analysis import sweep
    from virtmodel.model import Model, kernels

    m = Model("sriov", "small_packet_rr")
    lam = np.linspace(0.0, 0.95 * m.evaluate("throughput_limit"), 10**6)
    hand, terms = _hand_numba(), _sriov_terms(m)
    with kernels.using("numpy"):
        ref = sweep("mean_latency", "sriov", "small_packet_rr", arrival_rate=lam)["mean_latency"].values[0]
    np.testing.assert_allclose(hand(terms, lam), ref, rtol=1e-12)
    one = lambda: sweep("mean_latency", "sriov", "small_packet_rr", arrival_rate=lam)  # noqa: E731
    ev = lambda: m.evaluate("mean_latency", arrival_rate=lam)  # noqa: E731
    runs = {"hand numba": (lambda: hand(terms, lam), {}),
            "evaluate (fused)": (ev, {}),
            "sweep (fused)": (one, {}),
            "sweep (fused, one thread)": (one, {"parallel_min_points": 10**12})}
    for name, (fn, extra) in runs.items():  # compile outside the timing, check the values
        if name == "hand numba":
            continue
        with kernels.using("numba", **extra):
            got = fn()
            got = got["mean_latency"].values[0] if hasattr(got, "data_vars") else got
            np.testing.assert_allclose(got, ref, rtol=1e-12)
    times = {name: [] for name in runs}
    for _ in range(3):  # passes: each case in turn, best of `repeat` each
        for name, (fn, extra) in runs.items():
            with kernels.using("numba", **extra):
                best = float("inf")
                for _ in range(repeat):
                    t = time.perf_counter()
                    fn()
                    best = min(best, time.perf_counter() - t)
            times[name].append(best)
    return {"tree": str(Path(virtmodel.__file__).resolve().parents[1]), "load": real_load()[0],
            "parallel": bool(kernels.parallel(10**6)), "times": {k: min(v) for k, v in times.items()}}


def main():
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--hog", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.repeat, args.hog)))
        return
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.hog else None
    try:
        _rounds(args)
    finally:
        if hog is not None:
            hog.kill()
            hog.wait()


def _rounds(args):
    seen: dict = {tree: [] for tree in args.trees}
    for k in range(args.rounds):
        for tree in args.trees:
            env = dict(os.environ, PYTHONPATH=str(Path(tree).resolve()))
            load0 = os.getloadavg()[0]
            out = subprocess.run([sys.executable, __file__, "--child", "--repeat", str(args.repeat)]
                                 + ["--hog"] * args.hog, env=env,
                                 capture_output=True, text=True, check=True)
            got = json.loads(out.stdout.strip().splitlines()[-1])
            assert Path(got["tree"]) == Path(tree).resolve(), got["tree"]
            seen[tree].append(got)
            t = got["times"]
            print(f"round {k + 1} {tree}: load {load0:.2f}-{got['load']:.2f}, two threads {got['parallel']}: "
                  + "; ".join(f"{c} {t[c] * 1e3:.2f} ms ({t[c] / t['hand numba']:.2f}x)" for c in CASES), flush=True)
    for tree, runs in seen.items():
        print(tree)
        for c in CASES:
            ts = [r["times"][c] for r in runs]
            rs = [r["times"][c] / r["times"]["hand numba"] for r in runs]
            print(f"  {c:28s} min {min(ts) * 1e3:.2f} ms (range {min(ts) * 1e3:.2f}-{max(ts) * 1e3:.2f}); "
                  f"/ hand {min(rs):.2f}-{max(rs):.2f}x")


if __name__ == "__main__":
    main()
