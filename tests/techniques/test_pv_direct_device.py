"""A paravirtual kernel that owns the device, Xen's dom0 (techniques/pv_direct_device.py): the other
paths unchanged, the extra demand by hand, limiting cases, monotonicity, the requirement, bad input,
the discrete-event oracle."""

import math

import pytest
import sympy as sp

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.presets.published import measurement
from virtmodel.techniques import get
from virtmodel.techniques.io_paths import PATHS
from virtmodel.validation.applications import (REQUIREMENT_SETTINGS, SUPPORTED_MECHANISMS, _missing,
                                               _recipe_settings, recipes)
from virtmodel.workloads import get as workload

BULK = workload("bulk_transfer")                      # 44 packets, 4 device interrupts per request
RR = workload("small_packet_rr")
PLATFORM = Platform(clock_hz=2.4e9, cores=1, vms=1, vcpus=1, device_bandwidth=5e8)
METRICS = ("mean_latency", "cpu_per_request", "throughput_limit", "host_cores", "guest_cores", "p99")
ROW = "menon2005.rx.xen_dom0"


def _direct(**kw):
    return get("paravirtual", io_path="direct", **kw)


def _metrics(tech, w=BULK, platform=PLATFORM):
    model = Model(tech, w, platform)
    return {m: model.evaluate(m) for m in METRICS}


def _guest_demand(tech, w=BULK, platform=PLATFORM):
    return Model(tech, w, platform).station_table().loc["guest", "demand"]


@pytest.mark.parametrize("path", ["split", "driver_domain"])
@pytest.mark.parametrize("w", [BULK, RR], ids=["bulk", "rr"])
def test_the_other_paths_are_the_previous_model(path, w):
    """The new parameters never enter the split-driver paths (checked bit for bit against the
    previous package by hand on 16 cases before the pre-registration commit)."""
    base = get("paravirtual", io_path=path)
    moved = get("paravirtual", io_path=path, pirq_unmask_hypercalls=5.0, direct_rx_pte_updates=3.0)
    w = w.replace(arrival_rate=0.3 * Model(base, w, PLATFORM).evaluate("throughput_limit"))
    assert _metrics(base, w) == _metrics(moved, w)
    expr = Model(base, w, PLATFORM).expression("cpu_per_request").expr
    assert not {"pirq_unmask_hypercalls", "direct_rx_pte_updates"} & {str(x) for x in expr.free_symbols}
    assert get("paravirtual").io_path == "split"              # the default is unchanged


def test_the_path_row_has_no_split_driver_terms():
    row = PATHS["direct"]
    assert (row.kicks, row.guest, row.backend, row.resource, row.through_host) == (None, (), (), None, False)
    table = Model(_direct(), BULK.replace(arrival_rate=1000.0), PLATFORM).station_table()
    assert set(table.index) == {"guest", "device"}            # nothing on the host's cores or a driver domain


def test_the_extra_guest_demand_is_the_hand_computation():
    """wakeups="off": the guest's demand over native's, term by term, at 2.4 GHz."""
    f = PLATFORM.clock_hz
    tech = _direct(wakeups="off", direct_rx_pte_updates=2.0)   # a per-packet count to see the term
    t, w = tech, BULK
    pv_cpu = (w.syscalls * t.syscall_cycles + w.page_faults * t.pgfault_cycles
              + w.context_switches * t.ctxsw_cycles + w.pte_updates / t.pte_batch * t.hypercall_cycles
              + w.register_writes * t.hypercall_cycles) / f
    irq = (w.interrupts * t.event_channel_cycles
           + w.io_interrupts * (t.event_channel_cycles + t.pirq_unmask_hypercalls * t.hypercall_cycles)) / f
    packets = w.io_ops * 2.0 / t.pte_batch * t.hypercall_cycles / f
    native = _guest_demand(get("native"))
    assert _guest_demand(tech) - native == pytest.approx(pv_cpu + irq + packets, rel=1e-12)
    # the default count: one unmask hypercall per device interrupt, no page-table update per packet
    per_interrupt = t.hypercall_cycles / f
    assert _guest_demand(_direct(wakeups="off")) - _guest_demand(_direct(wakeups="off", pirq_unmask_hypercalls=0.0)) \
        == pytest.approx(w.io_interrupts * per_interrupt, rel=1e-12)
    assert w.io_interrupts * per_interrupt == pytest.approx(4 * 1300 / 2.4e9)   # 2.17 us per 64 KiB request


def test_the_counts_are_the_codes():
    tech = _direct()
    assert tech.pirq_unmask_hypercalls == measurement("iopath.xen_pirq.unmask_hypercalls_per_level_interrupt").value == 1
    assert tech.direct_rx_pte_updates == measurement("iopath.xen_dom0.rx_page_table_updates_per_packet").value == 0


def test_zero_hypercall_and_event_costs_leave_native_plus_the_kernel_terms():
    free = _direct(wakeups="off", hypercall_cycles=0.0, event_channel_cycles=0.0, direct_rx_pte_updates=4.0)
    w, f = BULK, PLATFORM.clock_hz
    kernel = (w.syscalls * free.syscall_cycles + w.page_faults * free.pgfault_cycles
              + w.context_switches * free.ctxsw_cycles) / f
    assert _guest_demand(free) == pytest.approx(_guest_demand(get("native")) + kernel, rel=1e-12)
    # and with those at zero too, native's metrics exactly
    bare = free.replace(syscall_cycles=0.0, pgfault_cycles=0.0, ctxsw_cycles=0.0)
    for name, value in _metrics(get("native")).items():
        assert _metrics(bare)[name] == pytest.approx(value, rel=1e-12), name


