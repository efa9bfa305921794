"""M/M/inf, Engset, staffing, the M/M/c service level and state probabilities (issue 11).

Independent sources: GNU Octave's ``queueing`` package (qsmm1, qsmmm, qsmmmk, qsmminf, erlangb,
erlangc, engset; skipped with a reason when octave is absent), textbook values, limiting cases
and brute-force checks of the staffing answers.
"""

import math
import shutil
import subprocess

import numpy as np
import pytest
import sympy as sp

from virtmodel import ParameterError, SymbolicUnsupportedError, UnstableError
from virtmodel.queueing import (engset, erlang_b, erlang_c, mm1_state_probability, mmc, mmc_service_level,
                                mmc_state_probability, mmck, mmck_state_probability, mminf, staffing)

OCTAVE = shutil.which("octave")
OCTAVE_CODE = """pkg load queueing;
[U R Q X p0] = qsmm1(0.8, 1); printf("%.15g\\n", p0);
[U R Q X p0 pm] = qsmmm(3, 1, 4); printf("%.15g\\n", p0, pm);
[U R Q X p0 pK] = qsmmmk(3, 1, 2, 5); printf("%.15g\\n", p0, pK);
[U R Q X p0] = qsmminf(2, 1); printf("%.15g\\n", U, R, Q, X, p0);
printf("%.15g\\n", erlangb(5, 10), erlangc(3, 4), engset(2, 3, 5), engset(0.1, 4, 30));
"""


@pytest.fixture(scope="module")
def octave_values():
    if OCTAVE is None:
        pytest.skip("GNU Octave is not installed (the peer check needs octave + queueing)")
    out = subprocess.run([OCTAVE, "--no-gui", "--quiet", "--eval", OCTAVE_CODE], capture_output=True,
                         text=True, timeout=60)
    if out.returncode != 0:
        pytest.skip(f"octave queueing package unavailable: {out.stderr.strip()[:200]}")
    return [float(v) for v in out.stdout.split()]


def test_against_octave_queueing(octave_values):
    (mm1_p0, mmm_p0, mmm_pm, mmmk_p0, mmmk_pk, inf_u, inf_r, inf_q, inf_x, inf_p0,
     eb, ec, es1, es2) = octave_values
    assert mm1_state_probability(0.8, 1.0, 0) == pytest.approx(mm1_p0, rel=1e-12)
    assert mmc_state_probability(3.0, 1.0, 4, 0) == pytest.approx(mmm_p0, rel=1e-12)
    pm = 1 - sum(mmc_state_probability(3.0, 1.0, 4, n) for n in range(4))  # P(all busy) = Erlang C
    assert pm == pytest.approx(mmm_pm, rel=1e-12)
    assert mmck_state_probability(3.0, 1.0, 2, 5, 0) == pytest.approx(mmmk_p0, rel=1e-12)
    assert mmck_state_probability(3.0, 1.0, 2, 5, 5) == pytest.approx(mmmk_pk, rel=1e-12)
    r = mminf(2.0, 1.0)  # Octave's U is the mean number of busy servers
    mine = (r.number_in_system, r.response_time, r.throughput)
    assert mine == pytest.approx((inf_u, inf_r, inf_x), rel=1e-12)
    assert inf_q == pytest.approx(r.number_in_system) and inf_p0 == pytest.approx(math.exp(-2.0), rel=1e-12)
    assert erlang_b(10, 5.0) == pytest.approx(eb, rel=1e-12)
    assert erlang_c(4, 3.0) == pytest.approx(ec, rel=1e-12)
    assert engset(5, 3, 2.0) == pytest.approx(es1, rel=1e-12)  # call congestion, 5 sources
    assert engset(30, 4, 0.1) == pytest.approx(es2, rel=1e-12)


def test_state_probabilities_sum_to_one_and_match_the_means():
    n = np.arange(2000)
    p = np.array([mmc_state_probability(3.5, 1.0, 4, k) for k in n])
    assert p.sum() == pytest.approx(1.0, rel=1e-12)
    assert (n * p).sum() == pytest.approx(mmc(3.5, 1.0, 4).number_in_system, rel=1e-10)
    q = np.array([mmck_state_probability(3.0, 1.0, 2, 7, k) for k in range(9)])
    assert q.sum() == pytest.approx(1.0) and q[8] == 0.0
    assert (np.arange(9) * q).sum() == pytest.approx(mmck(3.0, 1.0, 2, 7).number_in_system, rel=1e-12)
    # one server: M/M/c is M/M/1
    one = mm1_state_probability(0.6, 1.0, 3)
    assert mmc_state_probability(0.6, 1.0, 1, 3) == pytest.approx(one, rel=1e-12)
    # a million servers: no overflow, and P(n >= c) is Erlang C
    c, a = 10**6, 999_000.0
    assert mmc_state_probability(a, 1.0, c, c) / (1 - a / c) == pytest.approx(erlang_c(c, a), rel=1e-9)


