"""Published values for device assignment, offload, interrupts and storage.

Sources: Dong et al. 2010 (SR-IOV), the AWS Nitro documentation and the EC2 User
Guide, Firecracker (NSDI 2020), ELI (CACM 2016), KVM commits (paravirtual EOI,
halt polling), the Linux ENA driver documentation, the QEMU VFIO NVMe commit.
"""

from __future__ import annotations

from .published_record import NOT_STATED, Finding, Measurement

__all__ = ["FINDINGS", "MEASUREMENTS"]

_DONG = "10 GbE SR-IOV NIC; " + NOT_STATED
_EC2 = "Amazon EC2"
_FC = "Firecracker (KVM-based VMM)"

_sriov = (
    Measurement("sriov.throughput", 9.48, "Gb/s", "dong2010", _DONG, "10 GbE line rate reached"),
    Measurement("sriov.line_rate", 10, "Gb/s", "dong2010", _DONG, "10 GbE"),
    Measurement("sriov.max_vms", 60, "VMs", "dong2010", _DONG, "VMs sharing the port, up to 60"),
    Measurement("sriov.cpu_per_vm", 1.76, "% CPU per VM", "dong2010", _DONG,
                "additional CPU overhead per VM (about)"),
    Measurement("sriov.vfs_per_port", 64, "VFs", "dong2010", "Intel 82599",
                "virtual functions per port on common NICs of the time (82599: up to 64)"),
)

_nitro = (
    Measurement("nitro.c5_24xlarge.vcpus", 96, "vCPUs", "aws_nitro", "c5.24xlarge (Nitro)",
                "largest virtualized size: as many vCPUs as c5.metal"),
    Measurement("nitro.c5_metal.vcpus", 96, "vCPUs", "aws_nitro", "c5.metal (bare metal)",
                "the whole server"),
    Measurement("nitro.c4_8xlarge.vcpus", 36, "vCPUs", "aws_nitro", "c4.8xlarge (Xen)",
                "vCPUs offered to the guest (also in the EC2 instance facts)"),
    Measurement("nitro.c4_8xlarge.host_threads", 40, "threads", "aws_nitro", "c4.8xlarge host (Xen)",
                "hardware threads of the host; the rest kept for dom0 and I/O"),
    Measurement("ec2.ena.bandwidth_max", 100, "Gb/s", "aws_ec2_ug", _EC2,
                "ENA enhanced networking, up to 100 Gb/s"),
    Measurement("ec2.ixgbevf.bandwidth_max", 10, "Gb/s", "aws_ec2_ug", "Intel 82599 VF",
                "82599 virtual function enhanced networking, up to 10 Gb/s"),
    Measurement("ec2.c5_18xlarge.vcpus", 72, "vCPUs", "aws_ec2_ug", "c5.18xlarge (Nitro)", ""),
    Measurement("ec2.m5_24xlarge.vcpus", 96, "vCPUs", "aws_ec2_ug", "m5.24xlarge (Nitro)", ""),
    Measurement("ec2.i3_16xlarge.vcpus", 64, "vCPUs", "aws_ec2_ug", "i3.16xlarge (Xen)",
                "same hardware as i3.metal"),
    Measurement("ec2.i3_metal.vcpus", 72, "vCPUs", "aws_ec2_ug", "i3.metal (bare metal)", ""),
    Measurement("ec2.i3_16xlarge.memory", 488, "GiB", "aws_ec2_ug", "i3.16xlarge (Xen)", ""),
    Measurement("ec2.i3_metal.memory", 512, "GiB", "aws_ec2_ug", "i3.metal (bare metal)", ""),
    Measurement("ec2.i3_xen_host_threads_kept", 8, "threads", "aws_ec2_ug", "i3 host (Xen)",
                "72 - 64 threads kept by the Xen host", derived=True),
    Measurement("ec2.flow_limit.outside_placement_group", 5, "Gb/s", "aws_ec2_ug", _EC2,
                "single-flow bandwidth limit outside a cluster placement group"),
    Measurement("ec2.flow_limit.inside_placement_group", 10, "Gb/s", "aws_ec2_ug", _EC2,
                "single-flow bandwidth limit inside a cluster placement group"),
    Measurement("ec2.ena.queues_per_interface", 8, "queues", "aws_ec2_ug", _EC2,
                "ENA queues per network interface"),
    Measurement("ec2.ena.queues_per_interface_accelerated", 32, "queues", "aws_ec2_ug", _EC2,
                "ENA queues per interface on network-accelerated types"),
)

