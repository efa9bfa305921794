"""A network stack in the sandbox's user-space kernel (gVisor's netstack).

gVisor's Sentry does not hand an application's sockets to the host kernel: it
runs its own TCP/IP stack (netstack) in user space and moves raw packets
through a single ``AF_PACKET`` socket on the sandbox's veth device (gVisor
Networking Guide). Every unit the stack hands the host, or takes from it,
costs the stack's protocol work, the Sentry's host system call on the packet
socket and the host's path to the veth, plus the copies of its bytes. With
generic segmentation offload (runsc ``--gso``, on by default since 2019-03-29)
that unit is a segment of up to :math:`S_{\\mathrm{gso}}` bytes, which the host
kernel cuts into wire packets; without it, one MTU packet. For a request of
:math:`n_{\\mathrm{io}}` packets of :math:`b_{\\mathrm{io}}` bytes (messages of
:math:`k_{\\mathrm{msg}}` packets) the stack's work is

.. math::
    D_{\\mathrm{ns}} = n_{\\mathrm{u}}\\, t_{\\mathrm{u}} + n_{\\mathrm{io}} b_{\\mathrm{io}}\\, t_{\\mathrm{B}},
    \\qquad n_{\\mathrm{u}} = \\begin{cases}
      \\min\\!\\big(n_{\\mathrm{io}}, \\max(n_{\\mathrm{io}}/k_{\\mathrm{msg}},
        n_{\\mathrm{io}} b_{\\mathrm{io}}/S_{\\mathrm{gso}})\\big) & \\text{GSO on}\\\\
      n_{\\mathrm{io}} & \\text{GSO off}
    \\end{cases}

(the segment count of :func:`virtmodel.techniques.offload.segments`), on
:data:`NETSTACK`, a station of one server per sandbox: the stack's pipeline for
the sandbox's traffic, whose slowest stage the calibration measured as one
flow's throughput. Its busy time is host CPU (the Sentry is a host process).
The application's own system calls (``syscalls``) keep their switches to the
tracer (:mod:`virtmodel.techniques.syscall_intercept`); a send returns once its
bytes are in the stack's buffer, so the protocol work is not on the
application's CPU.

Calibration: gVisor's ``tcp_benchmark`` runs one iperf flow through a netstack
client (no sandbox, no platform switches) to a native server. The commit that
added GSO to netstack's ``fdbased`` link endpoint (gVisor f4105ac21,
2019-03-28; the same numbers in a046054ba, which turned it on in runsc) reports
1,214 Mbit/s without GSO (1500-byte packets) and 10,825 Mbit/s with 64 KiB GSO
segments. Taking each rate as the stack's time per unit, :math:`b/r`:

.. math::
    t_{1500} = \\frac{1500 \\cdot 8}{1.214\\,\\mathrm{Gb/s}} = 9.885\\,\\mu s, \\quad
    t_{65536} = \\frac{65536 \\cdot 8}{10.825\\,\\mathrm{Gb/s}} = 48.43\\,\\mu s, \\quad
    t_{\\mathrm{B}} = \\frac{t_{65536} - t_{1500}}{65536 - 1500} = 0.602\\,\\mathrm{ns/B}, \\quad
    t_{\\mathrm{u}} = t_{1500} - 1500\\, t_{\\mathrm{B}} = 8.98\\,\\mu s

(derived; :mod:`virtmodel.data` ``published_netstack.json``).

Assumptions: the per-unit and per-byte times are the developers' machine's
(the commit names none), taken as they are on the modelled host; headers are
counted as payload (the rate is of iperf's payload, about 3.5% of a 1500-byte
packet are headers); the receive direction costs what the send direction does
per unit (the benchmark sends; the ACKs it receives are inside its time, and a
received unit is a segment the host coalesced (GRO) under GSO, as runsc reads
the packet socket with virtio-net headers); one flow's pipeline stands for the
sandbox's (one server, whatever the flows); the native CPU time per request
(``cpu_time``) is kept (the host kernel still carries the packets to the
wire). ``sandbox_network="host"`` (runsc ``--network=host``: the host's stack
serves the sockets) and zero costs give the model without this station
exactly; so does a request without packets.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag, param
from ._base import Load
from .io_paths import back_end_thread
from .offload import segments
from .stack_costs import unit_byte_load

#: the sandbox's user-space network stack: one server per sandbox, its busy time host CPU
NETSTACK = back_end_thread("netstack", 1, "the Sentry's user-space network stack (gVisor netstack): one server "
                                          "per sandbox, on a host core")

SANDBOX_NETWORKS = ("netstack", "host")


def units_per_packet(tech, s):
    """Units the stack hands the host per packet, :math:`g = n_{\\mathrm{u}} / n_{\\mathrm{io}}`: with GSO on the
    segments of one packet, :math:`\\min(1, \\max(1/k_{\\mathrm{msg}}, b_{\\mathrm{io}}/S_{\\mathrm{gso}}))`
    (:func:`~virtmodel.techniques.offload.segments` of one packet), otherwise 1."""
    if tech.netstack_gso == "on":
        return segments(1, s.io_bytes, s.netstack_gso_bytes, s.message_packets)
    return 1


def netstack_units(tech, s):
    """Units the stack hands the host per request, :math:`n_{\\mathrm{u}} = n_{\\mathrm{io}}\\, g` (module formula)."""
    return s.io_ops * units_per_packet(tech, s)


def netstack_load(tech, s) -> Load:
    """The stack's work per request (module formula), a Poisson number of units and of packets' bytes:

    .. math::
        E = n_{\\mathrm{io}} (g\\, t_{\\mathrm{u}} + b_{\\mathrm{io}} t_{\\mathrm{B}}), \\qquad
        \\mathrm{Var} = n_{\\mathrm{io}} (g\\, t_{\\mathrm{u}}^2 + b_{\\mathrm{io}}^2 t_{\\mathrm{B}}^2)

    (the sum of :func:`~virtmodel.techniques._base.events` of the units and of the packets' bytes, written
    with :math:`n_{\\mathrm{io}}` as a factor so that per-I/O ratios of the model cancel it)."""
    return unit_byte_load(s.io_ops, units_per_packet(tech, s), s.netstack_unit_time, s.io_bytes * s.netstack_byte_time)



@dataclass(frozen=True)
class SandboxNetstack:
    """Mixin: the ``sandbox_network`` and ``netstack_gso`` flags and the stack's costs (module docstring)."""

    sandbox_network: str = flag(
        "netstack", doc="where the sandbox's sockets are served: netstack (gVisor's default --network=sandbox: "
                        "the Sentry's user-space stack, per unit and per byte on its own station) or host "
                        "(--network=host: the host's stack, the model without that station)",
        options=SANDBOX_NETWORKS)
    netstack_gso: str = flag(
        "on", doc="generic segmentation offload on the Sentry's packet socket (runsc --gso, default on since "
                  "2019-03-29): on (units of up to netstack_gso_bytes), off (one MTU packet per unit)",
        options=("on", "off"))
    netstack_unit_time: float = param(
        8.98e-6, unit="s", source="gvisor_gso2019", latex=r"t_{\mathrm{u}}",
        doc="netstack's time per unit handed to or taken from the host (protocol work, the packet-socket system "
            "call, the host's veth path): tcp_benchmark 1,214 Mbit/s in 1500-byte packets less their bytes' "
            "share (derived)")
    netstack_byte_time: float = param(
        0.602e-9, unit="s", source="gvisor_gso2019", latex=r"t_{\mathrm{B}}",
        doc="netstack's time per byte (copies, checksums): the difference of tcp_benchmark's 1500-byte and "
            "64 KiB-segment times over the difference of their bytes (derived)")
    netstack_gso_bytes: float = param(
        65536.0, unit="B", domain="positive", source="gvisor_gso2019", latex=r"S_{\mathrm{gso}}",
        doc="largest segment netstack hands the packet socket with GSO (tcp_benchmark --gso 65536; the "
            "veth's gso_max_size)")

    def netstack_demands(self, s) -> dict:
        """``{"netstack": Load}`` when the sandbox's own stack serves the sockets, else ``{}``."""
        return {"netstack": netstack_load(self, s)} if self.sandbox_network == "netstack" else {}

    def block_io_view(self):
        """A disk block request does not go through the network stack: the technique on the host network."""
        view = self.replace(sandbox_network="host") if self.sandbox_network != "host" else self
        return super(SandboxNetstack, view).block_io_view()


__all__ = ["NETSTACK", "SANDBOX_NETWORKS", "units_per_packet", "netstack_units", "netstack_load", "SandboxNetstack"]
