"""The model: symbolic = compiled, stations = queueing core, saturation, errors, display."""

import numpy as np
import pytest
import sympy as sp
from sympy.core.function import ArgumentIndexError

from virtmodel import ParameterError, SymbolicUnsupportedError, UnstableError
from virtmodel.model import Model, metric_names
from virtmodel.model._derive import SYMBOLIC_METRICS
from virtmodel.queueing.erlang_function import ErlangCOverLoad, erlang_c_over_load
from virtmodel.platform import Platform
from virtmodel.queueing import erlang_c, ggc, mg1, mmc
from virtmodel.symbols import symbol
from virtmodel.techniques import get, names

RNG = np.random.default_rng(20261125)


def _random_point(model):
    """Model values with every nonnegative parameter jittered (load kept light)."""
    values = model.values()
    out = {}
    for k, v in values.items():
        if isinstance(v, int) or k in ("kernel_fraction", "register_write_exits", "pmem_io_share", "arrival_rate"):
            out[k] = v
        else:
            out[k] = float(v) * float(RNG.uniform(0.5, 1.5))
    out["arrival_rate"] = 0.3 * model.evaluate("throughput_limit")
    return out


@pytest.mark.parametrize("technique", names())
def test_compiled_equals_the_sympy_expression(technique):
    model = Model(technique, "web_serving")
    for _ in range(2):
        point = _random_point(model)
        subs = {symbol(k): (sp.Integer(v) if isinstance(v, int) else sp.Float(v)) for k, v in point.items()}
        for metric in SYMBOLIC_METRICS:
            expr = model.expression(metric).expr
            want = float(expr.xreplace(subs).evalf(20))
            got = model.evaluate(metric, **point)
            assert got == pytest.approx(want, rel=1e-9), metric


def test_station_formula_is_the_queueing_core():
    lam, s, v = sp.symbols("lam s v", positive=True)
    from virtmodel.queueing.mgc import mgc_terms

    one = mgc_terms(lam, s, v, sp.Integer(1))
    pk = mg1(lam, s, v / s**2).response_time
    assert sp.simplify(one.response_time - pk) == 0
    for c, lam_, s_, v_ in [(4, 3.0, 1.0, 1.0), (16, 10.0, 1.2, 0.3), (3, 2.5, 1.0, 4.0)]:
        st = mgc_terms(sp.Float(lam_), sp.Float(s_), sp.Float(v_), sp.Integer(c))
        r = float(sp.N(st.response_time))
        assert r == pytest.approx(ggc(lam_, s_, c, 1.0, v_ / s_**2).response_time, rel=1e-10)
        if v_ == s_**2:
            assert r == pytest.approx(mmc(lam_, 1 / s_, c).response_time, rel=1e-10)


@pytest.mark.parametrize("c", [1, 2, 7, 32, 96])
def test_erlang_function_matches_the_core(c):
    a = np.linspace(0.01, 0.98 * c, 25)
    want = np.array([erlang_c(c, x) for x in a]) / a
    assert np.allclose(erlang_c_over_load(c, a), want, rtol=1e-9)
    assert float(ErlangCOverLoad(c, sp.Float(a[3])).evalf()) == pytest.approx(want[3], rel=1e-10)
    x = sp.Symbol("x", positive=True)
    if c <= 7:  # expands to the finite sum
        expanded = ErlangCOverLoad(c, x).expand(func=True)
        assert float(expanded.subs(x, a[5])) == pytest.approx(want[5], rel=1e-10)
        # its derivative in the load: the closed form (fdiff) against the finite sum's own derivative
        exact = sp.diff(expanded, x)
        for point in a[[2, 12, 24]]:
            assert float(sp.diff(ErlangCOverLoad(c, x), x).subs(x, point).evalf()) == pytest.approx(
                float(exact.subs(x, point)), rel=1e-10)
    with pytest.raises(ArgumentIndexError):
        ErlangCOverLoad(sp.Symbol("c"), x).fdiff(1)  # whole number of servers: no derivative


def test_sweep_marks_saturated_points_and_scalars_raise():
    m = Model("paravirtual", "small_packet_rr")
    limit = m.evaluate("throughput_limit")
    lam = np.array([0.1, 0.5, 0.99, 1.01, 1.5]) * limit
    for metric in ("mean_latency", "p99", "overhead", "latency_variance"):
        out = m.evaluate(metric, arrival_rate=lam)
        assert np.isfinite(out[:3]).all() and np.isinf(out[3:]).all(), metric
    with pytest.raises(UnstableError, match="guest"):
        m.evaluate("mean_latency", arrival_rate=1.5 * limit)
    assert m.evaluate("host_cores", arrival_rate=1.5 * limit) > 0  # offered load, no error
    assert np.isinf(m.evaluate_all(arrival_rate=1.5 * limit)["p99"])


def test_bottleneck_moves_with_the_load_on_shared_stations():
    m = Model("hardware_assist", "bulk_transfer")
    assert m.bottleneck() == "device"
    assert m.bottleneck(device_bandwidth=1e12) == "guest"
    out = m.bottleneck(device_bandwidth=np.array([1e9, 1e12]))
    assert list(out) == ["device", "guest"]


