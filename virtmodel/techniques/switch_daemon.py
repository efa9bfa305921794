"""A user-space switch daemon on the host, and one that floods (``host_switch="user_switch"|"user_switch_flood"``).

Some hosts join their VMs' network devices with a switch that is an ordinary
process: lima's ``socket_vmnet`` on macOS (``socket_vmnet_src``) accepts one unix
``SOCK_STREAM`` connection per VM (``socket_vmnet_client`` for QEMU, ``limactl``'s
socket pair for Virtualization.framework), reads frames from the host's vmnet
interface and writes each one to the VMs' connections, as a 4-byte length and the
Ethernet frame, with one ``writev`` per connection. Read in its source
(``main.c``, the releases before the issue of 2024-10-05; ``socket_vmnet_src``;
facts only):

* frames from the host (``vmnet_read``, up to 32 per call, into buffers the daemon
  allocates) are handled by one dispatch queue's callback: one thread (a serial
  queue from commit 7d3f797, "1 vmnet thread"; before it a concurrent queue, with no
  change in the measured throughput, the commit says), the one thread every VM's
  host-bound traffic shares;
* the loop over the connections has no MAC lookup (``// FIXME: avoid flooding``;
  issue 1, "Implement L2 learning to avoid flooding"): every frame is written to
  every connected VM, the VM it is for and every other, which drop it;
* a VM's own frames are read by a thread of that VM's connection and written to
  vmnet and to every other connection (the same flood, on the VM's thread);
* vmnet gives frames of at most ``vmnet_max_packet_size`` = 1514 bytes (the MTU
  1500 and the Ethernet header; issue 43's log), and Virtualization.framework's
  file-handle attachment carries one frame per datagram: the daemon moves wire
  frames, never a segmentation-offload segment, whatever the guest's device
  negotiated with its own back-end.

So per frame the daemon's one thread copies the frame once into its buffer (the
read) and, for each of the :math:`N` VMs it writes to, makes one system call that
copies the frame's bytes into the socket (:math:`N` = 1 for a switch that learns
where a MAC address lives; every connected VM for ``socket_vmnet``, which floods).

Flag values (on :class:`SwitchDaemon`'s ``host_switch``, beside the kernel switches of
:data:`~virtmodel.techniques.io_paths.HOST_SWITCHES`):

* ``user_switch``: a user-space switch daemon that writes each frame to its
  destination only;
* ``user_switch_flood``: the same daemon writing each frame to every VM connected
  to it (``socket_vmnet``).

With :math:`n_{\\mathrm{fr}} = n_{\\mathrm{io}}` wire frames of :math:`b_{\\mathrm{io}}`
bytes per request (the workload's packets, each at most one MTU in every preset),
the daemon's thread, :data:`SWITCH_DAEMON` (one server, shared by every VM on the
host: its arrivals :math:`V\\lambda`), takes per request

.. math::
    D_{\\mathrm{sw}} = n_{\\mathrm{fr}} \\big(t_{\\mathrm{cp}} b_{\\mathrm{io}}
      + N (c_{\\mathrm{hsys}}/f + t_{\\mathrm{cp}} b_{\\mathrm{io}})\\big),
    \\qquad N = \\begin{cases} 1 & \\texttt{user\\_switch}\\\\
      V + V_{\\mathrm{nb}} & \\texttt{user\\_switch\\_flood}\\end{cases}

(variance: :func:`~virtmodel.techniques._base.events`, one event per frame), where
:math:`c_{\\mathrm{hsys}}` is the host's null system call (``host_syscall_cycles``,
lmbench, ``barham2003``), :math:`t_{\\mathrm{cp}}` one core's time per byte copied
(``copy_time_per_byte``, ``benson2014_copy_bandwidth``), :math:`V` the platform's VMs
(all on the daemon) and :math:`V_{\\mathrm{nb}}` (``switch_neighbours``, default 0) VMs on
the same daemon beyond them: on a :class:`~virtmodel.host.Host` each group's
neighbours are the other groups' VMs whose technique uses the daemon
(:func:`on_one_daemon`, called by :mod:`virtmodel.shared_host`), so an idle VM that
offers no load still costs the daemon a write per frame. The busy time is host CPU
(``host_cores``); the thread's core is not also counted against the host's ``cores``
station (as for the I/O thread). The VM's own back-end (its vhost worker or I/O
thread) keeps its per-I/O costs; the daemon adds no per-packet time there (its
entry in :data:`~virtmodel.techniques.io_paths.HOST_SWITCHES` is empty). A disk
block request never crosses the switch (:meth:`HostSwitch.block_io_view
<virtmodel.techniques.io_paths.HostSwitch.block_io_view>`).

Limiting cases: ``user_switch_flood`` with one VM on the daemon (:math:`V = 1`,
:math:`V_{\\mathrm{nb}} = 0`) is ``user_switch`` exactly; a kernel switch (``none``,
``bridge`` ...) is the previous model exactly (no daemon station).

Assumptions (named): every frame of a request is charged to the one thread that
serves the host's frames (the rows' direction, host to VM); a VM's own frames run on
its connection's thread in the daemon, with the same :math:`N` writes (:math:`N - 1`
VMs and vmnet), which this model puts on the same thread; a ``writev`` to a unix
socket costs a null system call and a copy of the frame (the kernel's socket buffer
allocation and the reader's wake-up are left out, so the daemon is if anything
faster than the real one); the 4-byte length and the 14-byte Ethernet header are
not counted; ``vmnet_read``'s own call, once per up to 32 frames, is left out
(at most 1/32 of a system call per frame). Left out: the work each VM that receives
a frame does with it (``limactl``'s read and datagram write, the guest's receive and
drop), which runs on that VM's threads and vCPUs and could slow the measured VM
only through the host's cores, not modelled here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag, param
from ..resources import Resource
from ._base import cycles, events
from .io_paths import HOST_SWITCHES

#: host_switch value -> what the user-space switch daemon does with each frame (module docstring)
DAEMON_SWITCHES = {
    "user_switch": "a user-space switch daemon that writes each frame to its destination only",
    "user_switch_flood": "a user-space switch daemon that writes each frame to every connected VM (socket_vmnet)",
}

#: the daemon's thread: one server shared by every VM on it, its busy time host CPU
SWITCH_DAEMON = Resource("switch_daemon", 1, shared=True, cores_of="host",
                         description="the host's user-space switch daemon (socket_vmnet): one thread that reads "
                                     "each frame and writes it to the VMs connected to it")


def uses_daemon(tech) -> bool:
    """Whether ``tech``'s host switch is a user-space switch daemon (:data:`DAEMON_SWITCHES`)."""
    return getattr(tech, "host_switch", "none") in DAEMON_SWITCHES


