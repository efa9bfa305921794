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
