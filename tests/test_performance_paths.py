"""The fast evaluation paths compute what the plain ones do.

- two-stage compiled bundles (fixed subexpressions hoisted to scalars) equal
  the plain ``lambdify`` of the same expressions;
- the fused evaluation of several metrics equals the metrics one by one, and
  the saturation mask equals the former ``argmax``/``np.max`` one;
- the interpolated gamma inverse stays within ``FAST_RTOL`` (1e-8) of
  ``scipy.special.gammaincinv`` over k in [1e-6, 1e8] (exact outside), and small
  arrays are unchanged (exact).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from virtmodel.analysis import sweep
from virtmodel.errors import ParameterError, UnstableError
from virtmodel.model import Model, metric_names
from virtmodel.model._compile import Compiled, hoist, metric_bundle
from virtmodel.model._derive import SYMBOLIC_METRICS, derive
from virtmodel.queueing.erlang_function import NUMERIC
from virtmodel.queueing._percentiles import (FAST_MIN_SIZE, FAST_RTOL, INTERPOLATE_MIN_SIZE, gamma_quantile, gamma_quantiles,
                                             gammaincinv_fast)
from virtmodel.techniques import names

TECHNIQUES = list(names())


def _loads(model, n=64):
    """Arrival rates from 0 to 1.3x the throughput limit (the last ones saturated)."""
    return np.linspace(0.0, 1.3 * model.evaluate("throughput_limit"), n)


def _plain(expr, values):
    """The expression through one plain lambdify (no hoisting), at broadcast arrays."""
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    fn = sp.lambdify(symbols, expr, modules=[NUMERIC, "numpy", "scipy"])
    with np.errstate(all="ignore"):
        return fn(*(np.asarray(values[s.name], dtype=float) for s in symbols))


@pytest.mark.parametrize("technique", TECHNIQUES)
def test_hoisted_bundle_equals_plain_lambdify(technique):
    m = Model(technique, "small_packet_rr")
    values = {**m.values(), "arrival_rate": _loads(m)[:40], "io_bytes": np.array([[64.0], [1500.0]])}
    d = derive(m.key)
    for metric, expr in d.metrics.items():
        got = Compiled((expr,))(values)[0]
        want = np.broadcast_to(_plain(expr, values), got.shape)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=0, err_msg=metric)


def test_hoist_keeps_varying_symbols_and_moves_the_rest():
    x, a, b = sp.symbols("x a b")
    (expr,), scalars = hoist((-2 * x * a * b + a**2 + 3,), {x})
    assert expr.free_symbols - {x} == {s for s, _ in scalars}
    back = expr.subs({s: e for s, e in scalars})
    assert sp.simplify(back - (-2 * x * a * b + a**2 + 3)) == 0
    assert len(scalars) == 2  # -2*a*b and a**2 + 3


@pytest.mark.parametrize("technique", TECHNIQUES)
def test_fused_equals_one_by_one_and_the_former_mask(technique):
    m = Model(technique, "small_packet_rr")
    lam = _loads(m)
    fused = m.evaluate_all(arrival_rate=lam)
    d = derive(m.key)
    values = {**m.values(), "arrival_rate": lam}
    for metric in metric_names():
        one = m.evaluate(metric, arrival_rate=lam)
        if metric == "bottleneck":
            assert (fused[metric] == one).all()
            continue
        np.testing.assert_allclose(fused[metric], one, rtol=1e-12, err_msg=metric)  # other CSE: rounding (project standard)
        if metric in SYMBOLIC_METRICS and metric != "latency_variance":
            value, *rhos = metric_bundle(m.key, metric)(values)
            if SYMBOLIC_METRICS[metric][2]:  # the former mask: inf unless max(rho) < 1
                value = np.where(~(np.max(np.stack(rhos), axis=0) < 1), np.inf, value)
            np.testing.assert_allclose(fused[metric], np.broadcast_to(value, lam.shape), rtol=1e-12,
                                       err_msg=metric)
            np.testing.assert_allclose(fused[metric], np.broadcast_to(_plain(d.metrics[metric], values)
                                       if not SYMBOLIC_METRICS[metric][2] else value, lam.shape), rtol=1e-12)
    saturated = lam >= m.evaluate("throughput_limit")
    assert np.isinf(fused["mean_latency"][saturated]).all() and np.isfinite(fused["mean_latency"][~saturated]).all()


@pytest.mark.parametrize("technique", TECHNIQUES)
def test_scalar_points_agree_with_arrays_and_raise_naming_the_station(technique):
    m = Model(technique, "small_packet_rr")
    lam = _loads(m, 9)
    arrays = m.evaluate_all(arrival_rate=lam)
    for i, x in enumerate(lam):
        point = m.evaluate_all(arrival_rate=float(x))
        for metric, value in point.items():
            assert value == arrays[metric][i] or value == pytest.approx(arrays[metric][i], rel=1e-12), metric
    limit = m.evaluate("throughput_limit")
    with pytest.raises(UnstableError, match=f"station '{m.bottleneck()}'"):
        m.evaluate("p99", arrival_rate=1.2 * limit)


def test_inputs_are_never_modified_in_place():
    m = Model("hardware_assist", "small_packet_rr")
    lam = _loads(m, 50_000)
    before = lam.copy()
    m.evaluate_all(arrival_rate=lam)
    m.evaluate("mean_latency", arrival_rate=lam)
    np.testing.assert_array_equal(lam, before)


def test_large_sweep_percentiles_match_exact_quantiles():
    m = Model("paravirtual", "small_packet_rr")
    lam = np.linspace(0.0, 0.95 * m.evaluate("throughput_limit"), 3 * FAST_MIN_SIZE)
    fast = m.evaluate_all(arrival_rate=lam)
    for metric in ("p50", "p95", "p99"):
        exact = np.concatenate([m.evaluate(metric, arrival_rate=part) for part in np.array_split(lam, 4)])
        np.testing.assert_allclose(fast[metric], exact, rtol=2 * FAST_RTOL)


def test_sweep_of_several_metrics_equals_single_metric_sweeps():
    lam = np.linspace(1e3, 9e4, 200)
    techs = ["binary_translation", "sriov", "nitro"]
    ds = sweep(None, techs, "small_packet_rr", arrival_rate=lam)
    for metric in ("mean_latency", "p99", "host_cores", "overhead"):
        one = sweep(metric, techs, "small_packet_rr", arrival_rate=lam)
        np.testing.assert_allclose(ds[metric].values, one[metric].values, rtol=1e-12)  # other CSE: rounding (1.07e-13 seen at 1 of 600 points)
        assert ds["arrival_rate"].attrs["units"] == one["arrival_rate"].attrs["units"]


@pytest.mark.parametrize("p", [0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999])
def test_fast_gamma_inverse_within_its_bound(p):
    from scipy.special import gammaincinv

    rng = np.random.default_rng(7)
    k = np.exp(rng.uniform(np.log(1e-8), np.log(1e10), 200_000))
    k[:6] = [np.nan, 0.0, np.inf, 1e-6, 0.05, 1e8]
    (got,) = gammaincinv_fast(k, [p])
    want = gammaincinv(k, p)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    tiny = want < 1e-290  # underflow: both (next to) zero
    assert np.all(np.abs(got[tiny] - want[tiny]) < 1e-290)
    ok = ~np.isnan(want) & ~tiny
    assert np.max(np.abs(got[ok] / want[ok] - 1)) <= FAST_RTOL


def test_curve_sized_arrays_take_the_interpolated_inverse_within_its_bound():
    """A curve of a few hundred points (a slider's, a plot's) is interpolated: not bit-equal to the
    exact inverse (so the fast path was taken), within ``FAST_RTOL`` of it."""
    from scipy.special import gammaincinv

    k = np.linspace(0.05, 80, INTERPOLATE_MIN_SIZE)
    got, want = gammaincinv_fast(k, [0.99])[0], gammaincinv(k, 0.99)
    assert not np.array_equal(got, want)
    assert np.max(np.abs(got / want - 1)) <= FAST_RTOL


def test_fast_gamma_inverse_blocks_change_nothing(monkeypatch):
    from virtmodel.queueing import _percentiles

    rng = np.random.default_rng(11)
    k = np.exp(rng.uniform(np.log(1e-8), np.log(1e10), (3, 20_001)))  # 2-D, low and exact points too
    k[0, :3] = [np.nan, 1e-7, 0.01]
    ps = [0.5, 0.999, 0.9995, np.array(0.95)]  # fast, fast, outside FAST_P, not a Python float
    whole = gammaincinv_fast(k, ps)
    for block in (1000, 10**7):  # smaller than a row, larger than the array
        monkeypatch.setattr(_percentiles, "BLOCK", block)
        for a, b in zip(whole, gammaincinv_fast(k, ps)):
            assert a.shape == k.shape and np.array_equal(a, b, equal_nan=True)


def test_small_arrays_and_scalars_stay_exact():
    from scipy.special import gammaincinv

    k = np.linspace(0.01, 50, INTERPOLATE_MIN_SIZE - 1)
    np.testing.assert_array_equal(gammaincinv_fast(k, [0.99])[0], gammaincinv(k, 0.99))
    mean, var = np.full(5, 2.0), np.array([0.0, 1.0, 4.0, 9.0, 0.5])
    q = gamma_quantile(mean, var, 0.95, "array")
    assert q[0] == 2.0  # a point mass
    np.testing.assert_array_equal(q[1:], (var / mean)[1:] * gammaincinv(mean[1:] ** 2 / var[1:], 0.95))
    assert [float(x[2]) for x in gamma_quantiles(mean, var, [0.5, 0.99])] == \
        [float(gamma_quantile(mean, var, p, "array")[2]) for p in (0.5, 0.99)]


@pytest.mark.parametrize("bad", [-1.0, -0.0, np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("domain", ["nonnegative", "positive"])
def test_large_arrays_take_the_quick_domain_check_only_when_valid(bad, domain):
    from virtmodel._params import _plain_nonnegative, check_value

    good = np.linspace(1.0, 2.0, 1000)
    assert _plain_nonnegative(good, strict=domain == "positive")
    zeros = np.zeros(1000)
    assert _plain_nonnegative(zeros, strict=False) and not _plain_nonnegative(zeros, strict=True)
    x = good.copy()
    x[517] = bad
    assert not _plain_nonnegative(x, strict=domain == "positive")
    if bad == 0.0:  # -0.0 is zero: refused where zero is, else turned into +0.0
        if domain == "positive":
            with pytest.raises(ParameterError, match="rate"):
                check_value("rate", x, domain)
        else:
            assert not np.signbit(check_value("rate", x, domain)).any()
        return
    with pytest.raises(ParameterError, match="rate"):
        check_value("rate", x, domain)


def test_sweep_blocks_hold_each_technique_as_its_own_sweep():
    """Several techniques are written into one (technique, ...) array per metric: each row equals
    the technique's own sweep, and string metrics take the widest technique's width."""
    lam = np.linspace(1e3, 9e4, 50)
    techs = ["native", "sriov", "nested", "hardware_assist"]
    ds = sweep(["bottleneck", "mean_latency"], techs, "small_packet_rr", arrival_rate=lam)
    ones = {t: sweep(["bottleneck", "mean_latency"], t, "small_packet_rr", arrival_rate=lam) for t in techs}
    for t, one in ones.items():
        for metric in ("bottleneck", "mean_latency"):
            np.testing.assert_array_equal(ds[metric].sel(technique=t).values, one[metric].values[0])
    widths = {one["bottleneck"].dtype for one in ones.values()}
    assert ds["bottleneck"].dtype == np.result_type(*widths)
    assert list(ds["technique"].values) == techs and ds["mean_latency"].dims == ("technique", "arrival_rate")


def test_sweep_block_widens_for_a_longer_string():
    import importlib

    store = importlib.import_module("virtmodel.analysis.sweep")._store
    blocks = {}
    store(blocks, "bottleneck", 0, np.array(["guest", "card"]), 2)
    store(blocks, "bottleneck", 1, np.array(["device", "host"]), 2)
    assert blocks["bottleneck"].dtype == np.dtype("<U6")
    assert blocks["bottleneck"].tolist() == [["guest", "card"], ["device", "host"]]
