"""Before/after of the cold first use: two source trees, measured in alternating fresh processes.

The code is ``run_all.py``'s ``area_first_use``: ``import virtmodel`` outside the timer, then
``Model("hardware_assist", "small_packet_rr").evaluate("mean_latency")`` timed in a fresh
interpreter (derive, compile and one call; SymPy's own first-use imports included). Each round
starts one process per tree, in turn (A, B, A, B, ...), with ``PYTHONPATH`` set to that tree, so
both see the same machine load; each process also times ``derive`` alone (``--split``) and reports
the 1-minute load average when it ends.

Run: ``python benchmarks/ab_first_use.py TREE_A TREE_B [--rounds 12] [--technique hardware_assist]
[--metric mean_latency]`` (e.g. TREE_A a ``git archive`` of an older commit unpacked to /tmp).
Prints each process's time and load, then per tree the minimum, median and maximum.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = """import json, os, time, virtmodel
t = time.perf_counter()
from virtmodel.model import Model
t0 = time.perf_counter()
m = Model({technique!r}, "small_packet_rr")
t1 = time.perf_counter()
m._derived  # derive (cached by the model's key)
t2 = time.perf_counter()
m.evaluate({metric!r})
t3 = time.perf_counter()
print(json.dumps({{"total": t3 - t, "derive": t2 - t1, "call": t3 - t2, "import": t0 - t, "load": os.getloadavg()[0],
                  "tree": os.path.dirname(os.path.dirname(virtmodel.__file__))}}))"""


def run_one(tree: str, technique: str, metric: str) -> dict:
    env = dict(os.environ, PYTHONPATH=tree)
    code = CHILD.format(technique=technique, metric=metric)
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tree, capture_output=True, text=True, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert os.path.realpath(got["tree"]) == os.path.realpath(tree), (got["tree"], tree)
    return got


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees", nargs="+")
    ap.add_argument("--rounds", type=int, default=12)
    ap.add_argument("--technique", default="hardware_assist")
    ap.add_argument("--metric", default="mean_latency")
    args = ap.parse_args()
    results = {tree: [] for tree in args.trees}
    for r in range(args.rounds):
        order = args.trees if r % 2 == 0 else args.trees[::-1]  # alternate who goes first
        for tree in order:
            got = run_one(tree, args.technique, args.metric)
            results[tree].append(got)
            print(f"round {r:2d}  {tree:<28s} {got['total']:.3f} s  (import {got['import']:.3f}, derive {got['derive']:.3f}, call {got['call']:.3f})  (load {got['load']:.2f})", flush=True)
    for tree, runs in results.items():
        t = sorted(x["total"] for x in runs)
        d = sorted(x["derive"] for x in runs)
        c = sorted(x["call"] for x in runs)
        loads = [x["load"] for x in runs]
        print(f"{tree}: min {t[0]:.3f}  median {statistics.median(t):.3f}  max {t[-1]:.3f} s  "
              f"derive min {d[0]:.3f} median {statistics.median(d):.3f}  call min {c[0]:.3f} median {statistics.median(c):.3f} s  (n={len(t)}, load {min(loads):.2f}-{max(loads):.2f})")


if __name__ == "__main__":
    main()
