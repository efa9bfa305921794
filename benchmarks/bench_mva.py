"""Time exact MVA against GNU Octave's queueing package (qncsmva, qncmmva).

    python benchmarks/bench_mva.py [--repeats 5]

Same inputs for both (random demands, fixed seed, written to a temporary .m
file with 17 significant digits). Octave is timed inside Octave with tic/toc,
best of the repeats after one warm-up call, so its start-up is excluded; ours
with time.perf_counter, best of the repeats. The script checks that the two
agree, prints absolute times and the ratio, then how our cost grows with the
population (single class) and with the number of classes (multi-class).
Needs ``octave-cli`` with the ``queueing`` package for the comparison
(Debian: ``apt-get install octave octave-queueing``); without it only our
figures are printed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from virtmodel.queueing import mva, mva_multiclass

SEED = 20240601


def single_input(N=10_000, K=100):
    rng = np.random.default_rng(SEED)
    return rng.uniform(0.01, 1.0, K), N


def multi_input(C=3, per_class=30, K=10):
    rng = np.random.default_rng(SEED + C)
    return rng.uniform(0.05, 1.0, (K, C)), np.full(C, per_class)


def best_of(fn, repeats):
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _m(a):
    a = np.atleast_2d(a)
    return "[" + ";".join(" ".join(f"{v:.17g}" for v in row) for row in a) + "]"


def octave_times(D, N, S, Ns, repeats):
    """Best-of-``repeats`` seconds of qncsmva and qncmmva, and their throughputs."""
    K, C = S.shape
    script = f"""
pkg load queueing
warning("off", "all");
D = {_m(D)}; N = {N}; K = columns(D);
S = {_m(S.T)}; Ns = {_m(Ns)};
[U R Q X] = qncsmva(N, D, ones(1, K), ones(1, K), 0);
t1 = inf; for i = 1:{repeats}; tic; [U R Q X] = qncsmva(N, D, ones(1, K), ones(1, K), 0); t1 = min(t1, toc); end
[U2 R2 Q2 X2] = qncmmva(Ns, S, ones({C}, {K}), ones(1, {K}), zeros(1, {C}));
t2 = inf; for i = 1:{repeats}; tic; [U2 R2 Q2 X2] = qncmmva(Ns, S, ones({C}, {K}), ones(1, {K}), zeros(1, {C})); t2 = min(t2, toc); end
printf("single %.17g %.17g\\n", t1, X(1));
printf("multi %.17g", t2); printf(" %.17g", X2(:, 1)); printf("\\n");
"""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench_mva_input.m"
        path.write_text(script)
        out = subprocess.run(["octave-cli", "--no-gui", "-q", str(path)], capture_output=True, text=True,
                             timeout=3600).stdout
    single = [float(v) for v in re.search(r"^single (.*)$", out, re.M).group(1).split()]
    multi = [float(v) for v in re.search(r"^multi (.*)$", out, re.M).group(1).split()]
    return single[0], single[1], multi[0], np.array(multi[1:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats

    D, N = single_input()
    S, Ns = multi_input()
    t_single, r_single = best_of(lambda: mva(D, N), repeats)
    t_multi, r_multi = best_of(lambda: mva_multiclass(S, Ns), repeats)
    print(f"exact single-class MVA, N = {N}, K = {D.size}: virtmodel {t_single * 1e3:.1f} ms")
    print(f"exact multi-class MVA, {Ns.size} classes x {Ns[0]}, K = {S.shape[0]}: virtmodel {t_multi * 1e3:.1f} ms")
    if shutil.which("octave-cli"):
        o_single, x_single, o_multi, x_multi = octave_times(D, N, S, Ns, repeats)
        dx1 = abs(r_single.system_throughput / x_single - 1)
        dx2 = np.max(np.abs(r_multi.system_throughput / x_multi - 1))
        print(f"  Octave qncsmva {o_single * 1e3:.1f} ms -> Octave/virtmodel = {o_single / t_single:.1f}x;"
              f" throughputs agree to {dx1:.1e} (relative)")
        print(f"  Octave qncmmva {o_multi * 1e3:.1f} ms -> Octave/virtmodel = {o_multi / t_multi:.1f}x;"
              f" throughputs agree to {dx2:.1e} (relative)")
        assert dx1 < 1e-9 and dx2 < 1e-9, "virtmodel and Octave disagree"
    else:
        print("  octave-cli not found: no comparison (Debian: apt-get install octave octave-queueing)")

    print("growth, single class (K = 100): O(N K)")
    for n in (1_000, 10_000, 50_000):
        D, _ = single_input(n)
        t, _ = best_of(lambda: mva(D, n), max(1, repeats // 2))
        print(f"  N = {n:>6}: {t * 1e3:8.1f} ms  ({t / n * 1e6:.2f} us per customer)")
    print("growth, multi-class (K = 10, 30 customers per class): O(K C 31^C)")
    for C in (2, 3, 4):
        S, Ns = multi_input(C)
        t, _ = best_of(lambda: mva_multiclass(S, Ns), max(1, repeats // 2))
        print(f"  C = {C}: {t * 1e3:8.1f} ms  ({31 ** C} population vectors, {t / 31 ** C * 1e6:.2f} us each)")


if __name__ == "__main__":
    main()
