"""Open Jackson networks: peer values, the tandem limit, per-visit vs per-job times, symbolic form."""

import numpy as np
import pytest
import sympy as sp

from virtmodel import ParameterError, UnstableError
from virtmodel.queueing import NetworkResult, mm1, mmc, open_network

P = [[0, 0.5, 0.3], [0.2, 0, 0.4], [0.1, 0.1, 0]]
GAMMA = [1.0, 0.5, 0.2]
MU = [5.0, 1 / 0.3, 4.0]


def test_peer_values_single_servers():
    # peer value: GNU Octave queueing 1.2.7, qnopen(1.7, [0.2 0.3 0.25], qnosvisits(P, [1 0.5 0.2]))
    r = open_network(GAMMA, P, MU)
    assert isinstance(r, NetworkResult)
    assert np.allclose(r.utilization, [0.274626865671642, 0.389925373134328, 0.282960199004975], rtol=1e-12)
    assert np.allclose(r.response_time, [0.275720164609054, 0.491743119266055, 0.348655680832611], rtol=1e-12)
    assert np.allclose(r.number_in_system, [0.378600823045268, 0.63914373088685, 0.394622723330442], rtol=1e-12)
    assert np.allclose(r.throughput, [1.37313432835821, 1.29975124378109, 1.1318407960199], rtol=1e-12)
    assert np.allclose(r.visits, [0.807726075504829, 0.76455955516535, 0.665788703541118], rtol=1e-12)
    assert r.system_throughput == pytest.approx(1.7)


def test_peer_values_multiserver():
    # peer value: GNU Octave queueing 1.2.7, qnopen(1.7, S, V, [1 2 1])
    r = open_network(GAMMA, P, MU, servers=[1, 2, 1])
    assert np.allclose(r.utilization, [0.274626865671642, 0.194962686567164, 0.282960199004975], rtol=1e-12)
    assert np.allclose(r.response_time, [0.275720164609054, 0.31185369917585, 0.348655680832611], rtol=1e-12)
    assert np.allclose(r.number_in_system, [0.378600823045268, 0.405332233381547, 0.394622723330442], rtol=1e-12)


def test_per_visit_and_per_job_times_and_totals():
    r = open_network(GAMMA, P, MU)
    assert np.allclose(r.residence_time, r.visits * r.response_time)
    assert r.system_response_time == pytest.approx(r.residence_time.sum())
    # Little's law for the whole network and per station
    assert r.system_number_in_system == pytest.approx(r.system_throughput * r.system_response_time)
    assert np.allclose(r.number_in_system, r.throughput * r.response_time)


def test_tandem_is_sum_of_mm1():
    # Jackson (1963); Burke's theorem: a tandem of M/M/1 stations
    mus = [2.0, 3.0, 1.5]
    r = open_network([1.0, 0, 0], [[0, 1, 0], [0, 0, 1], [0, 0, 0]], mus)
    assert r.system_response_time == pytest.approx(sum(mm1(1.0, mu).response_time for mu in mus))
    assert np.allclose(r.visits, 1.0)


def test_feedback_queue_visits():
    # one M/M/1 station with feedback probability q: V = 1/(1-q), station rate lambda/(1-q)
    # (Kleinrock vol. 1, sec. 4.8)
    r = open_network([1.0], [[0.5]], [4.0])
    assert r.visits[0] == pytest.approx(2.0)
    assert r.response_time[0] == pytest.approx(mm1(2.0, 4.0).response_time)
    assert r.system_response_time == pytest.approx(2 * mm1(2.0, 4.0).response_time)


def test_multiserver_station_is_mmc():
    r = open_network([3.0, 0], [[0, 1], [0, 0]], [1.0, 10.0], servers=[4, 1])
    assert r.response_time[0] == pytest.approx(mmc(3.0, 1.0, 4).response_time)


def test_symbolic_tandem():
    lam, mu1, mu2 = sp.symbols("lambda mu_1 mu_2", positive=True)
    r = open_network([lam, 0], [[0, 1], [0, 0]], [mu1, mu2])
    assert sp.simplify(r.system_response_time - (1 / (mu1 - lam) + 1 / (mu2 - lam))) == 0
    assert r.visits == sp.Matrix([1, 1])
    assert "aligned" in r._repr_latex_()
    q = sp.Symbol("q", positive=True)
    f = open_network([lam], [[q]], [mu1])
    assert sp.simplify(f.system_response_time - 1 / (1 - q) / (mu1 - lam / (1 - q))) == 0


def test_unstable_station_is_named():
    with pytest.raises(UnstableError, match="station 1"):
        open_network([1.0, 0], [[0, 1], [0, 0]], [2.0, 0.9])


