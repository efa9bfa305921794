"""A technique written in test code, through the public API only, works at every entry point.

The technique is a syscall-intercepting sandbox (gVisor-style): each system call costs the
guest an interception and puts work on a resource of its own, a pool of "sentry" cores
shared by all VMs whose size is one of the technique's parameters. Nothing here imports a
private module: only ``virtmodel.techniques`` (Technique, param, register, unregister,
Resource, events, native_demands), and the public entry points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from virtmodel.analysis import break_even, compare, sensitivity, sweep, win_regions
from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.scenario import Scenario
from virtmodel.techniques import (
    Resource,
    Technique,
    events,
    get,
    names,
    native_demands,
    param,
    register,
    unregister,
)

NAME = "test_sandbox"
WORKLOAD = "syscall_heavy"


@dataclass(frozen=True)
class Sandbox(Technique):
    """System calls intercepted in user space; a shared pool of sentry cores serves them."""

    name = NAME
    label = "Syscall sandbox (test)"
    resources = (Resource("sentry", "sentry_cores", shared=True, description="the sandbox's sentry cores",
                          cores_of="host"),)

    intercept_time: float = param(2e-6, unit="s", latex=r"t_{\mathrm{int}}",
                                  doc="guest seconds per intercepted system call (test assumption)")
    sentry_time: float = param(1e-6, unit="s", latex=r"t_{\mathrm{sentry}}",
                               doc="sentry-core seconds per system call (test assumption)")
    sentry_cores: int = param(4, unit="count", domain="count", latex=r"c_{\mathrm{sentry}}",
                              doc="cores of the sentry pool (test assumption)")

    def demands(self, s):
        return native_demands(s).add(guest=events(s.syscalls, s.intercept_time),
                                     sentry=events(s.syscalls, s.sentry_time))


@pytest.fixture(autouse=True, scope="module")
def registered():
    register(Sandbox)
    yield
    unregister(NAME)


def test_registered_by_name_and_refused_twice():
    assert NAME in names() and isinstance(get(NAME, sentry_cores=8), Sandbox)
    with pytest.raises(ParameterError, match="already|not yet registered"):
        register(Sandbox)


def test_model_evaluates_with_its_own_resource_and_matches_a_hand_calculation():
    m = Model(NAME, WORKLOAD)
    assert m.stations() == ("guest", "device", "sentry")      # the platform's resources, then its own
    v = m.values()
    lam, vms, n = v["arrival_rate"], v["vms"], v["syscalls"]
    demand = n * v["sentry_time"]                         # events(): mean n t, variance n t^2
    rho = vms * lam * demand / v["sentry_cores"]
    table = m.station_table()
    assert table.loc["sentry", "utilization"] == pytest.approx(rho, rel=1e-12)
    assert table.loc["sentry", "servers"] == v["sentry_cores"]
    # the sentry pool is host CPU: it counts in the CPU-use metrics
    assert m.evaluate("cpu_per_request") == pytest.approx(v["cpu_time"] + n * (v["intercept_time"] + v["sentry_time"]))
    assert m.evaluate("host_cores") == pytest.approx(vms * lam * demand)
    native = Model("native", WORKLOAD).evaluate("mean_latency")
    assert m.evaluate("mean_latency") > native
    assert m.evaluate("mean_latency", intercept_time=0.0, sentry_time=0.0) == pytest.approx(native, rel=1e-12)
    # its own parameter sweeps like any other; more sentry cores never hurt
    lat = m.evaluate("mean_latency", sentry_cores=np.array([1, 2, 4, 8]))
    assert np.all(np.diff(lat) <= 0)


def test_expression_names_its_symbols():
    f = Model(NAME, WORKLOAD).expression("mean_latency")
    assert {"intercept_time", "sentry_time", "sentry_cores"} <= {s.name for s in f.expr.free_symbols}
    assert r"t_{\mathrm{int}}" in f.latex()


def test_compare_sweep_break_even_regions_and_sensitivity():
    table = compare([NAME, "paravirtual", "hardware_assist"], WORKLOAD, metrics=["mean_latency", "p99"])
    assert NAME in table.index and np.isfinite(table.loc[NAME, "p99"])
    rates = np.linspace(1e3, 2e4, 7)
    ds = sweep(["mean_latency"], [NAME, "native"], WORKLOAD, arrival_rate=rates)
    got = ds["mean_latency"].sel(technique=NAME).values
    np.testing.assert_allclose(got, Model(NAME, WORKLOAD).evaluate("mean_latency", arrival_rate=rates), rtol=1e-12)
    be = break_even(NAME, "binary_translation", "intercept_time", "mean_latency", workload=WORKLOAD,
                    bounds=(0.0, 1e-4))
    assert be.value is not None
    at = Model(NAME, WORKLOAD).evaluate("mean_latency", intercept_time=be.value)
    assert at == pytest.approx(Model("binary_translation", WORKLOAD).evaluate("mean_latency"), rel=1e-6)
    regions = win_regions([NAME, "hardware_assist"], ("intercept_time", np.linspace(0, 2e-5, 9)),
                          ("arrival_rate", np.linspace(1e3, 1e4, 5)), "mean_latency", workload=WORKLOAD,
                          sentry_time=0.0)
    winners = set(np.unique(regions["winner"].values))
    assert winners == {0, 1}            # cheap interception wins, expensive loses
    s = sensitivity(NAME, "mean_latency", WORKLOAD)
    assert "intercept_time" in set(s.index) and "sentry_time" in set(s.index)


def test_dashboard_shows_and_moves_it():
    from virtmodel.widgets import dashboard

    d = dashboard([NAME, "paravirtual"], WORKLOAD, points=50, display="image")
    line = d.handles.artists[NAME]
    before = np.asarray(line.get_ydata(), float).copy()
    d.controls["cpu_time"].value = 4e-5
    after = np.asarray(d.handles.artists[NAME].get_ydata(), float)
    assert not np.allclose(np.nan_to_num(before), np.nan_to_num(after[:before.size]))


def test_scenario_file_round_trip(tmp_path):
    sc = Scenario(WORKLOAD, techniques=[get(NAME, sentry_cores=2), "native"], name="sandbox")
    path = tmp_path / "sandbox.json"
    sc.save(path)
    back = Scenario.load(path)
    assert back == sc and back.techniques[0].sentry_cores == 2
    assert back.models()[0].evaluate("mean_latency") == pytest.approx(sc.models()[0].evaluate("mean_latency"))


def test_a_parameter_that_clashes_with_an_existing_one_is_refused():
    @dataclass(frozen=True)
    class Clash(Technique):
        name = "test_clash"
        label = "clash"
        exit_cycles: float = param(1.0, unit="s", latex="x", doc="same name, another unit")

        def demands(self, s):
            return native_demands(s)

    with pytest.raises(ParameterError, match="exit_cycles"):
        register(Clash)
    assert "test_clash" not in names()


def test_loading_an_undeclared_resource_is_a_clear_error():
    @dataclass(frozen=True)
    class Stray(Technique):
        name = "test_stray"
        label = "stray"

        def demands(self, s):
            return native_demands(s).add(gpu=events(s.io_ops, 1e-6))

    with pytest.raises(ParameterError, match="gpu"):
        Model(Stray(), WORKLOAD).evaluate("mean_latency")


def test_built_in_techniques_cannot_be_unregistered():
    with pytest.raises(ParameterError):
        unregister("sriov")
    assert "sriov" in names()
