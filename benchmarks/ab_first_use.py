"""Before/after of the cold first use: two source trees, measured in alternating fresh processes.

The code is ``run_all.py``'s ``area_first_use``: ``import virtmodel`` outside the timer, then
``Model("hardware_assist", "small_packet_rr").evaluate("mean_latency")`` timed in a fresh
interpreter (derive, compile and one call; SymPy's own first-use imports included). Each round
starts one process per tree, in turn (A, B, A, B, ...), with ``PYTHONPATH`` set to that tree, so
both see the same machine load; each process also times ``derive`` alone and reports the CPU time
of the whole (``time.process_time``: what the process computed, less the waits for a core that
load adds to the wall time) and the 1-minute load average when it ends.

``--bytecode`` first compiles each tree's ``virtmodel`` to ``__pycache__`` (``compileall``), as an
installed package has it: this machine sets ``PYTHONDONTWRITEBYTECODE=1``, so without it every
fresh process compiles the package's source again (about 0.09 s of the first use, perf11).

Run: ``python benchmarks/ab_first_use.py TREE_A TREE_B [--rounds 12] [--technique hardware_assist]
[--metric mean_latency] [--bytecode]`` (e.g. TREE_A a ``git archive`` of an older commit unpacked to /tmp).
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
c = time.process_time()
t = time.perf_counter()
from virtmodel.model import Model
t0 = time.perf_counter()
m = Model({technique!r}, "small_packet_rr")
t1 = time.perf_counter()
m._derived  # derive (cached by the model's key)
t2 = time.perf_counter()
m.evaluate({metric!r})
t3 = time.perf_counter()
cpu = time.process_time() - c
print(json.dumps({{"total": t3 - t, "cpu": cpu, "derive": t2 - t1, "call": t3 - t2, "import": t0 - t, "load": os.getloadavg()[0],
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
    ap.add_argument("--bytecode", action="store_true", help="compile the trees' bytecode first (as installed)")
    args = ap.parse_args()
    if args.bytecode:
        for tree in args.trees:
            subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(tree, "virtmodel")], check=True)
    results = {tree: [] for tree in args.trees}
    for r in range(args.rounds):
        order = args.trees if r % 2 == 0 else args.trees[::-1]  # alternate who goes first
        for tree in order:
            got = run_one(tree, args.technique, args.metric)
            results[tree].append(got)
            print(f"round {r:2d}  {tree:<28s} {got['total']:.3f} s  (cpu {got['cpu']:.3f}, import {got['import']:.3f}, derive {got['derive']:.3f}, call {got['call']:.3f})  (load {got['load']:.2f})", flush=True)
    for tree, runs in results.items():
        t = sorted(x["total"] for x in runs)
        d = sorted(x["derive"] for x in runs)
        c = sorted(x["call"] for x in runs)
        u = sorted(x["cpu"] for x in runs)
        loads = [x["load"] for x in runs]
        print(f"{tree}: min {t[0]:.3f}  median {statistics.median(t):.3f}  max {t[-1]:.3f} s  "
              f"cpu min {u[0]:.3f} median {statistics.median(u):.3f}  derive min {d[0]:.3f} median {statistics.median(d):.3f}  call min {c[0]:.3f} median {statistics.median(c):.3f} s  (n={len(t)}, load {min(loads):.2f}-{max(loads):.2f})")


if __name__ == "__main__":
    main()
