"""Percentiles of every single station against the simulation oracle (issue 11), not only means.

Exact laws (M/M/1, M/M/c, M/M/c/K mixture, M/M/1-PS, M/M/inf) must lie in the 99% batch-means
interval; approximations are held to stated tolerances with the errors observed recorded.
"""

import pytest

from virtmodel.queueing import gg1, ggc, mg1, mg1_ps, mmck, mminf
from virtmodel.simulate import simulate_gg1, simulate_ggc, simulate_ps

CONF = 0.99
LEVELS = (0.5, 0.95, 0.99)


@pytest.mark.parametrize("rho", [0.5, 0.8])
def test_mm1_ps_exact_percentiles(rho):
    # issue 11: the package gave 3.47/14.98/23.03 at rho = 0.8 (exponential); the law is not exponential
    exact = mg1_ps(rho, 1.0)
    sim = simulate_ps(rho, 1.0, customers=4 * 10**5, seed=31)
    for p in LEVELS:
        assert sim.response_time_percentile(p).contains(exact.response_time_percentile(p), CONF), p


@pytest.mark.parametrize("lam, c, K", [(1.6, 2, 5), (0.8, 1, 4), (3.0, 2, 4)])
def test_mmck_exact_mixture_percentiles(lam, c, K):
    exact = mmck(lam, 1.0, c, K)
    sim = simulate_ggc(lam, 1.0, c, capacity=K, customers=4 * 10**5, seed=13)
    for p in LEVELS:
        assert sim.response_time_percentile(p).contains(exact.response_time_percentile(p), CONF), p


def test_mminf_percentiles():
    exact = mminf(3.0, 1.0)
    sim = simulate_ggc(3.0, 1.0, 60, customers=2 * 10**5, seed=32)  # 60 servers for a load of 3: no wait
    for p in LEVELS:
        assert sim.response_time_percentile(p).contains(exact.response_time_percentile(p), CONF), p


# Gamma fits to exact (M/G/1) or approximate (G/G) moments. Relative errors measured with these
# seeds (Estimate.relative_error, 4x10^5 customers) at p50/p95/p99: M/G/1 +2.9/+2.3/-1.5%;
# G/G/1 Kingman -10.1/-2.9/+0.0%; G/G/3 Allen-Cunneen +3.8/-0.7/-1.0% (before the conditional wait's
# second moment of queueing/mgc.py: -9.2/-4.3/-2.0% and +4.4/-1.7/-2.3%). Tolerances: 5%, 15%, 10%.
APPROXIMATE = {
    # name: (closed form, simulation, tolerance)
    "M/G/1 scv 2": (lambda: mg1(0.7, 1.0, 2.0),
                    lambda: simulate_gg1(0.7, 1.0, 1.0, 2.0, customers=4 * 10**5, seed=33), 0.05),
    "G/G/1 Kingman": (lambda: gg1(0.7, 1.0, 0.5, 0.5),
                      lambda: simulate_gg1(0.7, 1.0, 0.5, 0.5, customers=4 * 10**5, seed=34), 0.15),
    "G/G/3 Allen-Cunneen": (lambda: ggc(2.1, 1.0, 3, 1.5, 0.5),
                            lambda: simulate_ggc(2.1, 1.0, 3, 1.5, 0.5, arrival_family="hyperexponential",
                                                 customers=4 * 10**5, seed=35), 0.10),
}


@pytest.mark.parametrize("name", APPROXIMATE)
def test_approximate_percentiles(name):
    model, simulate, tol = APPROXIMATE[name]
    exact, sim = model(), simulate()
    for p in LEVELS:
        err = sim.response_time_percentile(p).relative_error(exact.response_time_percentile(p))
        assert abs(err) < tol, (name, p, err)