_firecracker = (
    Measurement("firecracker.net_throughput", 14.5, "Gb/s", "firecracker2020", _FC,
                "network throughput using at most 80% of one host core"),
    Measurement("firecracker.net_host_core", 80, "% of a host core", "firecracker2020", _FC,
                "host CPU for 14.5 Gb/s (at most)"),
    Measurement("firecracker.net_throughput_full_core", 25, "Gb/s", "firecracker2020", _FC,
                "network throughput at 100% of one host core"),
    Measurement("firecracker.block_throughput", 1, "GiB/s", "firecracker2020", _FC,
                "storage throughput using up to 70% of a host core"),
    Measurement("firecracker.block_host_core", 70, "% of a host core", "firecracker2020", _FC,
                "host CPU for 1 GiB/s of storage (up to)"),
    Measurement("firecracker.block_p99_over_native", 49, "us", "firecracker2020", _FC,
                "block I/O p99 latency above native, 4K at queue depth 1 (about)"),
)

_interrupts = (
    Measurement("eli.physical_interrupts_min", 150000, "interrupts/s", "amit2016_eli",
                "device assignment under network load", "more than 150K/s even with coalescing"),
    Measurement("kvm.pv_eoi_exit_reduction", 50, "%", "kvm_pv_eoi", "KVM x86, " + NOT_STATED,
                "paravirtual EOI halves exits per interrupt"),
    Measurement("ena.tx_interrupt_delay", 64, "us", "linux_ena_driver", "ENA",
                "default TX interrupt delay (RX moderation adaptive)"),
    Measurement("haltpoll.fraction_of_bare_metal.without", 30, "% of bare metal",
                "kvm_halt_poll2015", "KVM, O_DSYNC writes", "before halt polling"),
    Measurement("haltpoll.fraction_of_bare_metal.with.low", 60, "% of bare metal",
                "kvm_halt_poll2015", "KVM, O_DSYNC writes", "with halt polling, low end"),
    Measurement("haltpoll.fraction_of_bare_metal.with.high", 65, "% of bare metal",
                "kvm_halt_poll2015", "KVM, O_DSYNC writes", "with halt polling, high end"),
    Measurement("haltpoll.idle_vcpu_cost.low", 1.5, "% of a host core", "kvm_halt_poll2015",
                "KVM", "host CPU per idle vCPU with halt polling, low end"),
    Measurement("haltpoll.idle_vcpu_cost.high", 2.5, "% of a host core", "kvm_halt_poll2015",
                "KVM", "host CPU per idle vCPU with halt polling, high end"),
)

_QD1 = "4K random read, queue depth 1"
_storage = (
    Measurement("storage.vfio_nvme.iops", 21600, "IOPS", "qemu_vfio_nvme", _QD1,
                "QEMU userspace VFIO NVMe driver"),
    Measurement("storage.linux_aio.iops", 10500, "IOPS", "qemu_vfio_nvme", _QD1,
                "QEMU with linux-aio"),
    Measurement("storage.vfio_nvme.latency", 46, "us", "qemu_vfio_nvme", _QD1,
                "per I/O, 1/IOPS (about)", derived=True),
    Measurement("storage.linux_aio.latency", 95, "us", "qemu_vfio_nvme", _QD1,
                "per I/O, 1/IOPS (about)", derived=True),
)

MEASUREMENTS = _sriov + _nitro + _firecracker + _interrupts + _storage

FINDINGS = (
    Finding("sriov.vs_paravirtual",
            "SR-IOV reaches 10 GbE line rate and does better than the paravirtual path.", "dong2010"),
    Finding("nitro.offload",
            "Nitro moves network, storage and management to dedicated cards and a thin hypervisor; "
            "the largest instance sizes provide practically all of the server's resources.",
            "aws_nitro"),
    Finding("ec2.enhanced_networking",
            "Enhanced networking (SR-IOV) gives higher packets per second and consistently lower "
            "latency.", "aws_ec2_ug"),
    Finding("ec2.i3_iops", "i3.16xlarge (Xen) and i3.metal have the same NVMe IOPS.", "aws_ec2_ug"),
)