def test_symbolic_formula():
    on = Model(_direct(wakeups="off"), BULK, PLATFORM).expression("cpu_per_request").expr
    zero = Model(_direct(wakeups="off", pirq_unmask_hypercalls=0.0), BULK, PLATFORM).expression("cpu_per_request").expr
    assert on == zero                                          # one formula: the counts are symbols
    sym = {str(x): x for x in on.free_symbols}
    extra = (sym["io_interrupts"] * sym["pirq_unmask_hypercalls"] * sym["hypercall_cycles"]
             + sym["io_ops"] * sym["direct_rx_pte_updates"] * sym["hypercall_cycles"] / sym["pte_batch"]) / sym["clock_hz"]
    without = on.subs({sym["pirq_unmask_hypercalls"]: 0, sym["direct_rx_pte_updates"]: 0})
    assert sp.simplify(on - without - extra) == 0


def test_monotone_in_the_rate_and_the_counts():
    limit = Model(_direct(), BULK, PLATFORM).evaluate("throughput_limit")
    lat = [Model(_direct(), BULK.replace(arrival_rate=x * limit), PLATFORM).evaluate("mean_latency")
           for x in (0.05, 0.3, 0.6, 0.9)]
    assert lat == sorted(lat) and lat[0] < lat[-1]
    w = BULK.replace(arrival_rate=0.5 * limit)
    cpu = [Model(_direct(pirq_unmask_hypercalls=k), w, PLATFORM).evaluate("cpu_per_request") for k in (0.0, 1.0, 3.0)]
    assert cpu == sorted(cpu) and cpu[0] < cpu[-1]
    cpu = [Model(_direct(direct_rx_pte_updates=k), w, PLATFORM).evaluate("cpu_per_request") for k in (0.0, 1.0, 3.0)]
    assert cpu == sorted(cpu) and cpu[0] < cpu[-1]


def test_with_wakeups_a_lone_request_pays_the_whole_interrupt_and_no_back_end_wakeup():
    """wakeups="on" (the default): at no load every device interrupt is taken, so a lone request pays
    each interrupt's unmask hypercall; no back-end is woken (nothing runs off the vCPU)."""
    lone = BULK.replace(arrival_rate=1e-9)
    one, none = Model(_direct(), lone, PLATFORM), Model(_direct(pirq_unmask_hypercalls=0.0), lone, PLATFORM)
    t = _direct()
    grown = one.evaluate("mean_latency") - none.evaluate("mean_latency")
    assert grown == pytest.approx(BULK.io_interrupts * t.hypercall_cycles / PLATFORM.clock_hz, rel=1e-6)
    # the halted vCPU's wake-up is the only host work; a split driver adds the back-end's
    split = Model(get("paravirtual"), lone, PLATFORM).evaluate("host_cores")
    assert one.evaluate("host_cores") < split


def test_a_recipe_requiring_the_mechanism_selects_the_direct_path():
    need = next(n for n in REQUIREMENT_SETTINGS if n.startswith("paravirtualized kernel with direct device access"))
    assert REQUIREMENT_SETTINGS[need] == {"io_path": "direct"} and need in SUPPORTED_MECHANISMS
    recipe = recipes()[ROW]
    assert recipe["requires"] == [need] and recipe["technique"] == "paravirtual"
    assert _recipe_settings(recipe) == {"io_path": "direct"}
    assert _missing(recipe, None) is None
    needing = [r for r, rec in recipes().items() if need in rec["requires"]]
    assert needing == [ROW]


@pytest.mark.parametrize("kwargs", [{"io_path": "dom0"}, {"pirq_unmask_hypercalls": -1.0},
                                    {"direct_rx_pte_updates": float("nan")}])
def test_bad_settings_are_named(kwargs):
    with pytest.raises(ParameterError, match=next(iter(kwargs))):
        Model(_direct(**{k: v for k, v in kwargs.items() if k != "io_path"}) if "io_path" not in kwargs
              else get("paravirtual", **kwargs), BULK, PLATFORM).evaluate("mean_latency")


@pytest.mark.slow
def test_the_guest_station_agrees_with_the_simulation():
    """The interrupts' hypercalls in dom0's own station (wakeups="off": the station's service as the
    oracle draws it), against the discrete-event oracle."""
    from virtmodel.model.simulation import simulate_model

    tech = _direct(wakeups="off", pirq_unmask_hypercalls=20.0)   # make the term visible
    w = RR.replace(io_interrupts=2.0)
    platform = Platform(clock_hz=2.4e9, cores=1, vms=1, vcpus=1)
    rate = 0.6 * Model(tech, w, platform).evaluate("throughput_limit")
    model = Model(tech, w.replace(arrival_rate=rate), platform)
    assert not math.isclose(model.evaluate("cpu_per_request"),
                            Model(_direct(wakeups="off"), w.replace(arrival_rate=rate), platform).evaluate("cpu_per_request"))
    sim, delay = simulate_model(model, customers=60_000, seed=11)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03), (
        sim.system_response_time, model.evaluate("mean_latency") - delay)