def test_sriov_lower_and_more_consistent_latency_comes_out_of_the_model():
    w = "small_packet_rr"
    sriov, virtio = Model("sriov", w), Model("hardware_assist", w)
    assert "vhost" in virtio.stations() and not {"host", "vhost"} & set(sriov.stations())  # the back-end worker
    lam = np.linspace(1000, 30000, 20)
    assert np.all(sriov.evaluate("p99", arrival_rate=lam) < virtio.evaluate("p99", arrival_rate=lam))
    assert np.all(sriov.evaluate("latency_variance", arrival_rate=lam)
                  < virtio.evaluate("latency_variance", arrival_rate=lam))
    # no back-end on the host: under the default its host cores are the halted vCPUs' wake-ups only, fewer
    # than virtio's (back-end + wake-ups); none at all with the first model's count (wakeups="off")
    assert 0 < sriov.evaluate("host_cores") < virtio.evaluate("host_cores")
    assert Model(get("sriov", wakeups="off"), w).evaluate("host_cores") == 0


def test_sriov_virtual_function_limit_is_visible():
    with pytest.raises(ParameterError, match="max_vfs = 64"):
        Model("sriov", platform=Platform(vms=65))
    m = Model("sriov", platform=Platform(vms=64))
    with pytest.raises(ParameterError, match="vms"):
        m.evaluate("mean_latency", vms=np.array([8, 80]))
    assert m.evaluate("mean_latency", vms=80, max_vfs=128) > 0


def test_nitro_leaves_the_host_cores_to_guests():
    w, p = "web_serving", Platform(vms=32)
    nitro = Model("nitro", w, p).evaluate("guest_cores_left")
    pv = Model("paravirtual", w, p).evaluate("guest_cores_left")
    assert p.cores > nitro > pv  # the default: the host still wakes Nitro's halted vCPUs
    assert Model(get("nitro", wakeups="off"), w, p).evaluate("guest_cores_left") == p.cores  # the first model
    assert 0 < Model("nitro", w, p).evaluate("card_load") < 1


@pytest.mark.parametrize("call, match", [
    (lambda m: m.evaluate("latency"), "mean_latency"),
    (lambda m: m.evaluate("mean_latency", exit_cost=1), "valid names"),
    (lambda m: m.evaluate("mean_latency", exit_cycles="1000"), "exit_cycles"),
    (lambda m: m.evaluate("mean_latency", exit_cycles=np.array([1.0, np.nan])), "exit_cycles"),
    (lambda m: m.evaluate("mean_latency", exit_cycles=-1), "exit_cycles"),
    (lambda m: m.evaluate("mean_latency", cores=np.array([2.5])), "cores"),
    (lambda m: m.expression("mean_latency", keep=["nope"]), "keep"),
    (lambda m: m.expression("mean_latency").subs(exit_cycles="1"), "exit_cycles"),
])
def test_bad_input_names_what_is_wrong(call, match):
    with pytest.raises(ParameterError, match=match):
        call(Model("hardware_assist"))


def test_bad_model_arguments():
    with pytest.raises(ParameterError, match="small_packet_rr"):
        Model("native", "tiny_packets")
    with pytest.raises(ParameterError, match="platform"):
        Model("native", platform="big")


def test_percentiles_are_numeric_only():
    m = Model("sriov")
    with pytest.raises(SymbolicUnsupportedError, match="latency_variance"):
        m.expression("p99")
    p50, p95, p99 = (m.evaluate(p) for p in ("p50", "p95", "p99"))
    assert p50 < p95 < p99


def test_keep_some_symbols_and_print_them_explained():
    m = Model("hardware_assist", "small_packet_rr")
    f = m.expression("mean_latency", keep=["exit_cycles", "arrival_rate"])
    assert {s.name for s in f.expr.free_symbols} == {"exit_cycles", "arrival_rate"}
    value = float(f.expr.subs({symbol("exit_cycles"): 784, symbol("arrival_rate"): 20000}))
    assert value == pytest.approx(m.evaluate("mean_latency"), rel=1e-9)
    text = m.expression("host_cores").latex()
    assert r"t_{\mathrm{be}}" in text and "vhost" in text and "where" in text
    assert m.expression("overhead")._repr_latex_().startswith("$")
    assert "C\\left(" in sp.latex(m.expression("mean_latency").expr)


def test_every_metric_evaluates_for_every_technique():
    for t in names():
        m = Model(t, "oltp")
        out = m.evaluate_all(arrival_rate=0.3 * m.evaluate("throughput_limit"))
        assert set(out) == set(metric_names())
        assert all(isinstance(v, str) or np.isfinite(v) for v in out.values()), t


def test_constant_metrics_broadcast():
    m = Model("native", "cpu_bound")
    out = m.evaluate("host_cores", arrival_rate=np.ones((3, 2)))
    assert out.shape == (3, 2) and np.all(out == 0)
    assert get("native") == m.technique
