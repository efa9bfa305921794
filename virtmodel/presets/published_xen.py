"""Published costs of paravirtualization and paravirtual I/O back-ends.

Sources: Barham et al. 2003 (Xen lmbench and ttcp), Menon et al. 2006, Sugerman
et al. 2001, Santos et al. 2008, Ram et al. 2009, the Linux xen-netback
multi-queue merge, tun/vhost batching commits, Citrix 2012 (dom0 sizing).
"""

from __future__ import annotations

from .published_record import NOT_STATED, Finding, Measurement

__all__ = ["FINDINGS", "LMBENCH", "MEASUREMENTS", "TTCP"]

XEN_MACHINE = "Dell 2650, 2.4 GHz Xeon, Linux 2.4.21, VMware Workstation 3.2"
"""The machine of Barham et al. 2003."""

SYSTEMS = ("native", "xen", "vmware", "uml")
"""Column order of the Barham et al. tables: native Linux, Xen, VMware WS, UML."""

LMBENCH = {
    # operation: (native, Xen, VMware Workstation, UML), microseconds; Barham et al. 2003
    "null_call": (0.45, 0.46, 0.73, 24.7),
    "fork": (110, 198, 874, 21000),
    "exec": (530, 768, 2300, 33000),
    "ctx_switch_2p_0k": (0.77, 1.97, 18.1, 15.5),
    "mmap": (68.0, 139, 620, 1400),
    "prot_fault": (1.06, 1.40, 7.53, 21.8),
    "page_fault": (1.42, 2.73, 12.4, 26.3),
}
"""lmbench latencies (us) in :data:`SYSTEMS` order (barham2003)."""

TTCP = {
    # (MTU, direction): (native, Xen, VMware Workstation, UML), Mb/s; Barham et al. 2003
    (1500, "tx"): (897, 897, 291, 165),
    (1500, "rx"): (897, 897, 615, 203),
    (500, "tx"): (602, 516, 101, 61.1),
    (500, "rx"): (544, 467, 137, 91.4),
}
"""ttcp throughput (Mb/s) in :data:`SYSTEMS` order (barham2003)."""

_LMBENCH_WHAT = {
    "null_call": "null system call",
    "fork": "process fork",
    "exec": "process exec",
    "ctx_switch_2p_0k": "context switch, 2 processes, 0K working set",
    "mmap": "mmap",
    "prot_fault": "protection fault",
    "page_fault": "page fault",
}

_lmbench = tuple(
    Measurement(f"xen.lmbench.{op}.{system}", value, "us", "barham2003", XEN_MACHINE,
                f"lmbench {_LMBENCH_WHAT[op]} latency")
    for op, row in LMBENCH.items()
    for system, value in zip(SYSTEMS, row)
)

_ttcp = tuple(
    Measurement(f"xen.ttcp.mtu{mtu}.{system}.{direction}", value, "Mb/s", "barham2003", XEN_MACHINE,
                f"ttcp {direction.upper()} throughput at MTU {mtu}")
    for (mtu, direction), row in TTCP.items()
    for system, value in zip(SYSTEMS, row)
)

_VHOST = "vhost-net, one queue (one host kernel thread)"
_paravirtual_io = (
    Measurement("menon.guest_tx_gap_max", 12, "% below native", "menon2006", "Xen, " + NOT_STATED,
                "guest transmit throughput within 12% of native after the optimizations"),
    Measurement("menon.guest_rx_gap", 61, "% below native", "menon2006", "Xen, " + NOT_STATED,
                "guest receive throughput still 61% behind native"),
    Measurement("sugerman.cpu_vs_native.low", 5, "x native CPU", "sugerman2001",
                "VMware Workstation 2.0, 100 Mb/s Ethernet", "CPU needed to saturate 100 Mb/s, low end"),
    Measurement("sugerman.cpu_vs_native.high", 6, "x native CPU", "sugerman2001",
                "VMware Workstation 2.0, 100 Mb/s Ethernet", "CPU needed to saturate 100 Mb/s, high end"),
    Measurement("sugerman.link_rate", 100, "Mb/s", "sugerman2001",
                "VMware Workstation 2.0, 100 Mb/s Ethernet", "the link saturated in that comparison"),
    Measurement("vhost.guest_rx_mpps.low", 1.3, "Mpps", "linux_vhost_batching", _VHOST,
                "guest receive packet rate, low end"),
    Measurement("vhost.guest_rx_mpps.high", 1.5, "Mpps", "linux_vhost_batching", _VHOST,
                "guest receive packet rate, high end"),
    Measurement("vhost.guest_tx_mpps.low", 0.9, "Mpps", "linux_vhost_batching", _VHOST,
                "guest transmit packet rate, low end"),
    Measurement("vhost.guest_tx_mpps.high", 1.1, "Mpps", "linux_vhost_batching", _VHOST,
                "guest transmit packet rate, high end"),
    Measurement("vhost.host_cpu_per_packet.low", 0.7, "us", "linux_vhost_batching", _VHOST,
                "host CPU per packet on the paravirtual path (1/Mpps), low end", derived=True),
    Measurement("vhost.host_cpu_per_packet.high", 1.0, "us", "linux_vhost_batching", _VHOST,
                "host CPU per packet on the paravirtual path (1/Mpps), high end", derived=True),
    Measurement("netback.single_queue_max", 6, "Gb/s", "linux_xen_netback_mq",
                "Xen netback, one queue", "single-queue netback tops out near 6 Gb/s"),
    Measurement("netback.multi_queue_target", 10, "Gb/s", "linux_xen_netback_mq",
                "Xen netback, multi-queue", "10 Gb/s line rate needs multi-queue and more dom0 CPU"),
    Measurement("santos.driver_domain_rx_cost_reduction", 56, "%", "santos2008",
                "Xen driver domain, multi-queue NIC", "receive cost of the driver domain fell 56%"),
    Measurement("ram.guest_throughput.before", 2.9, "Gb/s", "ram2009", "Xen guest",
                "guest network throughput before the optimizations"),
    Measurement("ram.guest_throughput.after", 10, "Gb/s", "ram2009", "Xen guest",
                "guest network throughput after the optimizations"),
    Measurement("citrix.dom0_saturation_vms.low", 60, "VMs", "citrix2012",
                "XenServer, VDI, default dom0 vCPUs", "dom0 saturated at 60-65 VMs, low end"),
    Measurement("citrix.dom0_saturation_vms.high", 65, "VMs", "citrix2012",
                "XenServer, VDI, default dom0 vCPUs", "dom0 saturated at 60-65 VMs, high end"),
    Measurement("citrix.dom0_vcpus_tuned", 8, "vCPUs", "citrix2012", "XenServer, VDI",
                "dom0 vCPUs after tuning"),
    Measurement("citrix.vms_with_8_dom0_vcpus_min", 150, "VMs", "citrix2012",
                "XenServer, VDI, 8 dom0 vCPUs", "more than 150 VMs with 8 dom0 vCPUs (lower bound)"),
)

MEASUREMENTS = _lmbench + _ttcp + _paravirtual_io

FINDINGS = (
    Finding("xen.ttcp.regimes",
            "At MTU 1500 the wire limits ttcp throughput; at MTU 500 the per-packet CPU cost does.",
            "barham2003"),
    Finding("netback.multiqueue",
            "Xen netback with a single queue tops out near 6 Gb/s; 10 Gb/s line rate needs "
            "multi-queue and proportionally more dom0 CPU.", "linux_xen_netback_mq"),
)