@pytest.mark.parametrize(
    "args, kwargs, name",
    [(([1.0, 0], [[0, 1, 0], [0, 0, 0]], [2, 2]), {}, "routing"),  # not square
     (([1.0, 0], [[0, 0.8], [0.5, 0.6]], [2, 2]), {}, "routing"),  # row sums to 1.1
     (([1.0, 0], [[0, -0.1], [0, 0]], [2, 2]), {}, "routing"),  # negative probability
     (([1.0, 0], [[0, 1], [1, 0]], [2, 2]), {}, "routing"),  # closed: jobs never leave
     (([1.0, 0, 0], [[0, 1], [0, 0]], [2, 2]), {}, "routing"),  # routing does not match the stations
     (([[1.0, 0]], [[0, 1], [0, 0]], [2, 2]), {}, "arrival_rates"),  # not a vector
     (([1.0, 0], [[0, 1], [0, 0]], [2, 2, 2]), {}, "service_rates"),  # wrong length
     (([0.0, 0], [[0, 1], [0, 0]], [2, 2]), {}, "arrival_rates"),  # no arrivals
     (([1.0, 0], [[0, 1], [0, 0]], [2, -2]), {}, "service_rates"),
     (([1.0, 0], [[0, 1], [0, 0]], [2, 2]), {"servers": [1, 1.5]}, "servers"),
     (([1.0, 0], [[0, 1], [0, 0]], [2, 2]), {"servers": [1, 1, 1]}, "servers"),
     (([1.0, 0], [["0", 1], [0, 0]], [2, 2]), {}, "routing")],
)
def test_bad_input(args, kwargs, name):
    with pytest.raises(ParameterError, match=name):
        open_network(*args, **kwargs)


def test_visits_and_demands_forms_equal_the_routing_form():
    r = open_network(GAMMA, P, MU)
    by_visits = open_network(1.7, visits=r.visits, service_rates=MU)
    by_demands = open_network(1.7, demands=r.visits / np.array(MU), visits=r.visits)
    for other in (by_visits, by_demands):
        for name in ("utilization", "response_time", "residence_time", "number_in_system", "throughput"):
            assert np.allclose(getattr(other, name), getattr(r, name), rtol=1e-13), name
        assert other.system_response_time == pytest.approx(r.system_response_time, rel=1e-13)
    one_visit = open_network(2.0, demands=[0.1, 0.3])  # visits default to 1: the demand is the service time
    assert one_visit.system_response_time == pytest.approx(0.1 / 0.8 + 0.3 / 0.4)


def test_peer_octave_qnos_with_a_delay_station():
    # peer: GNU Octave queueing (1.2.7 here), qnos(lambda, S, V, m) with m < 1 for a delay (IS) centre
    from octave_peer import octave_lines, printing

    S, V = [0.2, 0.3, 1.5, 0.25], [1.0, 2.0, 1.0, 3.0]
    U, Rk, Q, X = octave_lines(f"[U R Q X] = qnos(1.2, {S}, {V}, [1 2 -1 1]); "
                               + printing("U", "R", "Q", "X"))
    r = open_network(1.2, visits=V, service_rates=1 / np.array(S), servers=[1, 2, np.inf, 1])
    assert r.response_time == pytest.approx(Rk, rel=1e-12)
    assert r.number_in_system == pytest.approx(Q, rel=1e-12)
    assert r.throughput == pytest.approx(X, rel=1e-12)
    assert r.utilization == pytest.approx(U, rel=1e-12)  # at the delay station: the traffic intensity 1.8


def test_delay_station_by_simulation_and_symbolically():
    from virtmodel.simulate import simulate_open_network

    routing = [[0, 1, 0], [0, 0, 0.5], [0.3, 0, 0]]
    cf = open_network([1.0, 0, 0], routing, [3.0, 4.0, 0.5], servers=[1, 2, np.inf])
    sim = simulate_open_network([1.0, 0, 0], routing, [3.0, 4.0, 0.5], servers=[1, 2, np.inf],
                                customers=30_000)
    assert sim.system_response_time.contains(cf.system_response_time, 0.99, rtol=0.02)
    assert sim.number_in_system.contains(cf.number_in_system, 0.99, rtol=0.03)
    lam, d = sp.symbols("lambda D", positive=True)
    s = open_network(lam, demands=[d, 2], servers=[1, np.inf])
    assert sp.simplify(s.system_response_time - (d / (1 - lam * d) + 2)) == 0


@pytest.mark.parametrize("args, kwargs, name", [
    ((1.0,), {}, "routing"),  # nothing describes the stations
    ((1.0,), {"visits": [1, 2]}, "routing"),  # visits without service rates
    (([1.0, 0.0],), {"demands": [0.1, 0.2]}, "arrival_rates"),  # a total rate is needed
    ((1.0, None, [2, 3]), {"demands": [0.1, 0.2]}, "service_rates"),
    ((1.0,), {"demands": [0.1, 0.0]}, "demands"),
    ((1.0,), {"demands": [0.1, 0.2], "visits": [1, 0]}, "visits"),
    ((1.0,), {"demands": [[0.1, 0.2]]}, "demands"),
    (([1.0, 0], [[0, 1], [0, 0]], [2, 2]), {"visits": [1, 1]}, "routing"),
    ((-1.0,), {"demands": [0.1]}, "arrival_rates"),
])
def test_bad_input_of_the_visits_and_demands_forms(args, kwargs, name):
    with pytest.raises(ParameterError, match=name):
        open_network(*args, **kwargs)
