"""Open multi-class BCMP networks: textbook values, GNU Octave's qnom, limits, laws, simulation, bad input."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from octave_peer import matrix, octave_lines, printing
from virtmodel import ParameterError, UnstableError
from virtmodel.queueing import MulticlassNetworkResult, NetworkResult, open_multiclass, open_network
from virtmodel.simulate import simulate_multiclass_network

INF = np.inf
R = sp.Rational


def test_lazowska_two_class_example_exactly():
    # Lazowska, Zahorjan, Graham, Sevcik, "Quantitative System Performance" (1984), section 7.4.1
    # (as in GNU Octave queueing's qnom test "example p. 138"): class A (3/19 jobs/s) visits the
    # CPU 10 times (0.1 s each) and the disk 9 times (1/3 s); class B (2/19 jobs/s) 5 x 0.4 s and 4 x 1 s.
    # Book values: X_A,cpu = 1.58, U_A,cpu = 0.158, Q_A,cpu = 0.25, and R_A,cpu = 0.158 per visit.
    r = open_multiclass([R(3, 19), R(2, 19)], service_times=[[R(1, 10), R(2, 5)], [R(1, 3), 1]],
                        visits=[[10, 5], [9, 4]], stations=["cpu", "disk"], classes=["A", "B"])
    cell = {"station": "cpu", "class": "A"}
    assert r.throughput.sel(cell).item() == R(30, 19)
    assert r.utilization.sel(cell).item() == R(3, 19)
    assert r.number_in_system.sel(cell).item() == R(1, 4)
    assert r.response_time.sel(cell).item() == R(19, 120)  # 0.1 / (1 - 7/19)
    assert r.station_utilization.values.tolist() == [R(7, 19), R(17, 19)]
    assert r.system_response_time.sel({"class": "A"}).item() == R(19, 12) + R(57, 2)


def test_bolch_example_with_class_routing():
    # Bolch, Greiner, de Meer, Trivedi, "Queueing Networks and Markov Chains", Example 7.7
    # (as reproduced in GNU Octave queueing's qnom tests): total utilizations 0.833, 0.442, 0.354
    P = np.zeros((2, 3, 3))
    P[0] = [[0, 0.4, 0.3], [0.6, 0, 0.4], [0.5, 0.5, 0]]
    P[1] = [[0, 0.3, 0.6], [0.7, 0, 0.3], [0.4, 0.6, 0]]
    S = np.array([[1 / 8, 1 / 24], [1 / 12, 1 / 32], [1 / 16, 1 / 36]])
    gamma = np.array([[1.0, 1.0], [0, 0], [0, 0]])
    r = open_multiclass(gamma, service_times=S, routing=P)
    assert r.station_utilization.values == pytest.approx([0.833, 0.442, 0.354], abs=1e-3)
    assert r.visits.values.T == pytest.approx(np.array([[3.333, 2.292, 1.917], [10, 8.049, 8.415]]), abs=2e-3)


@pytest.fixture(scope="module")
def qnom():
    # peer: GNU Octave queueing (1.2.7 here), qnom(lambda, S, V, m); its V is per job of all classes
    # together, hence diag(lambda / sum(lambda)) * V
    lam = np.array([0.3, 0.2, 0.1])
    S = np.array([[0.5, 0.8, 1.2, 0.5], [0.4, 0.8, 0.6, 1.0], [0.9, 0.8, 0.3, 1.0]])
    V = np.array([[2, 1, 1, 1], [1, 2, 0.5, 1], [1, 1, 3, 1]])
    lines = octave_lines(f"lambda = {matrix(lam)}; [U R Q X] = qnom(lambda, {matrix(S)}, "
                         f"diag(lambda / sum(lambda)) * {matrix(V)}, [1 1 1 -1]); "
                         + printing("U", "R", "Q", "X"))
    return (lam, S, V), [a.reshape(4, 3) for a in lines]


def test_peer_octave_qnom_with_a_delay_station(qnom):
    (lam, S, V), (U, Rk, Q, X) = qnom
    r = open_multiclass(lam, service_times=S.T, visits=V.T, servers=[1, 1, 1, INF])
    assert r.utilization.values == pytest.approx(U, rel=1e-12)  # at IS: the traffic intensity, as Octave
    assert r.response_time.values == pytest.approx(Rk, rel=1e-12)
    assert r.number_in_system.values == pytest.approx(Q, rel=1e-12)
    assert r.throughput.values == pytest.approx(X, rel=1e-12)


def test_one_class_is_the_single_class_open_network():
    D, V = np.array([0.2, 0.5, 0.1, 2.0]), np.array([2.0, 1.0, 4.0, 1.0])
    servers = [1, 3, 1, INF]
    one = open_multiclass([1.5], D[:, None], servers, visits=V[:, None],
                          disciplines=["FCFS", "FCFS", "PS", "IS"])
    ref = open_network(1.5, demands=D, visits=V, servers=servers)
    for name in ("utilization", "response_time", "residence_time", "number_in_system", "throughput"):
        assert getattr(one, name).values[:, 0] == pytest.approx(getattr(ref, name), rel=1e-12), name
    assert one.system_response_time.item() == pytest.approx(ref.system_response_time, rel=1e-12)


def test_classes_with_equal_service_merge_into_one():
    # a multi-server FCFS station with class-independent service: the classes see one M/M/c queue
    S = np.array([[0.4, 0.4], [0.1, 0.1]])
    r = open_multiclass([2.0, 3.0], service_times=S, visits=[[1, 1], [2, 1]], servers=[3, 1])
    merged = open_network(5.0, visits=[1.0, 1.4], service_rates=[2.5, 10.0], servers=[3, 1])
    assert r.response_time.values == pytest.approx(np.repeat(merged.response_time[:, None], 2, 1), rel=1e-12)
    assert r.number_in_system.values.sum(axis=1) == pytest.approx(merged.number_in_system, rel=1e-12)
    assert r.station_utilization.values == pytest.approx(merged.utilization, rel=1e-12)


def test_symbolic_single_station():
    l1, l2, d1, d2 = sp.symbols("lambda_1 lambda_2 D_1 D_2", positive=True)
    r = open_multiclass([l1, l2], [[d1, d2]])
    U = l1 * d1 + l2 * d2
    assert sp.simplify(r.system_response_time.values[0] - d1 / (1 - U)) == 0
    assert sp.simplify(r.number_in_system.values[0, 1] - l2 * d2 / (1 - U)) == 0
    assert r.kind == "symbolic" and "aligned" in r._repr_latex_()


def test_symbolic_routing_and_multiserver_station():
    g, q = sp.symbols("gamma q", positive=True)
    S = [[R(1, 4), R(1, 4)], [R(1, 2), R(1, 2)]]
    r = open_multiclass([[g, 1], [0, 0]], service_times=S, routing=[[0, q], [0, 0]])
    assert r.visits.values.tolist() == [[1, 1], [q, q]]
    U0, U1 = (g + 1) / 4, q * (g + 1) / 2
    assert sp.simplify(r.system_response_time.values[0] - (R(1, 4) / (1 - U0) + q * R(1, 2) / (1 - U1))) == 0
    two = open_multiclass([g, 1], service_times=S, visits=[[1, 1], [2, 1]], servers=[2, 1])
    merged = open_network(g + 1, visits=[1, (2 * g + 1) / (g + 1)], service_rates=[4, 2], servers=[2, 1])
    assert sp.simplify(two.response_time.values[0, 0] - merged.response_time[0]) == 0  # one M/M/2 queue


def test_labels_and_table():
    r = open_multiclass([1.0, 2.0], [[0.2, 0.1], [0.3, 0.0]], stations=["cpu", "disk"],
                        classes=["web", "batch"])
    assert isinstance(r, MulticlassNetworkResult)
    assert r.utilization.dims == ("station", "class") and r.station_labels == ["cpu", "disk"]
    assert r.class_labels == ["web", "batch"] and r.stations == 2 and isinstance(r, NetworkResult)
    t = r.table()
    assert t.loc[("disk", "web"), "residence_time"] == pytest.approx(0.3 / 0.7)
    assert t.loc[("disk", "batch"), "response_time"] == 0.0  # no visits
    assert r.system_throughput.sel({"class": "batch"}).item() == 2.0
    assert set(r.to_dataset().data_vars) >= {"station_utilization", "system_response_time"}
    assert "cpu" in repr(r)


def test_unstable_scalar_names_the_station_and_sweep_gives_inf():
    D = [[0.2, 0.1], [0.3, 0.0]]
    with pytest.raises(UnstableError, match=r"station disk.*= 1\.2.*class web: 1\.2, class batch: 0"):
        open_multiclass([4.0, 1.0], D, stations=["cpu", "disk"], classes=["web", "batch"])
    r = open_multiclass(np.array([[1.0, 1.0], [4.0, 1.0]]), D)
    assert r.system_response_time.dims == ("point", "class")
    R0 = r.system_response_time.values
    assert np.isfinite(R0[0]).all() and R0[1, 0] == np.inf
    assert np.isfinite(R0[1, 1])  # class 1 never visits the saturated disk
    for name in ("residence_time", "number_in_system", "response_time"):
        assert not np.isnan(getattr(r, name).values).any()


@pytest.mark.parametrize("args, kwargs, name", [
    (([-1.0, 1.0], [[0.2, 0.1]]), {}, "arrival_rates"),
    (([1.0, 1.0], [[0.2, 0.1, 0.3]]), {}, "demands"),
    (([1.0, 1.0], [[0.2, -0.1]]), {}, "demands"),
    (([1.0], [[0.2]]), {"visits": [[1], [2]]}, "visits"),
    (([1.0], [[0.2], [0.3]]), {"visits": [[1], [0]]}, "visits"),
    ((np.ones((2, 2)),), {"service_times": [[1, 1], [1, 1]], "routing": [[0, 0.8], [0.5, 0.6]]}, "routing"),
    ((np.ones((2, 2)),), {"service_times": [[1, 1], [1, 1]], "routing": np.zeros((3, 2, 2))}, "routing"),
    ((np.ones((2, 2)),), {"service_times": [[1, 1], [1, 1]], "routing": [[0, 1.0], [1.0, 0]]}, "routing"),
    (([1.0, 1.0],), {"service_times": [[0.1, 0.2]], "visits": [[1, 1]], "disciplines": "FCFS"},
     "service_times"),
    (([1.0, 1.0],), {"service_times": [[0.1, 0.2]], "visits": [[1, 1]], "servers": 2}, "service_times"),
    (([1.0, 1.0], [[0.1, 0.2]]), {"servers": 1, "disciplines": "IS"}, "servers"),
    (([1.0, 1.0], [[0.1, 0.2]]), {"disciplines": "SJF"}, "disciplines"),
    (([1.0, 1.0], [[0.1, 0.2]]), {"servers": [1, 1]}, "servers"),
    (([1.0, 1.0], [[0.1, 0.2]]), {"classes": ["a"]}, "classes"),
    (([1.0, 1.0],), {}, "demands"),
    ((["1", 1.0], [[0.1, 0.2]]), {}, "arrival_rates"),
])
def test_bad_input_names_the_parameter(args, kwargs, name):
    with pytest.raises(ParameterError, match=name):
        open_multiclass(*args, **kwargs)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 3), st.data())
def test_laws(K, C, data):
    D = np.array(data.draw(st.lists(st.floats(0.01, 1.0), min_size=K * C, max_size=K * C))).reshape(K, C)
    lam = np.array(data.draw(st.lists(st.floats(0.0, 1.0), min_size=C, max_size=C)))
    lam = lam * 0.95 / max((D @ lam).max(), 1e-9) * data.draw(st.floats(0.05, 1.0))
    r = open_multiclass(lam, D)
    assert r.number_in_system.values == pytest.approx(lam * r.residence_time.values, rel=1e-12)  # Little
    assert r.utilization.values == pytest.approx(lam * D, rel=1e-12)  # utilization law
    assert np.all(r.residence_time.values >= D * (1 - 1e-12))
    more = open_multiclass(lam * 1.02, D)  # more load never shortens a response time
    assert np.all(more.system_response_time.values >= r.system_response_time.values * (1 - 1e-12))


@pytest.mark.parametrize("discipline", ["PS", "FCFS"])
def test_simulation_oracle(discipline):
    # BCMP: FCFS with class-independent exponential service and PS give the same means
    S = np.array([0.15, 0.25])  # per visit, class-independent
    V = np.array([[2.0, 1.0], [1.0, 2.0], [1.0, 1.0]])
    D = np.vstack([V[:2] * S[:, None], [[0.5, 0.8]]])
    lam = [1.0, 0.8]
    cf = open_multiclass(lam, D, [1, 1, INF], visits=V, disciplines=[discipline, discipline, "IS"])
    sim = simulate_multiclass_network(lam, [0, 0], D, [1, 1, INF], visits=V,
                                      disciplines=[discipline] * 2 + ["IS"],
                                      customers=30_000, seed=3)
    assert sim.system_response_time.contains(cf.system_response_time.values, 0.99, rtol=0.02)
    assert sim.residence_time.contains(cf.residence_time.values, 0.99, rtol=0.03)
    # the simulator reports 0 at a delay station; there the mean busy servers is the number present
    queueing = cf.utilization.values[:2]
    assert np.all(np.abs(sim.utilization.mean[:2] - queueing) <= 0.02 * queueing + 3 * sim.utilization.std_error[:2])
    at_delay = cf.utilization.values[2]
    assert np.all(np.abs(sim.number_in_system.mean[2] - at_delay) <= 0.02 * at_delay + 3 * sim.number_in_system.std_error[2])
