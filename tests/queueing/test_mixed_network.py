"""Mixed BCMP networks: textbook values, GNU Octave's qnmix, limits, laws, simulation, bad input."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from octave_peer import matrix, octave_lines, printing
from virtmodel import ParameterError, UnstableError
from virtmodel.queueing import mixed_network, mva_multiclass, open_multiclass
from virtmodel.simulate import simulate_multiclass_network

INF = np.inf
R = sp.Rational


def test_lazowska_mixed_example_exactly():
    # Lazowska, Zahorjan, Graham, Sevcik, "Quantitative System Performance" (1984), section 7.4.3,
    # as in GNU Octave queueing's qnmix test "Example p. 148": two open classes (1 and 1/2 per s),
    # two closed classes of one job each; closed queue lengths 4/19, 15/19 and 5/19, 14/19.
    D = [[R(1, 4), R(1, 2), R(1, 2), 1], [R(1, 6), 1, 1, R(4, 3)]]
    r = mixed_network([1, R(1, 2), 0, 0], [0, 0, 1, 1], D)
    assert r.number_in_system.values[:, 2].tolist() == [R(4, 19), R(15, 19)]
    assert r.number_in_system.values[:, 3].tolist() == [R(5, 19), R(14, 19)]
    assert r.system_number_in_system.values[2:].tolist() == [1, 1]  # every closed job is somewhere


def test_bolch_mixed_example():
    # Bolch, Greiner, de Meer, Trivedi, "Queueing Networks and Markov Chains", Example 8.6 (3 decimals,
    # as reproduced in GNU Octave queueing's qnmix tests); open classes 0, 1, closed 2, 3 (one job each)
    V = np.array([[2, 1], [2.5, 1.5], [1, 0.5], [1, 0.4]]).T
    S = np.array([[0.4, 0.6], [0.8, 1.6], [0.3, 0.5], [0.5, 0.8]]).T
    r = mixed_network([0.5, 0.25, 0, 0], [0, 0, 1, 1], S * V, visits=V)
    assert r.utilization.values[:, :2].T == pytest.approx(np.array([[0.4, 0.3], [0.5, 0.6]]), abs=1e-3)
    assert r.response_time.values.T == pytest.approx(np.array(
        [[8.822, 10.766], [17.645, 28.710], [4.829, 6.951], [7.727, 11.636]]), abs=1e-3)
    assert r.number_in_system.values[:, 2:].T == pytest.approx(np.array([[0.582, 0.418], [0.624, 0.376]]),
                                                               abs=1e-3)
    assert r.system_throughput.values[2:] == pytest.approx([0.120, 0.081], abs=1e-3)


def test_schwetman_open_class_skipping_a_station():
    # H. Schwetman, "Implementing the Mean Value Algorithm for the Solution of Queueing Network
    # Models", Purdue CSD-TR-355 (1982), figure 10 (as in Octave's qnmix tests): R = 1.201, 0.885, 0.135
    r = mixed_network([1, 0], [0, 3], [[0.25, 0.25], [0, 0.10]], visits=[[1, 1], [0, 1]])
    assert [r.response_time.values[0, 0], r.response_time.values[0, 1], r.response_time.values[1, 1]] == \
        pytest.approx([1.201, 0.885, 0.135], abs=1e-3)
    assert r.response_time.values[1, 0] == 0 and r.throughput.values[0, 0] == 1.0


def test_peer_octave_qnmix():
    # peer: GNU Octave queueing (1.2.7 here), qnmix(lambda, N, S, V) (classes x stations; single-server
    # stations only: its m argument is checked against the number of classes and fails with delays)
    lam, N = np.array([0.4, 0, 0.3, 0]), np.array([0, 3, 0, 2])
    S = np.array([[0.5, 0.3, 0.2], [0.4, 0.8, 0.1], [0.2, 0.1, 0.9], [0.6, 0.3, 0.4]])
    V = np.array([[1, 2, 1], [2, 1, 1], [1, 1, 1.5], [1, 3, 1]])
    U, Rk, Q, X = (a.reshape(3, 4) for a in octave_lines(
        f"[U R Q X] = qnmix({matrix(lam)}, {matrix(N)}, {matrix(S)}, {matrix(V)}); "
        + printing("U", "R", "Q", "X")))
    r = mixed_network(lam, N, (S * V).T, visits=V.T)
    opened = lam > 0
    assert r.utilization.values[:, opened] == pytest.approx(U[:, opened], rel=1e-12)
    # Octave 1.2.7 reports the closed classes' utilization as X(c,k) .* S(c,k) .* V(c,k), its station
    # throughput times the demand (V times too large); the utilization is station throughput x service time:
    assert r.utilization.values[:, ~opened] == pytest.approx((X * S.T)[:, ~opened], rel=1e-12)
    assert r.response_time.values == pytest.approx(Rk, rel=1e-12)
    assert r.number_in_system.values == pytest.approx(Q, rel=1e-12)
    assert r.throughput.values == pytest.approx(X, rel=1e-12)


def test_no_open_classes_is_multiclass_mva():
    D = np.array([[0.3, 0.2], [0.5, 0.4], [1.0, 2.0]])
    r = mixed_network([0, 0], [3, 2], D, [1, 1, INF], think_times=[1.0, 2.0])
    ref = mva_multiclass(D, [3, 2], [1.0, 2.0], [1, 1, INF])
    assert r.system_throughput.values == pytest.approx(ref.system_throughput, rel=1e-13)
    assert r.residence_time.values == pytest.approx(ref.residence_time, rel=1e-13)
    assert r.utilization.values == pytest.approx(ref.utilization, rel=1e-13)


def test_no_closed_classes_is_the_open_network():
    D = np.array([[0.3, 0.2], [0.5, 0.4], [1.0, 2.0]])
    r = mixed_network([0.6, 0.5], [0, 0], D, [1, 1, INF])
    ref = open_multiclass([0.6, 0.5], D, [1, 1, INF])
    for name in ("utilization", "residence_time", "number_in_system", "throughput"):
        assert getattr(r, name).values == pytest.approx(getattr(ref, name).values, rel=1e-13), name


def test_delay_station_keeps_closed_demand():
    # at a delay station neither the open load nor the closed queue slows anybody down
    r = mixed_network([0.5, 0], [0, 2], [[0.4, 0.3], [2.0, 1.0]], [1, INF])
    assert r.residence_time.values[1].tolist() == [2.0, 1.0]
    alone = mva_multiclass([[0.3 / (1 - 0.2)], [1.0]], [2], 0, [1, INF])
    assert r.system_throughput.values[1] == pytest.approx(alone.system_throughput[0], rel=1e-13)


def test_symbolic_one_station_by_hand():
    lam, d_o, d_c, Z = sp.symbols("lambda D_o D_c Z", positive=True)
    r = mixed_network([lam, 0], [0, 1], [[d_o, d_c]], think_times=[0, Z])
    inflated = d_c / (1 - lam * d_o)
    X = 1 / (Z + inflated)
    assert sp.simplify(r.system_throughput.values[1] - X) == 0
    assert sp.simplify(r.residence_time.values[0, 0] - d_o * (1 + X * inflated) / (1 - lam * d_o)) == 0


def test_unstable_open_load_and_sweep():
    D = [[0.5, 0.2], [0.1, 0.3]]
    with pytest.raises(UnstableError, match=r"station cpu.*utilization = 1\.25.*\(class web: 1\.25\)"):
        mixed_network([2.5, 0], [0, 2], D, stations=["cpu", "disk"], classes=["web", "batch"])
    r = mixed_network(np.array([[1.0, 0], [2.5, 0]]), [0, 2], D)
    assert r.system_response_time.dims == ("point", "class")
    assert np.isfinite(r.system_response_time.values[0]).all()
    assert (r.system_response_time.values[1] == INF).all() and r.system_throughput.values[1, 1] == 0
    assert not np.isnan(r.number_in_system.values).any()
    ok = mixed_network([1.0, 0], [0, 2], D)
    assert r.residence_time.values[0] == pytest.approx(ok.residence_time.values)


@pytest.mark.parametrize("args, kwargs, name", [
    (([1.0, 0.5], [0, 2], [[0.2, 0.1]]), {}, "arrival_rates"),  # open and closed at once
    (([-1.0, 0], [0, 2], [[0.2, 0.1]]), {}, "arrival_rates"),
    (([1.0, 0], [0, 2, 1], [[0.2, 0.1]]), {}, "populations"),
    (([1.0, 0], [0, 1.5], [[0.2, 0.1]]), {}, "populations"),
    (([1.0, 0], [0, 2], [[0.2, 0.1, 0.3]]), {}, "demands"),
    (([1.0, 0], [0, 2], [[0.2, 0.1]]), {"servers": 2}, "servers"),
    (([1.0, 0], [0, 2], [[0.2, 0.1]]), {"think_times": [0, -1]}, "think_times"),
    (([1.0, 0], [0, 2], [[0.2, 0.1]]), {"visits": [[1, 0]]}, "visits"),
    ((["x", 0], [0, 2], [[0.2, 0.1]]), {}, "arrival_rates"),
])
def test_bad_input_names_the_parameter(args, kwargs, name):
    with pytest.raises(ParameterError, match=name):
        mixed_network(*args, **kwargs)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3), st.data())
def test_laws(K, data):
    D = np.array(data.draw(st.lists(st.floats(0.05, 1.0), min_size=2 * K, max_size=2 * K))).reshape(K, 2)
    N = data.draw(st.integers(1, 5))
    Z = data.draw(st.floats(0.0, 3.0))
    lam = 0.9 / D[:, 0].max() * data.draw(st.floats(0.05, 1.0))
    r = mixed_network([lam, 0], [0, N], D, think_times=Z)
    X = r.system_throughput.values
    assert N == pytest.approx(X[1] * (r.system_response_time.values[1] + Z), rel=1e-9)  # Little, closed
    assert r.number_in_system.values[:, 0] == pytest.approx(lam * r.residence_time.values[:, 0], rel=1e-12)
    alone = mva_multiclass(D[:, [1]], [N], Z)
    assert X[1] <= alone.system_throughput[0] * (1 + 1e-12)  # open load only slows the closed class
    open_alone = open_multiclass([lam], D[:, [0]])
    assert np.all(r.residence_time.values[:, 0] >= open_alone.residence_time.values[:, 0] * (1 - 1e-12))


def test_simulation_oracle():
    D = np.array([[0.2, 0.1], [0.3, 0.4], [0.5, 0.5]])
    V = np.array([[2, 1], [1, 2], [1, 1.0]])
    cf = mixed_network([1.0, 0], [0, 3], D, [1, 1, INF], visits=V, think_times=[0, 1.0])
    sim = simulate_multiclass_network([1.0, 0], [0, 3], D, [1, 1, INF], visits=V, think_times=[0, 1.0],
                                      disciplines=["PS", "PS", "IS"], customers=30_000, seed=5)
    assert sim.system_response_time.contains(cf.system_response_time.values, 0.99, rtol=0.02)
    assert sim.system_throughput.contains(cf.system_throughput.values, 0.99, rtol=0.02)
    assert sim.number_in_system.contains(cf.number_in_system.values, 0.99, rtol=0.03)
