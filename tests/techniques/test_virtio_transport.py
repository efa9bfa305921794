"""The virtio transport (techniques/virtio_transport.py): pci is the previous model exactly, the MMIO
interrupt's register accesses, their limiting cases, bad combinations, and the simulation oracle
(simulate/register_trace.py) that walks the driver's register accesses."""

import pytest
import sympy as sp

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.presets import measurement
from virtmodel.simulate.register_trace import (HANDLER_ACCESSES, QUEUE_NOTIFY, exits_of, interrupt_offsets,
                                               simulate_vcpu)
from virtmodel.techniques import get
from virtmodel.techniques.pooled_backend import POOLED
from virtmodel.techniques.virtio_transport import VIRTIO_PATHS
from virtmodel.workload import Workload

METRICS = ("mean_latency", "throughput_limit", "cpu_per_request", "guest_cores", "host_cores", "p99")
WORKLOADS = ("small_packet_rr", "bulk_transfer", "web_serving")
RR = Workload(arrival_rate=2000.0, cpu_time=20e-6, io_ops=4, io_bytes=64, io_interrupts=2, syscalls=2)


def _values(tech, workload, platform=Platform()):
    model = Model(tech, workload, platform)
    return [model.evaluate(m) for m in METRICS]


@pytest.mark.parametrize("path", VIRTIO_PATHS)
@pytest.mark.parametrize("wakeups", ["off", "on"])
def test_mmio_without_register_accesses_is_pci_exactly(path, wakeups):
    pci = get("hardware_assist", io_path=path, wakeups=wakeups)
    mmio = pci.replace(virtio_transport="mmio", mmio_interrupt_accesses=0.0)
    for workload in WORKLOADS + (RR,):
        assert _values(mmio, workload) == pytest.approx(_values(pci, workload), rel=1e-12)


@pytest.mark.parametrize("path", VIRTIO_PATHS)
def test_free_exits_make_mmio_pci(path):
    """With exits that cost nothing (t_x = c_user = 0) the transport cannot matter."""
    free = dict(exit_cycles=0.0, exit_handling_cycles=0.0, userspace_exit_cycles=0.0)
    pci = get("hardware_assist", io_path=path, **free)
    mmio = pci.replace(virtio_transport="mmio")
    assert _values(mmio, RR) == pytest.approx(_values(pci, RR), rel=1e-12)


def test_pci_formula_has_no_transport_term():
    """The default transport adds no symbol: the reported formulas of the QEMU rows are the previous ones."""
    for path in VIRTIO_PATHS:
        expr = Model(get("hardware_assist", io_path=path), RR).expression("mean_latency").expr
        assert "mmio_interrupt_accesses" not in {str(x) for x in expr.free_symbols}
    expr = Model(get("hardware_assist", virtio_transport="mmio"), RR).expression("cpu_per_request").expr
    assert "mmio_interrupt_accesses" in {str(x) for x in expr.free_symbols}


@pytest.mark.parametrize("path", VIRTIO_PATHS)
def test_each_interrupt_adds_two_user_space_exits_on_the_vcpu(path):
    """The guest's demand grows by n_irq k_mmio (t_x + c_user/f) and nothing else moves (the first model's
    interrupts, wakeups="off": every interrupt paid; with the default's wake-ups see
    test_with_wakeups_the_accesses_are_suppressed_with_their_interrupt)."""
    pci = get("hardware_assist", io_path=path, wakeups="off")
    mmio = pci.replace(virtio_transport="mmio")
    platform = Platform()
    before = Model(pci, RR, platform).station_table()["demand"]
    after = Model(mmio, RR, platform).station_table()["demand"]
    per_access = (mmio.exit_cycles + mmio.exit_handling_cycles + mmio.userspace_exit_cycles) / platform.clock_hz
    assert after["guest"] - before["guest"] == pytest.approx(RR.io_interrupts * 2 * per_access, rel=1e-12)
    assert after.drop("guest").tolist() == pytest.approx(before.drop("guest").tolist(), rel=1e-12)
    # 2 x (784 + 2216 + 4167) cycles = 14,334 cycles per interrupt, 4.78 us at 3 GHz
    assert 2 * per_access * platform.clock_hz == pytest.approx(14334)


def test_the_symbolic_term_is_the_docstring_formula():
    # the docstring's term counts every interrupt: the first model's interrupts (wakeups="off")
    tech = get("hardware_assist", io_path="virtio_user", virtio_transport="mmio", wakeups="off")
    pci = tech.replace(virtio_transport="pci")
    diff = (Model(tech, RR).expression("cpu_per_request").expr
            - Model(pci, RR).expression("cpu_per_request").expr)
    s = {str(x): x for x in diff.free_symbols}  # the model's own symbols (with their assumptions)
    assert set(s) <= {"io_interrupts", "mmio_interrupt_accesses", "exit_cycles", "exit_handling_cycles",
                      "userspace_exit_cycles", "clock_hz", "exits_per_interrupt"}
    f = s["clock_hz"]
    want = s["io_interrupts"] * s["mmio_interrupt_accesses"] * (
        (s["exit_cycles"] + s["exit_handling_cycles"]) / f + s["userspace_exit_cycles"] / f)
    assert sp.expand(diff - want) == 0


