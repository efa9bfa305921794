"""Before/after of the NumPy path's all-metrics sweep: two source trees in alternating processes.

The sweep of the performance target (``kernels.using("numpy")``, every metric x every technique,
``small_packet_rr``, 10^6 arrival rates from 0 to 9e4 per second): each round starts one process
per tree (A, B, A, B, ...) with ``PYTHONPATH`` set to that tree; a process sweeps 10 points once
(compiling), then times ``--repeat`` sweeps and prints the best, with its peak RSS. ``--check``
also sweeps a few grids in each tree (10^6 points; 10^5 rates x 3 core counts, one past the
Erlang recursion; a 700 x 300 grid of rate and I/O size) and compares a SHA-1 of every result
array: "bit-identical" or the arrays that differ.

Run: ``python benchmarks/ab_numpy_sweep.py TREE_A TREE_B [--rounds 2] [--repeat 5] [--check]``
(e.g. TREE_A a ``git archive`` of an older commit unpacked to /tmp). Used for
benchmarks/README.md, branch ``perf13``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np


def _sweep(**grid):
    from virtmodel.analysis import sweep
    from virtmodel.model import kernels, metric_names
    from virtmodel.techniques import names

    with kernels.using("numpy"):
        return sweep(list(metric_names()), list(names()), "small_packet_rr", **grid)


def _time(repeat: int) -> dict:
    _sweep(arrival_rate=np.linspace(0.0, 1e4, 10))
    rates, times = np.linspace(0.0, 9e4, 10**6), []
    for _ in range(repeat):
        start = time.perf_counter()
        _sweep(arrival_rate=rates)
        times.append(time.perf_counter() - start)
    return {"best": min(times), "times": times, "load": os.getloadavg()[0],
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _digests() -> dict:
    grids = {"1e6 rates": dict(arrival_rate=np.linspace(0.0, 9e4, 10**6)),
             "rates x cores": dict(arrival_rate=np.linspace(0.0, 9e4, 10**5), cores=np.array([8.0, 32.0, 100.0])),
             "rates x io_bytes": dict(arrival_rate=np.linspace(0.0, 9e4, 700), io_bytes=np.linspace(64, 9000, 300))}
    out = {}
    for label, grid in grids.items():
        result = _sweep(**grid)
        for metric in result.data_vars:
            for technique in result["technique"].values:
                data = np.ascontiguousarray(result[metric].sel(technique=technique).values)
                out[f"{label} / {metric} / {technique}"] = hashlib.sha1(data.tobytes()).hexdigest() + str(data.dtype)
    return out


def _run(tree: str, what: str, repeat: int) -> dict:
    env = {**os.environ, "PYTHONPATH": tree}
    code = f"import sys, json; sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r}); " \
           f"import ab_numpy_sweep as ab; print(json.dumps(ab._{what}({repeat if what == 'time' else ''})))"
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tree, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="compare every result array's SHA-1 too")
    args = parser.parse_args(argv)
    if args.check:
        a, b = (_run(tree, "digests", 0) for tree in args.trees)
        differ = sorted(k for k in a if a[k] != b.get(k)) + sorted(set(b) - set(a))
        print(f"{len(a)} arrays: " + ("bit-identical" if not differ else f"{len(differ)} differ: {differ[:10]}"))
    best = {tree: [] for tree in args.trees}
    for _ in range(args.rounds):
        for tree in args.trees:
            got = _run(tree, "time", args.repeat)
            best[tree].append(got["best"])
            print(f"{tree}: best {got['best']:.3f} s of {', '.join(f'{t:.3f}' for t in got['times'])} "
                  f"(load {got['load']:.1f}, peak RSS {got['peak_rss_mb']:.0f} MB)", flush=True)
    for tree, times in best.items():
        print(f"{tree}: {min(times):.3f} s (range {min(times):.3f}-{max(times):.3f} over {len(times)} rounds)")


if __name__ == "__main__":
    main()
