"""break_even against a hand-computed value, brute force on a fine grid, and closed = numeric."""

import numpy as np
import pytest

from virtmodel.analysis import break_even
from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.techniques import get


def test_hand_computed_linear_break_even(shadow_hw, pure_cs):
    # HW: one exit per request, (c_exit + c_handle)/f; BT: c_cs/f. Equal at c_exit = c_cs - c_handle.
    # The first model's HW (wakeups="off"): under the default its halted vCPU is also woken per request at
    # this load, a cost binary translation does not model, and the break-even is no longer linear
    shadow_hw = shadow_hw.replace(wakeups="off")
    bt = get("binary_translation")
    expected = bt.ctxsw_cycles - shadow_hw.exit_handling_cycles
    r = break_even(shadow_hw, bt, "exit_cycles", "cpu_per_request", workload=pure_cs)
    assert (r.method, r.status) == ("closed form", "one")
    assert r.value == pytest.approx(expected, rel=1e-12)
    assert (r.below, r.above) == ("hardware_assist", "binary_translation")
    assert "c_{\\mathrm{exit}}" in r.latex()
    # at (nearly) zero load the mean latency is the service time: the same break-even
    lat = break_even(shadow_hw, bt, "exit_cycles", "mean_latency", workload=pure_cs)
    assert lat.value == pytest.approx(expected, rel=1e-6)


def test_symbolic_keep_gives_the_formula(shadow_hw, pure_cs):
    shadow_hw = shadow_hw.replace(wakeups="off")  # the linear formula above (first model's interrupts)
    r = break_even(shadow_hw, "binary_translation", "exit_cycles", "cpu_per_request", workload=pure_cs,
                   keep=["exit_handling_cycles"])
    (expr,) = r.expression
    assert {s.name for s in expr.free_symbols} == {"exit_handling_cycles"}
    assert r.value == pytest.approx(41592 - 2216)


def _brute_force(a, b, parameter, metric, grid, workload, **fixed):
    va, vb = (Model(t, workload) for t in (a, b))
    va, vb = (m.evaluate(metric, **{k: v for k, v in {parameter: grid, **fixed}.items() if k in m.values()})
              for m in (va, vb))
    d = va - vb
    k = np.flatnonzero(np.isfinite(d[:-1]) & np.isfinite(d[1:]) & (np.sign(d[:-1]) != np.sign(d[1:])))
    return grid[k], grid[k + 1]


@pytest.mark.parametrize("method", ["closed form", "numeric root"])
def test_break_even_matches_brute_force_grid(method):
    grid = np.linspace(1.0, 3e6, 300_001)
    lo, hi = _brute_force("hardware_assist", "binary_translation", "exit_cycles", "mean_latency", grid,
                          "syscall_heavy")
    assert lo.size == 1
    r = break_even("hardware_assist", "binary_translation", "exit_cycles", "mean_latency",
                   workload="syscall_heavy", bounds=(1.0, 3e6), method=method)
    assert r.method == method and r.status == "one"
    assert lo[0] <= r.value <= hi[0]


def test_closed_form_and_numeric_agree_on_a_percentile_free_metric():
    # wakeups="off": a demand SymPy solves for exit_cycles; the default's wake-up terms (the vCPU's idle
    # probability, a quadratic root) leave the closed form to the numeric root
    kw = {"workload": "web_serving", "bounds": (0, 2e5)}
    hw = get("hardware_assist", wakeups="off")
    c = break_even(hw, "binary_translation", "exit_cycles", "mean_latency", **kw)
    n = break_even(hw, "binary_translation", "exit_cycles", "mean_latency", method="numeric root",
                   **kw)
    assert c.method == "closed form" and n.method == "numeric root"
    assert c.roots == pytest.approx(n.roots, rel=1e-9)


def test_percentile_break_even_is_numeric_and_a_true_root():
    r = break_even("hardware_assist", "binary_translation", "exit_cycles", "p99", workload="syscall_heavy",
                   bounds=(0, 1e7))
    assert r.method == "numeric root" and r.status == "one"
    va = Model("hardware_assist", "syscall_heavy").evaluate("p99", exit_cycles=r.value)
    vb = Model("binary_translation", "syscall_heavy").evaluate("p99")
    assert va == pytest.approx(vb, rel=1e-9)


