"""The technique registry, parameter metadata, sources and bad input."""

import dataclasses
import math

import pytest

from virtmodel import ParameterError
from virtmodel._params import numeric_fields
from virtmodel.platform import Platform
from virtmodel.symbols import info, registry
from virtmodel.techniques import TECHNIQUES, get, names
from virtmodel.techniques.generations import GENERATIONS, generation, with_generation
from virtmodel.workload import Workload

CITATION_KEYS = {
    "adams2006", "agesen2012", "barham2003", "dall2016", "dall2017", "landau2011", "menon2006",
    "sugerman2001", "dong2010", "qemu_tcg2020", "barr2011", "bhargava2008", "vmware_ept2009", "aws_nitro",
    "aws_ec2_ug", "firecracker2020", "santos2008", "ram2009", "citrix2012", "amit2016_eli",
    "kvm_halt_poll2015", "linux_vhost_batching", "linux_xen_netback_mq", "qemu_vfio_nvme", "assumption",
}
CITATION_KEYS |= {"kvm_halt_polling_doc", "linux_kvm_halt_poll_default"}  # techniques/notifications.py
CITATION_KEYS |= {"kvm_vhost_page", "ibm_kvm_bridge_ovs"}  # techniques/io_paths.py, hardware_assist.py
CITATION_KEYS |= {"linux_segmentation_offloads"}  # techniques/offload.py
CITATION_KEYS |= {"moby_docker_proxy", "mau2002_lmbench"}  # techniques/port_proxy.py
CITATION_KEYS |= {"samsung970_spec", "engineered_plp_fsync", "hgst_7k4000_spec"}  # platform.py disk (virtmodel.disk)
CITATION_KEYS |= {"kvm_multiqueue_page"}  # hardware_assist.py queues (vhost workers per queue)
CITATION_KEYS |= {"linux_libahci", "qemu_ahci"}  # techniques/emulated_block.py (AHCI accesses per command)
CITATION_KEYS |= {"chv_block_src2024", "linux_virtio_blk", "linux_virtio_ring"}  # techniques/virtqueue_capacity.py
CITATION_KEYS |= {"qemu_net_tap", "firecracker_net_versions", "chv_net_src"}  # techniques/user_backend.py (frames per tap call)
CITATION_KEYS |= {"chv_net_queue_threads", "firecracker_event_manager_src", "qemu_virtio_net_queues"}  # techniques/user_queue_threads.py
CITATION_KEYS |= {"chv_block_src", "qemu_thread_pool_src"}  # techniques/block_handoff.py
CITATION_KEYS |= {"linux_blk_mq_plug", "linux_virtio_blk_kick"}  # techniques/split_request_batching.py
CITATION_KEYS |= {"chv_blk_seg_max", "linux_virtio_blk_sg_elems"}  # requirement virtio_blk_one_segment (not modelled)
CITATION_KEYS |= {"zhang2016_hpc_virt", "kvm_pv_eoi"}  # techniques/vf_path.py (vf_message_time); _hwassist.py (exits_per_interrupt)
CITATION_KEYS |= {"gvisor_gso2019"}  # netstack.py (syscall_intercept: the sandbox's user-space stack)
CITATION_KEYS |= {"benson2014_copy_bandwidth"}  # techniques/payload_copy.py copy_time_per_byte
CITATION_KEYS |= {"kerrisk2010_jiffies"}  # techniques/hosted_world_switch.py host_timer_hz
CITATION_KEYS |= {"linux_virtio_mmio"}  # techniques/virtio_transport.py mmio_interrupt_accesses
CITATION_KEYS |= {"libseccomp_issue116"}  # techniques/seccomp_filter.py seccomp_filter_cycles
CITATION_KEYS |= {"socket_vmnet_src"}  # techniques/switch_daemon.py (the daemon's loop: one write per VM per frame)
CITATION_KEYS |= {"yang2017_docker_qperf", "linux_veth_backlog", "linux_intel_idle"}  # techniques/veth_crossing.py
CITATION_KEYS |= {"tong2013_qemu_tlb", "hennessy_patterson_mix"}  # techniques/softmmu.py
CITATION_KEYS |= {"firecracker_block_io_engine", "firecracker_block_request_src"}  # techniques/block_backend.py
CITATION_KEYS |= {"slirp4netns_bench2018", "qemu_net_slirp"}  # techniques/vmm_slirp.py (QEMU -netdev user)
CITATION_KEYS |= {"qemu_virtio_net_rx"}  # techniques/user_rx_copy.py (QEMU tap receive bounce copy)
CITATION_KEYS |= {"firecracker_pmem", "linux_dax", "dickins2008_lat_pagefault"}  # techniques/pmem_dax.py (findings)
CITATION_KEYS |= {"kata_virtiofs_fio2020", "linux_v9fs", "kata_runtime_9p_options", "qemu_9pfs",
                  "nginx_open_file"}  # techniques/shared_fs_9p.py (Kata 1.x 9p root file system)
