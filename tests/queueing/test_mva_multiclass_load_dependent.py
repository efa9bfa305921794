"""Multi-server and load-dependent stations in exact multi-class MVA, labelled results and limits:
against the brute-force product-form oracle, GNU Octave's qncmmva and the single-class solver."""

from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp

from product_form_oracle import solve
from virtmodel import ParameterError
from virtmodel.queueing import mva, mva_multiclass

INF = np.inf


def rat(f):
    return sp.Rational(f.numerator, f.denominator)


@pytest.mark.parametrize("Z", [[F(1), F(1, 2)], [F(0), F(0)]])
def test_load_dependent_matches_brute_force_product_form_exactly(Z):
    # class 1 never visits the load-dependent station 1 (demand 0); with and without think times
    D = [[F(1, 2), F(1)], [F(1, 3), F(0)], [F(3, 4), F(1, 5)]]
    alpha = [(1, 2), (1, F(3, 2), F(7, 4)), None]
    X, Q, R = solve(D, [3, 2], Z, alpha)
    rates = [[1, 2, 2], [1, sp.Rational(3, 2), sp.Rational(7, 4)], [1, 1, 1]]
    r = mva_multiclass([[rat(d) for d in row] for row in D], [3, 2], [rat(z) for z in Z], [1, 1, INF],
                       rates=rates)
    assert list(r.system_throughput) == [rat(x) for x in X]
    assert r.number_in_system.tolist() == [[rat(q) for q in row] for row in Q]
    rf = mva_multiclass(np.array(D, dtype=float), [3, 2], np.array(Z, dtype=float), [1, 1, INF],
                        rates=[[1, 2, 2], [1, 1.5, 1.75], [1, 1, 1]])
    assert rf.number_in_system == pytest.approx(np.array(Q, dtype=float), rel=1e-12)


def test_a_class_alone_at_a_load_dependent_station_without_think_time():
    # class 1 visits only station 0 (two servers), Z = 0: station 0 is never empty while it is present
    D = [[F(1, 2), F(1)], [F(1, 3), F(0)]]
    X, Q, R = solve(D, [2, 2], [F(0), F(0)], [2, 1])
    r = mva_multiclass(np.array(D, dtype=float), [2, 2], 0, [2, 1])
    assert r.system_throughput == pytest.approx([float(x) for x in X], rel=1e-12)
    assert r.number_in_system == pytest.approx(np.array(Q, dtype=float), rel=1e-12)


def test_peer_octave_queueing_qncmmva_multi_server():
    # peer value: GNU Octave queueing 1.2.7
    # qncmmva([3 2], [0.5 1/3 0.75; 0.5 1/3 0.75], ones(2,3), [2 1 3], [1 0.5])
    # (FCFS: class-independent times)
    r = mva_multiclass([[0.5, 0.5], [1 / 3, 1 / 3], [0.75, 0.75]], [3, 2], [1, 0.5], [2, 1, 3])
    assert r.system_throughput == pytest.approx([1.019527901743841, 0.827756383677718], rel=1e-12)
    assert r.number_in_system.T == pytest.approx(np.array(
        [[0.573271238601349, 0.616255903152228, 0.790944956502583],
         [0.460735920699345, 0.485983951699252, 0.639401935762544]]), rel=1e-12)


def test_limiting_cases():
    D = np.array([[0.4, 0.2], [0.3, 0.6], [0.5, 0.1]])
    by_servers = mva_multiclass(D, [4, 3], [1.0, 2.0], [3, 1, 2])
    by_rates = mva_multiclass(D, [4, 3], [1.0, 2.0], rates=[[1, 2, 3], [1, 1, 1], [1, 2, 2]])
    assert by_rates.number_in_system == pytest.approx(by_servers.number_in_system, rel=1e-12)
    one = mva_multiclass(D[:, :1], [7], [1.5], rates=[[1, 1.8, 2.4], [1, 1, 1], [1, 2, 2]])
    ref = mva(D[:, 0], 7, 1.5, rates=[[1, 1.8, 2.4], [1, 1, 1], [1, 2, 2]])
    assert one.system_throughput[0] == pytest.approx(ref.system_throughput, rel=1e-12)
    assert one.utilization[:, 0] == pytest.approx(ref.utilization, rel=1e-12)
    many = mva_multiclass(D, [4, 3], 0, [10**20, 1, 1])  # more servers than customers: a delay station
    delay = mva_multiclass(D, [4, 3], 0, [INF, 1, 1])
    assert many.system_throughput == pytest.approx(delay.system_throughput, rel=1e-14)


def test_labelled_results():
    r = mva_multiclass([[0.2, 0.4], [0.3, 0.1]], [2, 1], servers=[2, 1],
                       stations=["cpu", "disk"], classes=["web", "batch"])
    ds = r.to_dataset()
    assert list(ds.station.values) == ["cpu", "disk"] and list(ds["class"].values) == ["web", "batch"]
    assert float(ds.response_time.sel(station="disk", **{"class": "batch"})) == r.response_time[1, 1]
    assert ds.system_throughput.dims == ("class",)
    assert ds.waiting_time.sel(station="cpu").values == pytest.approx(r.response_time[0] - [0.2, 0.4])
    single = mva([0.2, 0.3], 3, stations=["cpu", "disk"]).to_dataset()
    assert single.number_in_system.dims == ("station",) and single.system_throughput.dims == ()
    exact = mva([sp.Rational(1, 2), sp.Rational(1, 3)], 2).to_dataset()  # SymPy values keep their exactness
    assert list(exact.residence_time.values) == [sp.Rational(4, 5), sp.Rational(7, 15)]
    with pytest.raises(ParameterError, match="classes"):
        mva_multiclass([[0.2, 0.4]], [2, 1], classes=["a", "a"])
    assert r.table().loc[("disk", "batch"), "response_time"] == r.response_time[1, 1]


def test_bad_input_and_limits():
    with pytest.raises(ParameterError, match="populations"):
        mva_multiclass(np.full((5, 4), 0.2), [200, 200, 200, 200])  # 1.6e9 vectors: refused up front
    with pytest.raises(ParameterError, match="rates"):
        mva_multiclass([[0.2, 0.4]], [2, 1], rates=[[1, -2]])
    with pytest.raises(ParameterError, match="visits"):
        mva_multiclass([[0.2, 0.4]], [2, 1], visits=[[1, 0]])