def test_state_probability_kinds_and_errors():
    a = sp.Symbol("a", positive=True)
    assert sp.simplify(mmc_state_probability(a, 1, 2, 0) - (2 - a) / (2 + a)) == 0  # Gross et al. 2.3
    assert mm1_state_probability(a, 1, 2) == a**2 * (1 - a)
    sweep = mm1_state_probability(np.array([0.5, 1.5]), 1.0, 1)
    assert sweep[0] == pytest.approx(0.25) and sweep[1] == 0.0  # no steady state past saturation
    with pytest.raises(UnstableError):
        mmc_state_probability(5.0, 1.0, 4, 0)
    with pytest.raises(ParameterError, match="n"):
        mm1_state_probability(0.5, 1.0, -1)


def test_mminf_is_the_many_server_limit():
    lam = np.array([0.0, 1.0, 50.0])
    r = mminf(lam, 2.0)
    assert np.allclose(r.number_in_system, lam / 2) and np.allclose(r.response_time, 0.5)
    big = mmc(lam, 2.0, 1000)
    assert np.allclose(big.response_time, r.response_time, rtol=1e-12)
    assert r.response_time_percentile(0.99) == pytest.approx(-0.5 * np.log(0.01))
    lam_s, mu_s = sp.symbols("lambda mu", positive=True)
    assert mminf(lam_s, mu_s).number_in_system == lam_s / mu_s


def test_engset_limits_and_symbolic():
    # many sources with the total offered load fixed: Erlang B (Gross et al. 2.8)
    assert engset(10**7, 10, 5.0 / 10**7) == pytest.approx(erlang_b(10, 5.0), rel=1e-5)
    assert engset(3, 3, 2.0) == 0.0 and engset(4, 3, 2.0, congestion="time") > 0
    b = sp.Symbol("beta", positive=True)
    # N = 3 sources, 1 server: call congestion 2 beta / (1 + 2 beta) (two other sources can hold it)
    assert sp.simplify(engset(3, 1, b) - 2 * b / (1 + 2 * b)) == 0
    assert sp.simplify(engset(3, 1, b, congestion="time") - 3 * b / (1 + 3 * b)) == 0
    assert np.allclose(engset(5, 2, np.array([0.1, 1.0])), [engset(5, 2, 0.1), engset(5, 2, 1.0)])


def test_service_level_is_the_waiting_time_cdf():
    # at t = 0 it is 1 - C; exponential tail of rate c mu - lambda
    assert mmc_service_level(1.0, 1.0, 2, 0.0) == pytest.approx(2 / 3)
    t = 0.7
    assert mmc_service_level(1.0, 1.0, 2, t) == pytest.approx(1 - erlang_c(2, 1.0) * math.exp(-t), rel=1e-12)
    # the median wait (internal quantile) has service level 0.5
    from virtmodel.queueing.mmc import mmc_waiting_quantile
    w50 = float(mmc_waiting_quantile(3.5, 1.0, 4, 0.5))
    assert mmc_service_level(3.5, 1.0, 4, w50) == pytest.approx(0.5, rel=1e-12)
    lam = sp.Symbol("lambda", positive=True)
    expr = mmc_service_level(lam, 1, 1, 2)
    assert sp.simplify(expr - (1 - lam * sp.exp(-2 * (1 - lam)))) == 0  # M/M/1: 1 - rho e^{-(mu-lambda)t}
    assert mmc_service_level(np.array([1.0, 3.0]), 1.0, 2, 1.0)[1] == 0.0


@pytest.mark.parametrize("a", [0.5, 5.0, 37.3, 400.0])
def test_staffing_is_the_fewest_servers(a):
    cb = staffing(a, 1.0, blocking=0.01)
    assert erlang_b(cb, a) <= 0.01 < erlang_b(cb - 1, a) if cb > 1 else erlang_b(cb, a) <= 0.01
    cw = staffing(a, 1.0, waiting_probability=0.2)
    assert erlang_c(cw, a) <= 0.2 and (cw - 1 <= a or erlang_c(cw - 1, a) > 0.2)
    cm = staffing(2 * a, 2.0, mean_wait=0.05)
    assert mmc(2 * a, 2.0, cm).waiting_time <= 0.05
    assert cm - 1 <= a or mmc(2 * a, 2.0, cm - 1).waiting_time > 0.05
    cs = staffing(a, 1.0, service_level=0.8, target_time=0.2)
    assert mmc_service_level(a, 1.0, cs, 0.2) >= 0.8
    assert cs - 1 <= a or mmc_service_level(a, 1.0, cs - 1, 0.2) < 0.8


def test_staffing_textbook_and_errors():
    assert staffing(5.0, 1.0, blocking=0.02) == 10  # Erlang B table: B(9, 5) = 0.0376, B(10, 5) = 0.0184
    assert list(staffing(np.array([5.0, 10.0]), 1.0, blocking=0.02)) == [10, 17]  # B(17, 10) = 0.0129
    with pytest.raises(ParameterError, match="exactly one"):
        staffing(5.0, 1.0)
    with pytest.raises(ParameterError, match="target_time"):
        staffing(5.0, 1.0, service_level=0.8)
    with pytest.raises(ParameterError, match="blocking"):
        staffing(5.0, 1.0, blocking=1.5)
    with pytest.raises(SymbolicUnsupportedError):
        staffing(sp.Symbol("l", positive=True), 1.0, blocking=0.01)
