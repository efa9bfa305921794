"""Erlang B and C: table and peer values, the B->C identity, symbolic forms, huge systems."""

import numpy as np
import pytest
import sympy as sp
from scipy.special import gammaln, logsumexp

from virtmodel import ParameterError, UnstableError
from virtmodel.queueing import erlang_b, erlang_c


@pytest.mark.parametrize(
    "servers, load, expected",
    [
        (10, 5.0, 0.0183845703366481),  # Erlang B table ~0.01838; peer value: GNU Octave queueing 1.2.7, erlangb(5, 10)
        (30, 20.0, 0.0084574983401947),  # peer value: GNU Octave queueing 1.2.7, erlangb(20, 30)
        (120, 100.0, 0.00569005460686993),  # peer value: GNU Octave queueing 1.2.7, erlangb(100, 120)
        (5000, 4990.0, 0.00997441985502426),  # peer value: GNU Octave queueing 1.2.7, erlangb(4990, 5000)
        (1, 1.0, 0.5),  # B(1, a) = a / (1 + a)
    ],
)
def test_erlang_b_peer_values(servers, load, expected):
    assert erlang_b(servers, load) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize(
    "servers, load, expected",
    [
        (2, 1.0, 1 / 3),  # peer value: GNU Octave queueing 1.2.7, erlangc(1, 2)
        (10, 8.0, 0.409180150796444),  # peer value: GNU Octave queueing 1.2.7, erlangc(8, 10)
        (100, 95.0, 0.50645685391302),  # peer value: GNU Octave queueing 1.2.7, erlangc(95, 100)
    ],
)
def test_erlang_c_peer_values(servers, load, expected):
    assert erlang_c(servers, load) == pytest.approx(expected, rel=1e-10)


def test_erlang_c_from_erlang_b_identity():
    # Gross et al., Fundamentals of Queueing Theory: C = c B / (c - a (1 - B))
    loads = np.linspace(0.1, 6.9, 12)
    b = erlang_b(7, loads)
    assert np.allclose(erlang_c(7, loads), 7 * b / (7 - loads * (1 - b)), rtol=1e-12)


def test_erlang_c_one_server_is_utilization():
    # M/M/1: the probability of waiting is rho (Kleinrock vol. 1, sec. 3.2)
    assert erlang_c(1, 0.3) == pytest.approx(0.3)


def _log_erlang_b(c, a):
    k = np.arange(c + 1)
    log_terms = k * np.log(a) - gammaln(k + 1)
    return log_terms[-1] - logsumexp(log_terms)


@pytest.mark.parametrize("servers, load", [(5000, 4990.0), (10000, 9999.9), (10000, 12000.0), (3000, 10.0)])
def test_large_systems_agree_with_log_space(servers, load):
    b = erlang_b(servers, load)
    assert 0 <= b <= 1 and np.isfinite(b)
    # relative agreement; a value below the smallest double underflows to 0 in both
    assert b == pytest.approx(np.exp(_log_erlang_b(servers, load)), rel=1e-9, abs=1e-300)
    if load < servers:
        c = erlang_c(servers, load)
        assert 0 <= c <= 1
        assert c == pytest.approx(servers * b / (servers - load * (1 - b)), rel=1e-12)


def test_arrays_broadcast_and_saturated_points_wait_surely():
    b = erlang_b(3, [0.0, 1.0, 10.0])
    assert b.shape == (3,) and b[0] == 0.0 and b[2] > 0.7
    # issue 13: erlang_c(3, [1.5, 3.0, 4.5]) gave [0.237, nan, nan]; at and past saturation it is 1
    c = erlang_c(3, np.array([1.5, 2.9, 3.0, 4.5]))
    assert c[0] == pytest.approx(0.236842105263158, rel=1e-12)  # 9/38 (Gross et al. eq. 2.32)
    assert 0.9 < c[1] < 1 and (c[2:] == 1.0).all()
    assert not np.isnan(erlang_c(3, np.linspace(0, 10, 101))).any()


def test_symbolic_concrete_servers_is_finite_sum():
    a = sp.Symbol("a", positive=True)
    # Erlang B with two servers: (a^2/2) / (1 + a + a^2/2)
    assert sp.simplify(erlang_b(2, a) - (a**2 / 2) / (1 + a + a**2 / 2)) == 0
    # M/M/2 probability of waiting: a^2 / (2 + a)
    assert sp.simplify(erlang_c(2, a) - a**2 / (2 + a)) == 0


def test_symbolic_servers_gives_sum():
    a = sp.Symbol("a", positive=True)
    c = sp.Symbol("c", integer=True, positive=True)
    b = erlang_b(c, a)
    assert b.has(sp.Sum)
    assert sp.simplify(b.subs(c, 3).doit() - erlang_b(3, a)) == 0


@pytest.mark.parametrize(
    "args, name",
    [((2.5, 1.0), "servers"), ((0, 1.0), "servers"), ((3, -1.0), "offered_load"),
     ((3, float("nan")), "offered_load"), (("3", 1.0), "servers"), ((3, "1"), "offered_load")],
)
def test_bad_input(args, name):
    with pytest.raises(ParameterError, match=name):
        erlang_b(*args)
    with pytest.raises(ParameterError, match=name):
        erlang_c(*args)


def test_erlang_c_scalar_overload_is_unstable():
    with pytest.raises(UnstableError, match="1.5"):
        erlang_c(2, 3.0)
