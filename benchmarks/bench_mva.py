"""Time the closed-network solvers against GNU Octave's queueing package and LINE's kernels.

    python benchmarks/bench_mva.py [--repeats 5]

Same inputs for all (random demands, fixed seed; for Octave written to a
temporary .m file with 17 significant digits). Octave is timed inside Octave
with tic/toc, best of the repeats after one warm-up call, so its start-up is
excluded; ours and LINE's (``line_solver``'s NumPy kernels ``pfqn_mva``,
``pfqn_mvald``, called in this process) with time.perf_counter, best of the
repeats. The script checks that the results agree, prints absolute times and
the ratios, then how our cost grows with the population (single class) and
with the number of classes (multi-class). Solvers: exact single-class MVA
(``qncsmva`` / ``pfqn_mva``), multi-class (``qncmmva`` / ``pfqn_mva``),
multi-server (``qncsmva`` with m / ``pfqn_mvald`` with min(n, c)),
load-dependent (``qncsmvald`` / ``pfqn_mvald``), and the normalizing constant
(``qncsconv``). Needs ``octave-cli`` with the ``queueing`` package (Debian:
``apt-get install octave octave-queueing``) and ``pip install line-solver``
(the ``bench`` extra) for the comparisons; without them only our figures
are printed.
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

from virtmodel.queueing import mva, mva_multiclass, normalizing_constant

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


def best_of_interleaved(fns, repeats):
    """Best-of-``repeats`` seconds of each function, timed in alternation (a busy machine slows all alike)."""
    best, outs = [np.inf] * len(fns), [None] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            outs[i] = fn()
            best[i] = min(best[i], time.perf_counter() - t)
    return best, outs


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
    out = _run_octave(script)
    single = [float(v) for v in re.search(r"^single (.*)$", out, re.M).group(1).split()]
    multi = [float(v) for v in re.search(r"^multi (.*)$", out, re.M).group(1).split()]
    return single[0], single[1], multi[0], np.array(multi[1:])


def line_kernels():
    """LINE's NumPy kernels ``(pfqn_mva, pfqn_mvald)``, or ``None`` when ``line_solver`` is not installed."""
    try:
        from line_solver.api.pfqn.mva import pfqn_mva
        from line_solver.api.pfqn.mvald import pfqn_mvald
    except ImportError:
        return None
    return pfqn_mva, pfqn_mvald


def line_times(D, N, S, Ns, repeats):
    """Best-of-``repeats`` seconds of LINE's ``pfqn_mva``, single and multi-class, and their throughputs."""
    pfqn_mva, _ = line_kernels()
    alternating = [lambda: pfqn_mva(D[:, None], np.array([N])), lambda: mva(D, N)]
    (t1, ours1), (out1, _) = best_of_interleaved(alternating, 2 * repeats)
    t2, out2 = best_of(lambda: pfqn_mva(S, Ns), repeats)
    return t1, float(out1[0][0, 0]), t2, np.asarray(out2[0]).ravel(), ours1


def rate_matrix(servers, rates, N):
    """mu[k, n-1] = alpha_k(n) for n = 1..N (LINE's and Octave's load-dependent input)."""
    mu = np.ones((len(servers), N))
    for k, c in enumerate(servers):
        mu[k] = np.minimum(np.arange(1, N + 1), c)
    for k, row in (rates or {}).items():
        mu[k] = np.asarray(row)[np.minimum(np.arange(N), len(row) - 1)]
    return mu


def load_dependent_inputs(N=1000, K=10):
    """A multi-server network (two stations of 4 and 8 servers) and a load-dependent one (rates n^0.7)."""
    rng = np.random.default_rng(SEED + 7)
    D = rng.uniform(0.05, 1.0, K)
    D[-2:] *= (4, 8)
    servers = [1] * (K - 2) + [4, 8]
    rates = {0: np.arange(1, 9) ** 0.7, 1: np.arange(1, 5) ** 0.7}
    return D, N, servers, rates


def load_dependent_times(repeats):
    """virtmodel, LINE and Octave on the multi-server and the load-dependent networks (seconds, X)."""
    D, N, servers, rates = load_dependent_inputs()
    Z = 2.0
    rate_rows = np.ones((D.size, 8))
    for k, r in rates.items():
        rate_rows[k] = np.asarray(r)[np.minimum(np.arange(8), len(r) - 1)]
    ours = {
        "multi-server": best_of(lambda: mva(D, N, Z, servers), repeats),
        "load-dependent": best_of(lambda: mva(D, N, Z, rates=rate_rows), repeats),
    }
    out = {name: {"virtmodel": (t, r.system_throughput)} for name, (t, r) in ours.items()}
    mus = {"multi-server": rate_matrix(servers, None, N),
           "load-dependent": rate_matrix([1] * D.size, rates, N)}
    if line_kernels() is not None:
        _, pfqn_mvald = line_kernels()
        for name, mu in mus.items():
            t, res = best_of(lambda mu=mu: pfqn_mvald(D[:, None], np.array([N]), np.array([Z]), mu), 1)
            out[name]["LINE"] = (t, float(np.asarray(res[0]).ravel()[0]))
    if shutil.which("octave-cli"):
        for name, mu in mus.items():
            out[name]["Octave"] = octave_qncsmvald(D, N, Z, mu, repeats)
    return out