def writes_per_frame(tech, s):
    """:math:`N`: the daemon's writes of one frame: 1, or with flooding every VM on it, :math:`V + V_{nb}`."""
    return s.vms + s.switch_neighbours if tech.host_switch == "user_switch_flood" else 1


def daemon_load(tech, s):
    """The daemon's work per request, :math:`D_{\\mathrm{sw}}` (module formula), a
    :class:`~virtmodel.techniques._base.Load`."""
    copy = s.copy_time_per_byte * s.io_bytes
    per_frame = copy + writes_per_frame(tech, s) * (cycles(s, s.host_syscall_cycles) + copy)
    return events(s.io_ops, per_frame)


def on_one_daemon(groups) -> tuple:
    """The techniques of a host's ``groups`` (:class:`~virtmodel.host.VMGroup`) with each one's
    ``switch_neighbours`` raised by the VMs of the other groups whose technique uses the daemon
    (one daemon per host); a group off the daemon keeps its technique."""
    attached = sum(g.count for g in groups if uses_daemon(g.technique))
    return tuple(g.technique.replace(switch_neighbours=g.technique.switch_neighbours + attached - g.count)
                 if uses_daemon(g.technique) and attached > g.count else g.technique for g in groups)


def switch_flag(kernel_switches):
    """The ``host_switch`` flag of a technique that offers the daemon: the kernel switches, then
    :data:`DAEMON_SWITCHES`."""
    return flag("none", doc="the host's software switch per packet: none (first model), bridge (tap + Linux bridge), "
                            "bridge_nat, macvtap, ovs, ovs_dpdk; user_switch (a user-space switch daemon: its own "
                            "thread, one write per frame) or user_switch_flood (the daemon writes every frame to "
                            "every VM on it: socket_vmnet)", options=tuple(kernel_switches) + tuple(DAEMON_SWITCHES))


@dataclass(frozen=True)
class SwitchDaemon:
    """Mixin: the daemon's flag values and ``switch_neighbours`` (module docstring). Put it before
    :class:`~virtmodel.techniques.io_paths.HostSwitch` among a technique's bases (its ``host_switch``
    field is the one with the daemon's values)."""

    host_switch: str = switch_flag(HOST_SWITCHES)
    switch_neighbours: int = param(
        0, unit="count", domain="count0", latex=r"V_{\mathrm{nb}}",
        doc="VMs on the host's switch daemon beyond the platform's (user_switch_flood: each frame is also written "
            "to them; a Host sets it to the other groups' VMs on the daemon)")

    def own_resources(self) -> tuple:
        """The class's resources and, with a switch daemon, :data:`SWITCH_DAEMON`."""
        base = super().own_resources()
        return base + (SWITCH_DAEMON,) if uses_daemon(self) else base


__all__ = ["DAEMON_SWITCHES", "SWITCH_DAEMON", "uses_daemon", "writes_per_frame", "daemon_load", "on_one_daemon",
           "switch_flag", "SwitchDaemon"]
