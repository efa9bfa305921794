"""An emulated disk's AHCI register accesses per command (techniques/emulated_block.py).

Checks: the flag off (``emulated_disk="nic"``) and a network-only workload are the previous
model exactly; the AHCI count equal to the NIC's is the previous model (limiting case); the
vCPU's extra demand per block request against a hand computation of
:math:`(k_{\\mathrm{ahci}} - x_{\\mathrm{emu}})(c_{exit} + c_{handle} + c_{user})/f`; other paths
untouched; the station network with the AHCI count against the discrete-event oracle.
"""

import pytest

from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.techniques import get
from virtmodel.techniques.emulated_block import DEVICE_COUNTS, emulated_kicks
from virtmodel.workload import Workload
from virtmodel import workloads

METRICS = ("mean_latency", "cpu_per_request", "throughput_limit", "host_cores", "guest_cores", "overhead")
DISK_ONLY = Workload(arrival_rate=2000.0, io_ops=0, io_interrupts=0, file_reads=1, file_read_bytes=4096,
                     page_cache_hit_ratio=0.0, disk_writes=0.5, disk_write_bytes=4096)
FLASH = Platform(disk="flash")


def _emulated(**kw):
    return get("hardware_assist", io_path="emulated", **kw)


def test_the_block_view_names_the_disk_device_and_the_network_keeps_the_nic():
    tech = _emulated()
    assert (tech.emulated_disk, tech.emulated_device) == ("ahci", "nic")
    assert tech.block_io_view().emulated_device == "ahci"
    assert emulated_kicks(tech) == "emulated_exits_per_io"
    assert emulated_kicks(tech.block_io_view()) == "ahci_accesses_per_command"
    assert _emulated(emulated_disk="nic").block_io_view().emulated_device == "nic"
    assert get("hardware_assist").block_io_view().emulated_device == "nic"  # virtio: no emulated disk
    assert set(DEVICE_COUNTS) == {"nic", "ahci"}


@pytest.mark.parametrize("metric", METRICS)
def test_flag_off_and_network_only_are_the_previous_model(metric):
    net = workloads.get("small_packet_rr").replace(arrival_rate=2000.0)
    # a network-only workload: the AHCI count never enters (on the flash platform too)
    assert Model(_emulated(), net, FLASH).evaluate(metric) == \
        pytest.approx(Model(_emulated(emulated_disk="nic"), net, FLASH).evaluate(metric), rel=1e-12)
    # the AHCI count set to the NIC's: the previous model exactly
    same = _emulated(ahci_accesses_per_command=2.6)
    assert Model(same, DISK_ONLY, FLASH).evaluate(metric) == \
        pytest.approx(Model(_emulated(emulated_disk="nic"), DISK_ONLY, FLASH).evaluate(metric), rel=1e-12)


def test_the_extra_vcpu_demand_per_block_request_is_the_hand_computation():
    # without the wake-up terms: with them the extra exits also lower the vCPU's idle share, and with it
    # the wake-ups' work (the default since the switch; the exits' own cost is this hand computation)
    tech = _emulated(wakeups="off")
    ahci = Model(tech, DISK_ONLY, FLASH)
    nic = Model(_emulated(emulated_disk="nic", wakeups="off"), DISK_ONLY, FLASH)
    t = tech
    per_exit = (t.exit_cycles + t.exit_handling_cycles + t.userspace_exit_cycles) / FLASH.clock_hz
    n_d = DISK_ONLY.file_reads * (1 - DISK_ONLY.page_cache_hit_ratio) + DISK_ONLY.disk_writes
    expected = n_d * (t.ahci_accesses_per_command - t.emulated_exits_per_io) * per_exit
    assert t.ahci_accesses_per_command == 7.0 and t.emulated_exits_per_io == 2.6
    got = ahci.evaluate("cpu_per_request") - nic.evaluate("cpu_per_request")
    assert got == pytest.approx(expected, rel=1e-9)
    assert ahci.station_table().loc["guest", "utilization"] > nic.station_table().loc["guest", "utilization"]
    # the host's cores (the back-end) are untouched: the mechanism is the vCPU's exits only
    assert ahci.station_table().loc["host", "utilization"] == pytest.approx(
        nic.station_table().loc["host", "utilization"], rel=1e-12)


@pytest.mark.parametrize("path", ["virtio", "virtio_user", "virtio_pooled"])
def test_other_paths_ignore_the_flag(path):
    for metric in METRICS:
        a = Model(get("hardware_assist", io_path=path), DISK_ONLY, FLASH).evaluate(metric)
        b = Model(get("hardware_assist", io_path=path, emulated_disk="nic"), DISK_ONLY, FLASH).evaluate(metric)
        assert a == pytest.approx(b, rel=1e-12)


def test_more_accesses_per_command_cost_more_and_none_cost_less():
    cpu = [Model(_emulated(ahci_accesses_per_command=k), DISK_ONLY, FLASH).evaluate("cpu_per_request")
           for k in (0.0, 2.6, 7.0, 14.0)]
    assert cpu == sorted(cpu) and cpu[0] < cpu[-1]


@pytest.mark.slow
def test_the_emulated_disk_network_agrees_with_the_simulation():
    from virtmodel.model.simulation import simulate_model

    base = Model(_emulated(), DISK_ONLY, FLASH)
    rate = 0.6 * base.evaluate("throughput_limit")
    model = Model(base.technique, DISK_ONLY.replace(arrival_rate=rate), FLASH)
    sim, delay = simulate_model(model, customers=60_000, seed=7)
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=0.03)
