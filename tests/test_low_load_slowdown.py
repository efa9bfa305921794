"""The low-load slowdown: a lone request's mean latency over bare metal's (no queueing).

Checked against a hand computation from binary translation's published cost formula
(Adams & Agesen, ASPLOS 2006: the guest's work slowed down per mode, plus each event's
cycles at the clock), its limiting case (``overhead`` as the arrival rate goes to 0),
native's identity, and its independence of the load.
"""

import numpy as np
import pytest

from virtmodel.metrics import LOAD_FREE, metric
from virtmodel.model import Model, metric_names
from virtmodel.symbols import symbol
from virtmodel.techniques import names as technique_names


def test_declared_in_the_metric_table():
    m = metric("low_load_slowdown")
    assert m.unit == "1" and m.better == "lower" and not m.saturates and "low_load_slowdown" in LOAD_FREE
    assert "low_load_slowdown" in metric_names()
    assert "overhead" in m.description and "load" in metric("overhead").description


def test_binary_translation_by_hand():
    model = Model("binary_translation", "kernel_build")
    v = model.values()
    f, kf = v["clock_hz"], v["kernel_fraction"]
    events = (
        v["syscalls"] * v["syscall_cycles"]
        + v["page_faults"] * v["pgfault_cycles"]
        + v["pte_updates"] * v["ptemod_cycles"]
        + v["context_switches"] * v["ctxsw_cycles"]
        + v["register_writes"] * v["register_write_cycles"]
        + v["exceptions"] * v["exception_cycles"]
        + (v["interrupts"] + v["io_interrupts"]) * v["interrupt_cycles"]
        + v["io_ops"] * v["register_accesses_per_io"] * v["register_access_cycles"]
    ) / f
    guest = v["cpu_time"] * (kf * v["kernel_slowdown"] + (1 - kf) * v["user_slowdown"]) + events
    io = v["io_ops"] * (v["io_bytes"] / v["device_bandwidth"] + v["device_latency"])
    back_end = v["backend_time"] + v["copy_time_per_byte"] * v["io_bytes"]  # one copy of the payload per I/O
    expected = (guest + v["io_ops"] * back_end + io) / (v["cpu_time"] + io)
    assert model.evaluate("low_load_slowdown") == pytest.approx(expected, rel=1e-12)
    # the README's kernel build: 1.157 where the latency ratio at the preset's load is 1.26
    assert model.evaluate("low_load_slowdown") == pytest.approx(1.157, abs=5e-4)
    assert model.evaluate("overhead") == pytest.approx(1.259, abs=5e-4)


@pytest.mark.parametrize("technique", technique_names())
@pytest.mark.parametrize("workload", ["small_packet_rr", "kernel_build", "web_serving"])
def test_limit_of_overhead_at_zero_load(technique, workload):
    model = Model(technique, workload)
    lam = model.values()["arrival_rate"]
    slowdown = model.evaluate("low_load_slowdown")
    assert model.evaluate("overhead", arrival_rate=lam * 1e-9) == pytest.approx(slowdown, rel=1e-6)
    swept = model.evaluate("low_load_slowdown", arrival_rate=np.array([lam * 1e-3, lam, 1e9]))
    assert np.allclose(swept, slowdown, rtol=1e-12)  # load-free, even past saturation
    if technique == "native":
        assert slowdown == pytest.approx(1.0, rel=1e-12)


def test_symbolic_limit():
    import sympy as sp

    model = Model("hardware_assist", "small_packet_rr")
    lam = symbol("arrival_rate")
    slow = model.expression("low_load_slowdown").expr
    assert lam not in slow.free_symbols
    values = {k: v for k, v in model.values().items() if k != "arrival_rate"}
    over = model.expression("overhead").subs(**values).expr
    at_zero = over.subs(lam, 0)  # exact: each station's wait has the factor a = lambda S
    assert float(at_zero) == pytest.approx(model.evaluate("low_load_slowdown"), rel=1e-12)


def test_closed_model_gives_the_open_value():
    model = Model("paravirtual", "small_packet_rr")
    assert model.evaluate("low_load_slowdown", users=4, think_time=0.01) == model.evaluate(
        "low_load_slowdown"
    )
