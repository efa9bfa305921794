"""Before/after of a scalar call's fixed cost: two source trees, measured in alternating processes.

Each round starts one process per tree, in turn (A, B, B, A, ...), with ``PYTHONPATH`` set to that
tree. Every process builds SR-IOV and hardware-assist models on ``small_packet_rr``, calls each once
(derive, compile), then times hot (best of ``--repeat`` loops of 2,000 calls, per call):
``Model.evaluate("mean_latency")``, the same with ``arrival_rate=`` a float, ``Model.key`` and
``closed.is_closed`` of the model's values. Prints each process's figures and its 1-minute load, then
per tree and figure the minimum and median over rounds.

Run: ``python benchmarks/ab_call_cost.py TREE_A TREE_B [--rounds 6] [--repeat 7]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = """import json, os, time
from virtmodel.model import Model
from virtmodel.model import closed
out = {{}}
def per_call(fn, n=2000):
    best = float("inf")
    for _ in range({repeat}):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t) / n)
    return best * 1e6
for name in ("sriov", "hardware_assist"):
    m = Model(name, "small_packet_rr")
    m.evaluate("mean_latency"); m.evaluate("mean_latency", arrival_rate=1000.0)
    v = m.values()
    out[name + " evaluate"] = per_call(lambda: m.evaluate("mean_latency"))
    out[name + " evaluate(arrival_rate=)"] = per_call(lambda: m.evaluate("mean_latency", arrival_rate=1000.0))
    out[name + " key"] = per_call(lambda: m.key)
    out[name + " is_closed"] = per_call(lambda: closed.is_closed(v))
print(json.dumps({{"us": out, "load": os.getloadavg()[0]}}))"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trees", nargs="+")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    got = {tree: [] for tree in args.trees}
    for r in range(args.rounds):
        for tree in (args.trees if r % 2 == 0 else args.trees[::-1]):
            env = dict(os.environ, PYTHONPATH=tree)
            res = subprocess.run([sys.executable, "-c", CHILD.format(repeat=args.repeat)], env=env, cwd=tree,
                                 capture_output=True, text=True, check=True)
            one = json.loads(res.stdout.strip().splitlines()[-1])
            got[tree].append(one)
            print(f"round {r} {tree} (load {one['load']:.2f}): "
                  + ", ".join(f"{k} {v:.2f}" for k, v in one["us"].items()), flush=True)
    for tree, runs in got.items():
        loads = [x["load"] for x in runs]
        print(f"{tree} (load {min(loads):.2f}-{max(loads):.2f}), us per call, min / median:")
        for k in runs[0]["us"]:
            xs = [x["us"][k] for x in runs]
            print(f"  {k:<40s} {min(xs):7.2f} / {statistics.median(xs):7.2f}")


if __name__ == "__main__":
    main()