CITATION_KEYS |= {"xen_linux_evtchn_pirq", "xen_physdev_unmask", "xen_linux_skbuff"}  # techniques/pv_direct_device.py (Xen dom0)
CITATION_KEYS |= {"gvisor_perf_guide"}  # techniques/gvisor_kvm.py (syscall_intercept platform="kvm")
OWNERS = (Workload, Platform) + tuple(TECHNIQUES.values())


def test_six_techniques_the_emulation_variant_and_the_nesting_and_process_ones():
    assert set(names()) == {"native", "binary_translation", "emulation", "paravirtual", "hardware_assist",
                            "sriov", "nitro", "nested", "syscall_intercept", "container"}


@pytest.mark.parametrize("owner", OWNERS, ids=lambda c: c.__name__)
def test_every_parameter_has_unit_source_domain_and_description(owner):
    for f in numeric_fields(owner):
        m = f.metadata
        assert m["unit"] and m["doc"] and m["latex"], f.name
        assert m["source"] in CITATION_KEYS, (f.name, m["source"])


def test_one_name_one_symbol():
    reg = registry()
    for owner in OWNERS:
        for f in numeric_fields(owner):
            i = info(f.name)
            assert (i.unit, i.domain, i.latex) == (f.metadata["unit"], f.metadata["domain"], f.metadata["latex"])
    assert len({i.symbol for i in reg.values()}) == len(reg)
    # workload, platform and technique fields never collide with one another
    wp = [f.name for f in numeric_fields(Workload)] + [f.name for f in numeric_fields(Platform)]
    assert len(wp) == len(set(wp))
    for cls in TECHNIQUES.values():
        assert not set(wp) & {f.name for f in numeric_fields(cls)}


def test_assumptions_follow_domains():
    assert info("cores").symbol.is_integer and info("cores").symbol.is_positive
    assert info("exit_cycles").symbol.is_nonnegative
    assert info("clock_hz").symbol.is_positive


@pytest.mark.parametrize("bad", ["sriovv", 3, None])
def test_unknown_technique_lists_the_valid_ones(bad):
    with pytest.raises(ParameterError, match="hardware_assist"):
        get(bad)


def test_unknown_parameter_lists_the_valid_ones():
    with pytest.raises(ParameterError, match="exit_cycles"):
        get("hardware_assist", exit_cost=5)


@pytest.mark.parametrize("value", [-1, math.nan, "2000", math.inf])
def test_bad_costs_are_rejected_by_name(value):
    with pytest.raises(ParameterError, match="syscall_cycles"):
        get("binary_translation", syscall_cycles=value)


@pytest.mark.parametrize("field, value", [("nested_paging", "yes"), ("io_path", "sriov")])
def test_bad_flags(field, value):
    with pytest.raises(ParameterError, match=field):
        get("hardware_assist", **{field: value})


def test_bad_workload_and_platform():
    with pytest.raises(ParameterError, match="cpu_time"):
        Workload(cpu_time=0)
    with pytest.raises(ParameterError, match="kernel_fraction"):
        Workload(kernel_fraction=1.5)
    with pytest.raises(ParameterError, match="cores"):
        Platform(cores=2.5)
    with pytest.raises(ParameterError, match="valid names"):
        Platform().replace(core=3)


def test_parameter_objects_are_plain_frozen_dataclasses():
    t = get("sriov")
    assert dataclasses.is_dataclass(t)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.max_vfs = 3
    assert t.values()["max_vfs"] == 64 and t.parameter_sources()["max_vfs"] == "dong2010"
    assert "dong2010" in t.sources() and "assumption" in t.sources()


def test_generations():
    assert [g.exit_cycles for g in GENERATIONS.values()] == [3963, 1579, 1266, 1009, 761, 784]
    assert generation("Nehalem").year == pytest.approx(2009.625)
    assert with_generation(get("sriov"), "Prescott").exit_cycles == 3963
    with pytest.raises(ParameterError, match="Sandy Bridge"):
        generation("Skylake")
    with pytest.raises(ParameterError):
        with_generation(get("paravirtual"), "Merom")


def test_every_source_key_is_in_the_bibliography():
    from virtmodel.model import Model
    from virtmodel.references import cite, keys

    for owner in OWNERS:
        for f in numeric_fields(owner):
            assert f.metadata["source"] in keys(), f.name
    bib = cite(Model("hardware_assist", "small_packet_rr"))
    assert "agesen2012" in bib and "dall2017" in bib


def test_every_parameter_has_its_own_latex_symbol():
    """Two parameters printed alike would make a formula ambiguous (io_bytes and io_batch once were)."""
    seen = {}
    for name, entry in registry().items():
        assert entry.latex not in seen, f"{name} and {seen.get(entry.latex)} are both printed {entry.latex}"
        seen[entry.latex] = name
