"""Time the open multi-class and mixed solvers against GNU Octave's queueing (qnom, qnmix).

    python benchmarks/bench_open_mixed.py [--repeats 5]

Same inputs for both (random service times and visits, fixed seed, written
with 17 significant digits into one Octave script). Octave is timed inside
Octave with tic/toc, best of the repeats after a warm-up call (start-up
excluded); ours with time.perf_counter, best of the repeats, labelled xarray
result included. The script checks that the two agree, then prints how our
cost grows. Three comparisons: one open network (K = 100 stations, C = 10
classes), a sweep of 100 arrival-rate points (one vectorized call for us, a
loop of qnom calls in Octave, which has no sweep, timed once), and one mixed network
(K = 20, 3 open and 3 closed classes of 10 jobs). Needs ``octave-cli`` with
the ``queueing`` package for the comparison; without it only our figures are
printed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from bench_mva import _m, best_of

from virtmodel.queueing import mixed_network, open_multiclass

SEED = 20261204


def open_input(K=100, C=10, load=0.8):
    """Service times and visits (K, C), class rates giving the busiest station ``load``."""
    rng = np.random.default_rng(SEED + K + C)
    S = np.repeat(rng.uniform(0.01, 0.1, (K, 1)), C, axis=1)  # class-independent: FCFS is BCMP too
    V = rng.uniform(0.5, 3.0, (K, C))
    lam = rng.uniform(0.5, 1.5, C)
    lam *= load / ((S * V) @ lam).max()
    return lam, S, V


def sweep_input(points=100, K=100, C=10):
    lam, S, V = open_input(K, C, 0.95)
    return np.linspace(0.05, 1.0, points)[:, None] * lam[None, :], S, V


def mixed_input(K=20, opened=3, closed=3, per_class=10):
    rng = np.random.default_rng(SEED + 1)
    S = np.repeat(rng.uniform(0.01, 0.1, (K, 1)), opened + closed, axis=1)
    V = rng.uniform(0.5, 3.0, (K, opened + closed))
    lam = np.r_[rng.uniform(0.5, 1.5, opened), np.zeros(closed)]
    lam *= 0.5 / ((S * V) @ lam).max()
    N = np.r_[np.zeros(opened, dtype=int), np.full(closed, per_class)]
    return lam, N, S, V


def octave_times(repeats):
    """Best-of-``repeats`` seconds of qnom, a loop of qnom over the sweep, qnmix, and their results."""
    lam, S, V = open_input()
    sweep, _, _ = sweep_input()
    mlam, N, mS, mV = mixed_input()
    script = f"""
pkg load queueing
warning("off", "all");
lam = {_m(lam)}; S = {_m(S.T)}; V = {_m(V.T)}; Vo = diag(lam / sum(lam)) * V;
[U R Q X] = qnom(lam, S, Vo);
t1 = inf; for i = 1:{repeats}; tic; [U R Q X] = qnom(lam, S, Vo); t1 = min(t1, toc); end
L = {_m(sweep)}; Rs = zeros(rows(L), columns(L));
t2 = inf; for i = 1:1; tic;
  for p = 1:rows(L); [u r q x] = qnom(L(p, :), S, diag(L(p, :) / sum(L(p, :))) * V); Rs(p, :) = sum(r .* V, 2)'; end
  t2 = min(t2, toc); end
ml = {_m(mlam)}; mN = {_m(N)}; mS = {_m(mS.T)}; mV = {_m(mV.T)};
[U3 R3 Q3 X3] = qnmix(ml, mN, mS, mV);
t3 = inf; for i = 1:{repeats}; tic; [U3 R3 Q3 X3] = qnmix(ml, mN, mS, mV); t3 = min(t3, toc); end
printf("open %.17g", t1); printf(" %.17g", sum(R .* V, 2)); printf("\\n");
printf("sweep %.17g", t2); printf(" %.17g", Rs(end, :)); printf("\\n");
printf("mixed %.17g", t3); printf(" %.17g", sum(R3 .* mV, 2)); printf("\\n");
"""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench_open_mixed_input.m"
        path.write_text(script)
        out = subprocess.run(["octave-cli", "--no-gui", "-q", str(path)], capture_output=True, text=True,
                             timeout=3600).stdout
    rows = {}
    for name in ("open", "sweep", "mixed"):
        values = [float(v) for v in re.search(rf"^{name} (.*)$", out, re.M).group(1).split()]
        rows[name] = (values[0], np.array(values[1:]))
    return rows


def ours():
    """The three calls of the comparison, as zero-argument functions."""
    lam, S, V = open_input()
    sweep, _, _ = sweep_input()
    mlam, N, mS, mV = mixed_input()
    return {"open": lambda: open_multiclass(lam, service_times=S, visits=V),
            "sweep": lambda: open_multiclass(sweep, service_times=S, visits=V),
            "mixed": lambda: mixed_network(mlam, N, mS * mV, visits=mV)}


LABELS = {"open": "open multi-class, K = 100, C = 10, one call (qnom)",
          "sweep": "open multi-class, K = 100, C = 10, sweep of 100 points (qnom in a loop, run once)",
          "mixed": "mixed, K = 20, 3 open + 3 closed classes x 10 (qnmix)"}


def compare(repeats):
    """``{name: (ours_s, octave_s or None, max relative difference)}``."""
    calls = ours()
    times = {name: best_of(fn, repeats) for name, fn in calls.items()}
    peer = octave_times(repeats) if shutil.which("octave-cli") else {}
    out = {}
    for name, (t, r) in times.items():
        if name in peer:
            R = r.system_response_time.values
            R = R[-1] if R.ndim == 2 else R
            diff = float(np.max(np.abs(R / peer[name][1] - 1)))
            assert diff < 1e-9, f"virtmodel and Octave disagree on {name}: {diff:.2e}"
            out[name] = (t, peer[name][0], diff)
        else:
            out[name] = (t, None, None)
    return out


def growth(repeats):
    """Our time for one open call at K = 10 / 100 / 1,000 stations (C = 10)."""
    result = []
    for K in (10, 100, 1_000):
        lam, S, V = open_input(K)
        result.append((K, best_of(lambda: open_multiclass(lam, service_times=S, visits=V), repeats)[0]))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    for name, (t, o, diff) in compare(repeats).items():
        line = f"{LABELS[name]}: virtmodel {t * 1e3:.1f} ms"
        if o is not None:
            line += f", Octave {o * 1e3:.1f} ms -> Octave/virtmodel = {o / t:.1f}x; agree to {diff:.1e}"
        print(line)
    print("growth, open multi-class (C = 10): " + " / ".join(f"K = {K}: {t * 1e3:.1f} ms"
                                                             for K, t in growth(repeats)))


if __name__ == "__main__":
    main()
