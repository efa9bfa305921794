"""Containers (namespaces and cgroups): the near-native reference.

A container's processes run on the host kernel like any other: system calls,
page faults and context switches cost what they cost natively (Felter et al.,
IBM 2014/ISPASS 2015, find Docker's CPU and memory performance equal to
native). What a container adds is on the network path: with Docker's default
network each packet crosses a veth pair and a Linux bridge, and NAT
(netfilter) for traffic to the outside; with ``--net=host`` it takes the
host's own stack.

.. math::
    \\Delta D_{\\mathrm{guest}} = \\begin{cases}
      n_{\\mathrm{io}} (c_{\\mathrm{veth}} + c_{\\mathrm{nat}})/f & \\text{bridge with NAT}\\\\
      n_{\\mathrm{io}}\\, c_{\\mathrm{veth}}/f & \\text{bridge}\\\\
      0 & \\text{host network}
    \\end{cases}, \\qquad D_{\\mathrm{host}} = 0, \\qquad
    \\Delta R = n_{\\mathrm{io}}\\, t_{\\mathrm{hand}} \\ \\text{(bridged)}

On a bridged network each packet also crosses the veth pair through the per-CPU
backlog, a pure delay :math:`t_{\\mathrm{hand}}` per crossing
(:mod:`virtmodel.techniques.veth_crossing`; sourced value 0: the backlog is the
transmitting CPU's own, and a qperf microbenchmark of the whole crossing leaves no
measurable wait after the per-packet cycles).

Assumptions: every I/O of the workload is a network packet (for block I/O
choose ``network="host"``, which is native; on a platform with a disk the disk's
block requests take the host's block layer, native); the per-packet cycles are the
model's assumptions (no per-packet cycle count of veth, bridge or NAT was found in the
stored sources; a request-response microbenchmark of the whole crossing, Yang 2017's
qperf tcp_lat, 1.25 us per crossing of veth, bridge and NAT, is what their 3,500 cycles
take at 2.8 GHz: 1.46 us at 2.4 GHz, 1.00 us at 3.5 GHz); the softirq work
of veth, bridge and NAT runs on the cores of the container, so it is charged
to the guest station. With no I/O, or on the host network, a container is
native exactly. Segmentation offload (flag ``segment_offload``, default off):
GSO segments cross veth, bridge and NAT whole, so the per-packet cycles are paid
per segment (:mod:`virtmodel.techniques.offload`). Docker's user-space port proxy
(flag ``port_proxy``, default off: the path above exactly): a host-side loopback
connection to a published port relayed by ``docker-proxy``, a station of its own
on the host's cores (:mod:`virtmodel.techniques.port_proxy`). Docker's seccomp filter
(flag ``seccomp``, default off: the path above exactly): the default profile's BPF
program on every system call, :math:`n_{\\mathrm{sys}} c_{\\mathrm{scmp}}/f` more on the
guest, on any network (:mod:`virtmodel.techniques.seccomp_filter`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag, param
from ._base import Demands, Technique, cycles, events, native_demands
from .offload import SegmentOffload, io_count
from .port_proxy import DOCKER_PROXY, PortProxy
from .seccomp_filter import SeccompFilter
from .veth_crossing import VethCrossing, handoff_delay


@dataclass(frozen=True)
class Container(VethCrossing, SeccompFilter, PortProxy, SegmentOffload, Technique):
    """A Linux container; the network through veth + bridge (+ NAT) or the host's stack."""

    name = "container"
    label = "Container (namespaces + cgroups)"
    block_io_counts = ()  # veth, bridge and NAT are per packet: block I/O is the host's own (native)
    resources = (DOCKER_PROXY,)  # loaded only with port_proxy="on"

    veth_bridge_cycles: float = param(
        2000.0, unit="cycles", latex=r"c_{\mathrm{veth}}",
        doc="cycles per packet through the veth pair and the Linux bridge (assumption)")
    nat_cycles: float = param(
        1500.0, unit="cycles", latex=r"c_{\mathrm{nat}}",
        doc="cycles per packet of netfilter NAT (connection tracking, rewrite; assumption)")
    network: str = flag("bridge_nat", doc="Docker's default bridge with NAT, a bridge without NAT, "
                                          "or the host's network stack (--net=host)",
                        options=("bridge_nat", "bridge", "host"))

    def check(self, values: dict) -> None:
        """Reject the port proxy on the host network (nothing is published there)."""
        self.check_proxy(self.network)

    def demands(self, s) -> Demands:
        if self.network == "host":
            return self.with_seccomp(native_demands(s), s)
        per_packet = s.veth_bridge_cycles + (s.nat_cycles if self.network == "bridge_nat" else 0)
        bridged = native_demands(s).add(guest=events(io_count(self, s, "veth"), cycles(s, per_packet)),
                                        delay=handoff_delay(self, s))
        return self.with_seccomp(self.with_proxy(bridged, s), s)