def octave_qncsmvald(D, N, Z, mu, repeats):
    script = f"""
pkg load queueing
warning("off", "all");
D = {_m(D)}; mu = {_m(mu)}; S = D(:) ./ mu; N = {N}; V = ones(1, columns(D));
[U R Q X] = qncsmvald(N, S, V, {Z});
t = inf; for i = 1:{max(1, repeats // 2)}; tic; [U R Q X] = qncsmvald(N, S, V, {Z}); t = min(t, toc); end
printf("ld %.17g %.17g\\n", t, X(1));
"""
    out = _run_octave(script)
    t, x = (float(v) for v in re.search(r"^ld (.*)$", out, re.M).group(1).split())
    return t, x


def convolution_times(repeats, N=2000, K=10):
    """normalizing_constant vs Octave qncsconv (G(N), seconds)."""
    D = np.random.default_rng(SEED + 11).uniform(0.05, 1.0, K)
    t, nc = best_of(lambda: normalizing_constant(D, N), repeats)
    out = {"virtmodel": (t, nc.log_G[-1])}
    if shutil.which("octave-cli"):
        script = f"""
pkg load queueing
warning("off", "all");
D = {_m(D)}; N = {N};
[U R Q X G] = qncsconv(N, D, ones(1, columns(D)));
t = inf; for i = 1:{repeats}; tic; [U R Q X G] = qncsconv(N, D, ones(1, columns(D))); t = min(t, toc); end
printf("conv %.17g %.17g\\n", t, log(G(end)));
"""
        o, lg = (float(v) for v in re.search(r"^conv (.*)$", _run_octave(script), re.M).group(1).split())
        out["Octave"] = (o, lg)
    return out


def _run_octave(script):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench_mva_peer.m"
        path.write_text(script)
        return subprocess.run(["octave-cli", "--no-gui", "-q", str(path)], capture_output=True, text=True,
                              timeout=3600).stdout


def _print_peer(peer, names, peer_times, peer_throughputs, our_times, results):
    """One line per solver: the peer's time, the ratio, and the agreement of the throughputs."""
    for name, tp, xp, t, r in zip(names, peer_times, peer_throughputs, our_times, results):
        dx = np.max(np.abs(np.asarray(r.system_throughput) / xp - 1))
        print(f"  {peer} {name} {tp * 1e3:.1f} ms -> {peer}/virtmodel = {tp / t:.1f}x;"
              f" throughputs agree to {dx:.1e} (relative)")
        assert dx < 1e-9, f"virtmodel and {peer} disagree ({name})"


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
    results = (r_single, r_multi)
    if shutil.which("octave-cli"):
        o_single, x_single, o_multi, x_multi = octave_times(D, N, S, Ns, repeats)
        _print_peer("Octave", ("qncsmva", "qncmmva"), (o_single, o_multi), (x_single, x_multi),
                    (t_single, t_multi), results)
    else:
        print("  octave-cli not found: no comparison (Debian: apt-get install octave octave-queueing)")
    if line_kernels() is not None:
        l_single, lx_single, l_multi, lx_multi, ours = line_times(D, N, S, Ns, repeats)
        print(f"  (LINE's single-class kernel and ours timed in alternation: ours {ours * 1e3:.1f} ms)")
        _print_peer("LINE", ("pfqn_mva (single)", "pfqn_mva (multi)"), (l_single, l_multi),
                    (lx_single, lx_multi),
                    (ours, t_multi), results)
    else:
        print("  line_solver not installed: no LINE comparison (pip install line-solver)")

    D_ld, N_ld, servers_ld, rates_ld = load_dependent_inputs()
    reference = {  # an independent algorithm: X(N) = G(N-1)/G(N) by convolution
        "multi-server": normalizing_constant(D_ld, N_ld, 2.0, servers_ld).throughput[-1],
        "load-dependent": normalizing_constant(
            D_ld, N_ld, 2.0, rates=rate_matrix([1] * D_ld.size, rates_ld, 8)).throughput[-1],
    }
    for name, peers in load_dependent_times(repeats).items():
        t, x = peers.pop("virtmodel")
        assert abs(x / reference[name] - 1) < 1e-9, f"virtmodel and the convolution disagree ({name})"
        text = f"{name} MVA, N = {N_ld}, K = {D_ld.size}: virtmodel {t * 1e3:.1f} ms"
        for peer, (tp, xp) in peers.items():
            error = abs(xp / reference[name] - 1)
            text += f"; {peer} {tp * 1e3:.0f} ms ({tp / t:.0f}x, X off by {error:.1e})"
        print(text)
    conv = convolution_times(repeats)
    t, lg = conv.pop("virtmodel")
    text = f"normalizing constant (convolution), N = 2000, K = 10: virtmodel {t * 1e3:.1f} ms"
    for peer, (tp, lp) in conv.items():
        assert abs(lg - lp) < 1e-9 * abs(lp), f"virtmodel and {peer} disagree (log G)"
        text += f"; {peer} {tp * 1e3:.1f} ms ({tp / t:.1f}x)"
    print(text)

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