def test_heavier_load_and_more_interrupts_cost_more_on_mmio():
    """Light load: the added latency is the accesses' time; heavier load: the vCPU's queue grows it."""
    mmio = get("hardware_assist", io_path="virtio_user", virtio_transport="mmio")
    pci = mmio.replace(virtio_transport="pci")
    light = RR.replace(arrival_rate=1.0)
    gap_light = Model(mmio, light).evaluate("mean_latency") - Model(pci, light).evaluate("mean_latency")
    per_irq = 2 * (mmio.exit_cycles + mmio.exit_handling_cycles + mmio.userspace_exit_cycles) / Platform().clock_hz
    assert gap_light == pytest.approx(RR.io_interrupts * per_irq, rel=0.01)
    gap_heavy = Model(mmio, RR).evaluate("mean_latency") - Model(pci, RR).evaluate("mean_latency")
    assert gap_heavy > gap_light
    assert Model(mmio, RR).evaluate("throughput_limit") < Model(pci, RR).evaluate("throughput_limit")


def test_with_wakeups_the_accesses_are_suppressed_with_their_interrupt():
    """With wakeups on an interrupt is paid only when NAPI's poll window is closed
    (techniques/interrupt_window.py), and its accesses with it: at light load the guest's queue holds
    neither on either transport; under load it holds the interrupts that find the window closed, so
    MMIO's accesses come back into it, in the same share as their interrupts."""
    mmio = get("hardware_assist", io_path="virtio_user", virtio_transport="mmio", wakeups="on")
    pci = mmio.replace(virtio_transport="pci")

    def guest(tech, rate):
        return Model(tech, RR).station_table(arrival_rate=rate).loc["guest", "demand"]

    assert guest(mmio, 1e-3) == pytest.approx(guest(pci, 1e-3), rel=1e-9)
    base = guest(pci, 0.0)
    rate = RR.arrival_rate
    queued = [guest(t, rate) - base for t in (mmio, pci)]
    assert queued[0] > queued[1] > 0
    per_irq = [t.interrupt_exits(_Values(Model(t, RR).values())).mean for t in (mmio, pci)]
    assert queued[0] / queued[1] == pytest.approx(per_irq[0] / per_irq[1], rel=1e-9)
    assert Model(mmio, RR.replace(arrival_rate=1.0)).evaluate("mean_latency") > \
        Model(pci, RR.replace(arrival_rate=1.0)).evaluate("mean_latency")


class _Values:
    """Numbers by attribute, as a technique's formulas read their parameters."""

    def __init__(self, values):
        self.__dict__.update(values)


@pytest.mark.parametrize("tech", [get("nested"), *(cls() for cls in POOLED.values())], ids=lambda t: t.name)
def test_nested_and_pooled_take_the_flag(tech):
    tech = tech.replace(virtio_transport="mmio")
    w = RR.replace(arrival_rate=10.0)
    assert Model(tech, w).evaluate("cpu_per_request") > \
        Model(tech.replace(virtio_transport="pci"), w).evaluate("cpu_per_request")


def test_bad_transports_are_named():
    with pytest.raises(ParameterError, match="virtio_transport"):
        get("hardware_assist", virtio_transport="ccw")
    with pytest.raises(ParameterError, match="virtio_transport.*emulated"):
        Model(get("hardware_assist", io_path="emulated", virtio_transport="mmio"), RR).evaluate("mean_latency")
    with pytest.raises(ParameterError, match="mmio_interrupt_accesses"):
        get("hardware_assist", mmio_interrupt_accesses=-1.0)


def test_the_count_is_the_sourced_driver_count():
    tech = get("hardware_assist")
    assert tech.mmio_interrupt_accesses == measurement("iopath.virtio_mmio.register_accesses_per_interrupt").value
    assert tech.parameter_sources()["mmio_interrupt_accesses"] == "linux_virtio_mmio"


# --- the oracle: the driver's register accesses walked one by one (simulate/register_trace.py) -------------
def test_the_walk_gives_the_structural_counts():
    """Firecracker's ioeventfd covers QueueNotify only: a kick stays in the kernel on either transport,
    an MMIO interrupt's handler makes two user-space exits, a PCI MSI-X handler none."""
    assert exits_of((QUEUE_NOTIFY,)) == (1, 0)
    assert exits_of(interrupt_offsets("mmio")) == (0, 2)
    assert exits_of(interrupt_offsets("pci")) == (0, 0)
    assert set(HANDLER_ACCESSES) == {"pci", "mmio"}
    assert exits_of(interrupt_offsets("mmio"))[1] == get("hardware_assist").mmio_interrupt_accesses


@pytest.mark.parametrize("transport", ["pci", "mmio"])
def test_the_vcpu_matches_the_register_walk(transport):
    """M/G/1 of the one vCPU against a Lindley run whose requests draw Poisson kicks and interrupts, each
    walked through the driver's register accesses (one kick per I/O; no other exits; no halts or wake-ups:
    the first model's interrupts, wakeups="off")."""
    w = Workload(arrival_rate=1.0, cpu_time=10e-6, cpu_scv=0.0, io_ops=2, io_bytes=64, io_interrupts=3,
                 interrupts=0, exceptions=0, tlb_misses=0, register_writes=0)
    platform = Platform(vcpus=1, cores=16)
    tech = get("hardware_assist", io_path="virtio_user", virtio_transport=transport, virtio_exits_per_io=1.0,
               segment_offload="off", wakeups="off")
    rate = 0.6 * Model(tech, w, platform).evaluate("throughput_limit")
    row = Model(tech, w.replace(arrival_rate=rate), platform).station_table().loc["guest"]
    kernel_exit = (tech.exit_cycles + tech.exit_handling_cycles) / platform.clock_hz
    user_extra = tech.userspace_exit_cycles / platform.clock_hz
    response, service = simulate_vcpu(rate, w.cpu_time, w.io_ops, w.io_interrupts, transport, kernel_exit, user_extra,
                                      exits_per_interrupt=int(tech.exits_per_interrupt), customers=200_000, seed=5)
    assert service == pytest.approx(row["demand"], rel=0.01)
    assert response == pytest.approx(row["response_time"], rel=0.03)