def test_no_crossing_is_a_result_not_an_error():
    r = break_even("paravirtual", "hardware_assist", "arrival_rate", "mean_latency", workload="small_packet_rr")
    assert r.status == "none" and r.roots == () and r.value is None
    assert r.below == r.above == "paravirtual"
    assert r.saturated and "saturated" in r.note  # the default range runs into saturation, masked


def test_curve_closed_form_is_pointwise_break_even():
    ys = np.linspace(1, 40, 1000)
    ds = break_even("hardware_assist", "binary_translation", "exit_cycles", "mean_latency",
                    workload="syscall_heavy", over={"syscalls": ys})
    assert ds.attrs["method"] == "closed form" and ds["break_even"].dims == ("syscalls",)
    num = break_even("hardware_assist", "binary_translation", "exit_cycles", "mean_latency",
                     workload="syscall_heavy", over={"syscalls": ys}, method="numeric root", bounds=(0, 1e7))
    np.testing.assert_allclose(ds["break_even"], num["break_even"], rtol=1e-8)
    for k in (0, 333, 999):
        point = break_even("hardware_assist", "binary_translation", "exit_cycles", "mean_latency",
                           workload="syscall_heavy", syscalls=ys[k])
        assert ds["break_even"].values[k] == pytest.approx(point.value, rel=1e-9)
    assert (ds.attrs["below"], ds.attrs["above"]) == ("hardware_assist", "binary_translation")


def test_curve_with_no_crossing_is_nan():
    ds = break_even("sriov", "paravirtual", "io_bytes", "mean_latency", workload="small_packet_rr",
                    over={"arrival_rate": np.linspace(100, 6e4, 50)})
    assert np.isnan(ds["break_even"]).all() and set(ds["status"].values) == {"none"}


def test_identical_techniques_are_refused():
    with pytest.raises(ParameterError, match="identical"):
        break_even("sriov", "sriov", "exit_cycles", "mean_latency", workload="small_packet_rr")


@pytest.mark.parametrize("kw, match", [
    ({"parameter": "exit_cycle"}, "exit_cycles"),
    ({"metric": "mean_latncy"}, "mean_latency"),
    ({"metric": "bottleneck"}, "metric"),
    ({"b": "hardware_asist"}, "hardware_assist"),
    ({"over": {"arrival_rate": [[1.0]]}}, "1-D"),
    ({"bounds": (5.0, 1.0)}, "bounds"),
])
def test_bad_input_names_the_problem(kw, match):
    args = {"a": "sriov", "b": "hardware_assist", "parameter": "exit_cycles", "metric": "mean_latency"}
    args.update(kw)
    with pytest.raises(ParameterError, match=match):
        break_even(args.pop("a"), args.pop("b"), args.pop("parameter"), args.pop("metric"),
                   workload="small_packet_rr", **args)


def test_a_touch_is_not_a_crossing():
    """Equal values with the same winner on both sides (or at the edge of the range) are no break-even."""
    from virtmodel.analysis._roots import brackets, touches

    values = np.array([0.0, 1.0, 2.0, 0.0, 3.0, -1.0, 0.0, 2.0])[:, None]  # edge zero, touch, crossing zero
    i, _, zero = brackets(values)
    assert list(i) == [4] and list(np.flatnonzero(zero[:, 0])) == [6]
    assert list(np.flatnonzero(touches(values)[:, 0])) == [0, 3]


def test_equal_at_zero_load_is_a_touch():
    """The shipped I/O-paths scenario: SR-IOV (two 3000-cycle exits per interrupt) and the offload card
    (1 µs per I/O, two I/Os) have the same zero-load latency; the card is better at every load above."""
    from importlib import resources

    from virtmodel.scenario import Scenario

    s = Scenario.from_json(resources.files("virtmodel").joinpath("scenarios", "small_packets_io_paths.json")
                           .read_text(encoding="utf-8"))
    sriov, nitro = s.techniques[2], s.techniques[3]
    a, b = (Model(t, s.workload, s.platform).evaluate("mean_latency", arrival_rate=0.0) for t in (sriov, nitro))
    assert a == pytest.approx(b, rel=1e-12)
    result = break_even(sriov, nitro, "arrival_rate", "mean_latency", workload=s.workload, platform=s.platform)
    assert result.value is None and result.status == "none" and result.below == result.above == "nitro"
    assert "equal at arrival_rate = 0 without a change of winner" in result.note
    curve = break_even(sriov, nitro, "arrival_rate", "mean_latency", workload=s.workload, platform=s.platform,
                       over={"io_interrupts": np.array([1.0])})
    assert curve["status"].values.tolist() == ["none"]
