"""Exact MVA against the peers, live, on random closed networks: LINE's NumPy kernels (``pfqn_mva``,
``pfqn_mvald``; skipped unless ``line-solver`` is installed: ``pip install line-solver``, the ``bench``
extra) and GNU Octave's ``queueing`` (one octave-cli run; skipped without octave-cli). Fixed seeds."""

import re
import shutil
import subprocess

import numpy as np
import pytest

from virtmodel.queueing import mva, mva_multiclass, normalizing_constant

INF = np.inf


def _line():
    try:
        from line_solver.api.pfqn.mva import pfqn_mva
        from line_solver.api.pfqn.mvald import pfqn_mvald
    except ImportError:
        pytest.skip("line-solver is not installed (pip install line-solver): no live comparison with LINE")
    return pfqn_mva, pfqn_mvald


def _networks(seed, count=5):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        K = int(rng.integers(2, 8))
        yield rng.uniform(0.05, 1.0, K), int(rng.integers(1, 60)), float(rng.uniform(0, 5))


def test_single_class_against_line_pfqn_mva():
    pfqn_mva, _ = _line()
    for D, N, Z in _networks(1):
        XN, CN, QN, UN, RN, TN, AN = pfqn_mva(D[:, None], np.array([N]), np.array([Z]))
        r = mva(D, N, Z)
        assert r.system_throughput == pytest.approx(XN[0, 0], rel=1e-12)
        assert r.number_in_system == pytest.approx(QN[:, 0], rel=1e-12)
        assert r.residence_time == pytest.approx(RN[:, 0], rel=1e-12)


def test_multi_class_against_line_pfqn_mva():
    pfqn_mva, _ = _line()
    rng = np.random.default_rng(2)
    for _ in range(3):
        K, C = int(rng.integers(2, 6)), int(rng.integers(2, 4))
        D, Ns, Z = rng.uniform(0.05, 1.0, (K, C)), rng.integers(0, 8, C), rng.uniform(0, 3, C)
        Ns[0] = max(Ns[0], 1)
        XN, CN, QN, UN, RN, TN, AN = pfqn_mva(D, Ns, Z)
        r = mva_multiclass(D, Ns, Z)
        assert r.system_throughput == pytest.approx(np.ravel(XN), rel=1e-12)
        assert r.number_in_system == pytest.approx(QN, rel=1e-12)


def test_load_dependent_against_line_pfqn_mvald():
    _, pfqn_mvald = _line()
    rng = np.random.default_rng(3)
    for D, N, Z in _networks(3):
        c = rng.integers(1, 4, D.size)
        alpha = np.minimum(np.arange(1, N + 1)[None, :], c[:, None]) ** rng.uniform(0.5, 1.0, (D.size, 1))
        out = pfqn_mvald(D[:, None], np.array([N]), np.array([Z]), alpha)
        r = mva(D, N, Z, rates=alpha)
        assert r.system_throughput == pytest.approx(np.ravel(out[0])[0], rel=1e-9)
        assert r.number_in_system == pytest.approx(np.ravel(out[1]), rel=1e-9)


def _m(a):
    return "[" + ";".join(" ".join(f"{v:.17g}" for v in row) for row in np.atleast_2d(a)) + "]"


@pytest.mark.skipif(shutil.which("octave-cli") is None,
                    reason="octave-cli with the queueing package not installed")
def test_against_octave_qncsmva_qncsmvald_qncsconv_qncmmva_live():
    rng = np.random.default_rng(4)
    D, N, Z = rng.uniform(0.05, 1.0, 6), 40, 1.5
    m = np.array([1, 2, 1, 3, -1, 1])  # Octave: -1 = delay station
    alpha = np.minimum(np.arange(1, N + 1)[None, :], [[1], [2], [1], [3], [N], [1]]) ** 0.8
    S2, N2 = rng.uniform(0.05, 1.0, (4, 2)), [6, 5]
    S2[0] = S2[0, 0]  # Octave: a multi-server (FCFS) station needs the same service time for every class
    script = f"""
pkg load queueing
warning("off", "all");
D = {_m(D)}; N = {N}; V = ones(1, 6);
[U R Q X] = qncsmva(N, D, V, {_m(m)}, {Z}); printf("mva %.17g\\n", X(1));
printf("mvaQ"); printf(" %.17g", Q); printf("\\n");
S = D(:) ./ {_m(alpha)};
[U R Q X] = qncsmvald(N, S, V, {Z}); printf("mvald %.17g\\n", X(1));
[U R Q X G] = qncsconv(N, [D {Z}], [V 1], [1 1 1 1 1 1 -1]);
printf("conv"); printf(" %.17g", G); printf("\\n");
[U R Q X] = qncmmva({_m(N2)}, {_m(S2.T)}, ones(2, 4), [2 1 1 -1], [0.5 1]);
printf("multi"); printf(" %.17g", X(:, 1)); printf("\\n");
"""
    out = subprocess.run(["octave-cli", "--no-gui", "-q", "--eval", script], capture_output=True, text=True,
                         timeout=120).stdout

    def values(tag):
        return np.array([float(v) for v in re.search(rf"^{tag} (.*)$", out, re.M).group(1).split()])

    r = mva(D, N, Z, [1, 2, 1, 3, INF, 1])
    assert r.system_throughput == pytest.approx(values("mva")[0], rel=1e-12)
    assert r.number_in_system == pytest.approx(values("mvaQ"), rel=1e-10)
    assert mva(D, N, Z, rates=alpha).system_throughput == pytest.approx(values("mvald")[0], rel=1e-10)
    G = normalizing_constant(list(D) + [Z], N, 0, [1] * 6 + [INF]).G  # the think time as a delay station
    assert G == pytest.approx(values("conv"), rel=1e-11)
    multi = mva_multiclass(S2, N2, [0.5, 1], [2, 1, 1, INF])
    assert multi.system_throughput == pytest.approx(values("multi"), rel=1e-12)
