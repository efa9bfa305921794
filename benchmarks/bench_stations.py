"""Time the single-station solvers against GNU Octave's queueing on the same sweep of loads.

    python benchmarks/bench_stations.py [--points 10000] [--repeats 5]

Both sides get one vectorized call over ``points`` offered loads (Octave's erlangb, erlangc,
qsmmm, qsmmmk and qsmminf take vectors too), timed inside Octave with tic/toc (best of the
repeats after a warm-up call, start-up excluded) and here with time.perf_counter (best of
the repeats). The script checks that the answers agree before it prints the times.
Needs ``octave-cli`` with the ``queueing`` package for the comparison.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess

import numpy as np
from bench_mva import _m, best_of

from virtmodel.queueing import erlang_b, erlang_c, mminf, mmc, mmck

SERVERS, CAPACITY = 16, 64
LABELS = {"erlangb": "Erlang B", "erlangc": "Erlang C", "qsmmm": "M/M/c response time",
          "qsmmmk": "M/M/c/K response time", "qsmminf": "M/M/inf response time"}


def loads(points):
    """Offered loads a = lambda/mu (mu = 1) from light to 99% of the servers."""
    return np.linspace(0.01, 0.99 * SERVERS, points)


def ours(points, repeats):
    """``{name: (seconds, values)}`` for our vectorized calls."""
    a = loads(points)
    calls = {"erlangb": lambda: erlang_b(SERVERS, a), "erlangc": lambda: erlang_c(SERVERS, a),
             "qsmmm": lambda: mmc(a, 1.0, SERVERS).response_time,
             "qsmmmk": lambda: mmck(a, 1.0, SERVERS, CAPACITY).response_time,
             "qsmminf": lambda: mminf(a, 1.0).response_time}
    out = {}
    for name, call in calls.items():
        t, values = best_of(call, repeats)
        out[name] = (t, np.asarray(values, dtype=float))
    return out


def octave(points, repeats):
    """``{name: (seconds, values)}`` from Octave, or None without octave-cli."""
    exe = shutil.which("octave-cli") or shutil.which("octave")
    if exe is None:
        return None
    body = {"erlangb": f"r = erlangb(a, {SERVERS});", "erlangc": f"r = erlangc(a, {SERVERS});",
            "qsmmm": f"[u, r] = qsmmm(a, 1, {SERVERS});", "qsmmmk": f"[u, r] = qsmmmk(a, 1, {SERVERS}, {CAPACITY});",
            "qsmminf": "[u, r] = qsmminf(a, 1);"}
    script = ["pkg load queueing", 'warning("off", "all");', f"a = {_m(loads(points))};"]
    for name, get in body.items():
        script += [get, f"t = inf; for i = 1:{repeats}; tic; {get} t = min(t, toc); end",
                   f'printf("{name} %.17g", t); printf(" %.17g", r); printf("\\n");']
    out = subprocess.run([exe, "--no-gui", "--quiet"], input="\n".join(script) + "\n", capture_output=True,
                         text=True, timeout=600).stdout
    result = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] in body:
            result[parts[0]] = (float(parts[1]), np.array([float(x) for x in parts[2:]]))
    return result


def compare(points=10_000, repeats=5):
    """``{name: (ours s, Octave s or None, max relative difference or None)}``."""
    mine, theirs = ours(points, repeats), octave(points, repeats)
    out = {}
    for name, (t, values) in mine.items():
        if not theirs or name not in theirs:
            out[name] = (t, None, None)
            continue
        o, ref = theirs[name]
        diff = float(np.max(np.abs(values - ref) / np.maximum(np.abs(ref), 1e-300)))
        if diff > 1e-9:
            raise AssertionError(f"{name}: ours and Octave's differ by {diff:.2e} (relative)")
        out[name] = (t, o, diff)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    for name, (t, o, diff) in compare(args.points, args.repeats).items():
        peer = "Octave: not installed" if o is None else f"Octave {o * 1e3:.2f} ms ({o / t:.1f}x; agree to {diff:.0e})"
        print(f"{LABELS[name]:>24}, {args.points} loads: {t * 1e3:.3f} ms | {peer}")


if __name__ == "__main__":
    main()
