"""I/O paths: one table of the ways a guest's I/O reaches the device, and what each costs per I/O.

A technique offers some of these paths (its flag ``io_path``) and the host's
software switch (flag ``host_switch``); the table says, for each path, where
its per-I/O work lands, by parameter name, so every technique composes them
the same way (:func:`path_loads`). With :math:`n_{\\mathrm{io}}` I/Os per
request, a technique's trap into the hypervisor :math:`t_{\\mathrm{trap}}`
(an exit, a hypercall, a register access handled by the VMM), and a path's
notifications per I/O :math:`k`:

.. math::
    \\Delta D_{\\mathrm{guest}} = n_{\\mathrm{io}} \\Big(\\textstyle\\sum w_{\\mathrm{guest}}\\Big)
      + \\text{kicks}, \\qquad
    \\text{kicks} = \\begin{cases}
      \\text{events}(n_{\\mathrm{io}},\\; k\\, t_{\\mathrm{trap}}) & \\text{grouped (virtio kicks)}\\\\
      \\text{events}(n_{\\mathrm{io}} k,\\; t_{\\mathrm{trap}} + [\\text{user}]\\, c_{\\mathrm{user}}/f)
        & \\text{one trap per access (emulated registers)}\\\\
      \\text{events}(n_{\\mathrm{io}} / b,\\; t_{\\mathrm{trap}}) & \\text{one per batch of } b
    \\end{cases}

.. math::
    D_{\\mathrm{back}} = n_{\\mathrm{io}} \\Big(\\textstyle\\sum t_{\\mathrm{be}}
      + t_{\\mathrm{sw}} + k_{\\mathrm{cp}}\\, t_{\\mathrm{cp}}\\, b_{\\mathrm{io}}\\Big)
      + \\frac{n_{\\mathrm{io}}}{b}\\, t_{\\mathrm{ntf}}

on the path's back-end resource (the host's cores; the polling cores of a
vhost-user back-end; a driver domain's vCPUs; the offload card; for a hosted
monitor the VM's own CPU, which runs the host world), where
:math:`t_{\\mathrm{sw}}` is the host switch's per-packet cost (zero for a path
that does not go through the host, and for ``host_switch="none"``, the first
model), :math:`k_{\\mathrm{cp}} t_{\\mathrm{cp}} b_{\\mathrm{io}}` the back-end's copies of the
packet's :math:`b_{\\mathrm{io}}` payload bytes (:mod:`~virtmodel.techniques.payload_copy`; zero
for a path that does not copy) and :math:`t_{\\mathrm{ntf}}` a cost per notification on the back-end
(the driver domain's domain switch). Each cost is a parameter of the
technique, in cycles (divided by the clock :math:`f`) or seconds, by its unit.

=================  =============================================================  ===============
path               per I/O                                                        back-end on
=================  =============================================================  ===============
``virtio``         1.3 exits in the host kernel (grouped); in-kernel vhost        the VM's vhost
                   back-end                                                       workers (one
                                                                                  per queue)
``virtio_pooled``  as ``virtio``, the back-end pooled on any host core: Xen PV    host cores
                   drivers on HVM (netback in dom0); the first model's virtio
``emulated``       2.6 register accesses, each an exit to a user-space model      host cores
                   (a NIC); 7 per command of an AHCI disk (module
                   :mod:`~virtmodel.techniques.emulated_block`)
``virtio_user``    virtio kicks (ioeventfd, in-kernel exits); a user-space        the VM's I/O
                   device model (QEMU, a Firecracker-style monitor): vhost's      thread (one
                   work plus :math:`k_{\\mathrm{sys}}` system calls to the tap     host core)
                   With ``vmm_network="slirp"`` (QEMU ``-netdev user``) the I/O
                   thread runs slirp per wire frame in place of the tap's calls
                   (:mod:`~virtmodel.techniques.vmm_slirp`)
``vhost_user``     no kicks (the back-end polls); a DPDK poll-mode back-end       polling cores
``passthrough``    an SR-IOV VF: IOMMU work in the guest, no host work            —
``card``           a VF of an offload card; the card's cores do the I/O           card cores
``split``          ring descriptor + one hypercall per ``io_batch`` (Xen)         host cores
``driver_domain``  as ``split``; netback in a driver domain: grant copy per       driver domain
                   I/O, a domain switch per notification
``direct``         none: the paravirtual kernel owns the device and runs its      —
                   native driver (Xen's dom0); its interrupts' unmask
                   hypercalls (:mod:`~virtmodel.techniques.pv_direct_device`)
``binary_emul``    register accesses handled by the VMM (ESX-style BT)            host cores
``hosted``         as ``binary_emul`` plus, per I/O, the world switch to the      the VM's CPU
                   host OS and the host's system call and driver (Workstation);
                   a world switch per host interrupt and timer tick too
                   (:mod:`~virtmodel.techniques.hosted_world_switch`)
=================  =============================================================  ===============

Host switch (``host_switch``, paths through the host only): ``none`` (the
first model: the back-end time covers the hand-off to the NIC), ``bridge``
(tap + Linux bridge), ``bridge_nat`` (bridge + netfilter NAT), ``macvtap``,
``ovs`` (Open vSwitch kernel datapath), ``ovs_dpdk`` (its user-space datapath,
on the polling cores of a vhost-user back-end).

A user-space switch daemon (``user_switch``, ``user_switch_flood``: lima's ``socket_vmnet``) is a
station of its own, one thread shared by the VMs on it, that writes each wire frame to one VM or,
flooding, to every VM on it (:mod:`~virtmodel.techniques.switch_daemon`).

Polling: a path that polls (``vhost_user``) burns ``polling_cores`` whole host
cores at any load (``host_cores``, ``guest_cores_left``); its per-packet work is
inside those cores, so the poller is a station of its own (its queueing and
capacity count) whose busy time is not added again to ``host_cores``.

I/O thread: a user-space device model serves a device's virtqueue from one
thread, QEMU's main loop or the one IOThread the device is bound to
(``qemu_iothreads``; Cloud Hypervisor runs one thread per queue pair instead,
flag ``user_queue_threads``, :mod:`~virtmodel.techniques.user_queue_threads`), so the ``virtio_user`` path's back-end work per I/O,
:math:`t_{\\mathrm{thr}} = t_{\\mathrm{be}} + k_{\\mathrm{usys}} c_{\\mathrm{hsys}}/f
+ t_{\\mathrm{sw}}`, lands on :data:`IOTHREAD`, a station of one server per VM
(its own arrivals, :math:`\\lambda`), not on the host's ``cores`` shared by
every VM. Its busy time is host CPU time (``host_cores`` counts it); the VM's
I/O rate is capped at :math:`1/t_{\\mathrm{thr}}` however many host cores are
idle. Each frame the thread moves is one I/O: a segment, as ``segment_offload``
says, or every wire frame with ``user_frames="wire"`` (no offloads negotiated, or
UDP datagrams; :mod:`~virtmodel.techniques.user_backend`). Assumptions: the host switch's per-packet work runs in the thread's
system calls to the tap (the transmit side does; the receive side's softirq
is charged there too); the thread's core is not also counted against the
host's ``cores`` station (as for a driver domain). The ``emulated`` path
keeps its back-end on the host's cores: in QEMU an emulated device's register
access returns from ``KVM_RUN`` in the vCPU thread that made it and is
handled there (the model charges it to the vCPU, ``userspace_exit_cycles``),
not in the I/O thread.

vhost workers: the in-kernel back-end of the ``virtio`` path runs in kernel
worker threads, not on any host core: vhost-net creates one worker thread per
vhost device (``vhost-<pid>``), and with multiqueue virtio-net (QEMU
``-netdev tap,queues=N``) each queue pair is a vhost device of its own, so a VM
has ``queues`` workers (default 1, QEMU's default). The VM's flows are hashed
to its queues, taken as an even random split, so each worker is a one-server
FCFS station of its own fed :math:`\\lambda / q` requests per second,
:math:`q = \\min(\\text{queues}, \\text{cores})`, each request paying
:math:`S_{\\mathrm{vh}} = n_{\\mathrm{io}} (t_{\\mathrm{be}} + t_{\\mathrm{sw}})` there:

.. math::
    R_{\\mathrm{vh}} = \\mathrm{M/G/1}\\big(\\lambda / q,\\; S_{\\mathrm{vh}}\\big), \\qquad
    X_{\\max} \\le \\frac{q}{n_{\\mathrm{io}} (t_{\\mathrm{be}} + t_{\\mathrm{sw}})}

(:data:`VHOST`; the I/O thread above is the same kind of resource with one
queue, :func:`back_end_thread`). The busy time is host CPU (``host_cores``), as
before; what changes is that one queue's packets cannot use more than one core,
however many are idle: the single-queue vhost limit. With the ``wakeups`` flag
on, a request that finds its worker idle pays the back-end wake-up with the
worker's own idle probability (:func:`backend_receiver`). Assumptions: each
worker has a host core when it runs (the threads of all VMs do not contend for
the cores; their sum is not checked against ``cores``); the receive and
transmit rings of a queue pair share its one worker, as in vhost-net; the
flows spread evenly over the queues (a single flow uses one queue whatever
``queues`` is). At :math:`q` = ``cores`` on one VM the workers have the
pooled cores' capacity, and at low load the same latency (the station's own
service time, no queueing).

Transport: the virtio paths (``virtio``, ``virtio_pooled``, ``virtio_user``,
``vhost_user``) reach the guest over PCI with MSI-X unless the technique's
``virtio_transport`` says ``mmio`` (Firecracker): then each device interrupt adds
the handler's register accesses, exits handled in user space, on the vCPU; the
kicks above are unchanged (an ioeventfd on ``QueueNotify``).
:mod:`~virtmodel.techniques.virtio_transport`.

Sources of the costs: ``virtmodel/data/published_iopaths.json`` and each
parameter's ``source``; the values marked ``assumption`` are the model's.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .._params import flag, param
from .emulated_block import DEVICE_COUNTS, emulated_kicks
from .offload import io_count, segment_payload
from .payload_copy import copy_time
from .split_request_batching import kicks_counted
from .vmm_slirp import slirp_load, slirp_serves
from ..resources import Resource
from ._base import Load, cycles, events

_NO_LOAD = Load()


@dataclass(frozen=True)
class IOPath:
    """One row of :data:`PATHS`: where a path's per-I/O work lands (parameter names).

    ``kicks``: the parameter giving notifications (traps) per I/O, or None;
    ``kick_form``: ``"grouped"`` (one event of :math:`k t_{\\mathrm{trap}}` per I/O),
    ``"each"`` (:math:`k` events per I/O), ``"batch"`` (one per ``kicks`` I/Os);
    ``kick_in_user``: each trap continues to a user-space device model
    (``userspace_exit_cycles`` more); ``guest``: per-I/O guest work;
    ``backend``: per-I/O work on ``resource`` (a name, or a ``(count, cost)`` pair);
    ``per_notification``: work per kick on ``resource``; ``through_host``: the host's
    software switch applies; ``polls``: the back-end burns whole polling cores;
    ``by_device``: the kick count depends on the emulated device's kind (the technique's
    ``emulated_device``: a NIC's or an AHCI disk's, :mod:`~virtmodel.techniques.emulated_block`).
    """

    name: str
    label: str
    kicks: str | None = None
    kick_form: str = "grouped"
    kick_in_user: bool = False
    guest: tuple = ()
    backend: tuple = ()
    resource: str | None = None
    per_notification: tuple = ()
    through_host: bool = False
    polls: bool = False
    by_device: bool = False

    def parameters(self) -> tuple:
        """Every parameter name the row reads (for the consistency test)."""
        names = [self.kicks] if self.kicks else []
        names += [n for n in DEVICE_COUNTS.values() if n != self.kicks] if self.by_device else []
        names += list(self.guest) + list(self.per_notification)
        for item in self.backend:
            names += list(item) if isinstance(item, tuple) else [item]
        return tuple(names) + (("userspace_exit_cycles",) if self.kick_in_user else ())


#: every I/O path of the package, by name (module docstring)
PATHS = {p.name: p for p in (
    IOPath("virtio", "virtio, in-kernel vhost back-end", kicks="virtio_exits_per_io",
           backend=("backend_time",), resource="vhost", through_host=True),
    IOPath("virtio_pooled", "virtio-style kicks, back-end pooled on the host's cores (Xen PV drivers on HVM: "
           "netback in dom0; the first model's virtio)", kicks="virtio_exits_per_io",
           backend=("backend_time",), resource="host", through_host=True),
    IOPath("emulated", "emulated device, user-space device model", kicks="emulated_exits_per_io",
           kick_form="each", kick_in_user=True, backend=("backend_time",), resource="host", through_host=True,
           by_device=True),
    IOPath("virtio_user", "virtio, user-space device model (QEMU, Firecracker-style)",
           kicks="virtio_exits_per_io", backend=("backend_time", ("userspace_syscalls_per_io", "host_syscall_cycles")),
           resource="iothread", through_host=True),
    IOPath("vhost_user", "vhost-user / DPDK poll-mode back-end", backend=("vhost_user_time",),
           resource="poller", through_host=True, polls=True),
    IOPath("passthrough", "SR-IOV virtual function (IOMMU)", guest=("iommu_cycles",)),
    IOPath("card", "offload card (virtual function of the card)", guest=("iommu_cycles",),
           backend=("card_time_per_io",), resource="card"),
    IOPath("split", "split drivers, back-end on the host's cores", kicks="io_batch", kick_form="batch",
           guest=("ring_cycles",), backend=("backend_time",), resource="host", through_host=True),
    IOPath("driver_domain", "split drivers through a driver domain (grant copy, domain switch)",
           kicks="io_batch", kick_form="batch", guest=("ring_cycles",),
           backend=("backend_time", "grant_copy_cycles"), per_notification=("domain_switch_cycles",),
           resource="driver_domain", through_host=True),
    IOPath("direct", "the paravirtual kernel owns the device (Xen dom0): its native driver, no split driver"),
    IOPath("binary_emul", "emulated device handled by the VMM", kicks="register_accesses_per_io",
           kick_form="each", backend=("backend_time",), resource="host", through_host=True),
    IOPath("hosted", "hosted monitor: world switch to the host OS per I/O", kicks="register_accesses_per_io",
           kick_form="each", backend=("hosted_io_cycles",), resource="guest", through_host=True),
)}

#: host software switch -> the parameters of its per-packet cost
HOST_SWITCHES = {
    "none": (),
    "bridge": ("bridge_cycles",),
    "bridge_nat": ("bridge_cycles", "nat_cycles"),
    "macvtap": ("macvtap_cycles",),
    "ovs": ("ovs_cycles",),
    "ovs_dpdk": ("ovs_dpdk_cycles",),
}

def back_end_thread(name: str, splits, description: str) -> Resource:
    """A back-end thread of one VM as a resource: one server per queue, its busy time host CPU
    (the I/O thread of a user-space device model, ``splits=1``; the vhost workers, ``"queues"``)."""
    return Resource(name, 1, shared=False, cores_of="host", splits=splits, description=description)


#: the resources a path may load beyond the platform's
POLLER = Resource("poller", "polling_cores", shared=True, cores_of=None,
                  description="host cores polling a vhost-user / DPDK back-end (counted whole in host_cores)")
IOTHREAD = back_end_thread("iothread", 1, "the user-space device model's I/O thread serving the VM's virtqueue "
                                          "(QEMU main loop or IOThread): one server per VM, on a host core")
VHOST = back_end_thread("vhost", "queues", "the VM's in-kernel vhost worker threads, one per queue pair "
                                           "(min(queues, cores) one-server stations, each fed lambda/queues)")
#: the back-end thread resources, by name (their wake-ups: :func:`backend_receiver`)
THREADS = {r.name: r for r in (IOTHREAD, VHOST)}
DRIVER_DOMAIN = Resource("driver_domain", "driver_domain_vcpus", shared=True, cores_of="host",
                         description="the driver domain's vCPUs running the back-ends (netback)")


def _seconds(tech, s, name):
    """A parameter's value in seconds: cycles over the clock, seconds as they are, counts as they are."""
    unit = tech.__dataclass_fields__[name].metadata["unit"]
    value = getattr(s, name)
    return cycles(s, value) if unit == "cycles" else value


def _is_zero(x) -> bool:
    """Whether ``x`` is exactly zero (a number or a SymPy expression; arrays are never taken as zero)."""
    return isinstance(x, (int, float, sp.Basic)) and x == 0


def _backend_time(tech, s, path: IOPath):
    total = 0
    for item in path.backend:
        if isinstance(item, tuple):
            count, cost = item
            total = total + getattr(s, count) * _seconds(tech, s, cost)
        else:
            total = total + _seconds(tech, s, item)
    return total


def switch_time(tech, s, path: IOPath):
    """Seconds per packet of the host's software switch on ``path`` (0 off the host or for ``none``)."""
    if not path.through_host:
        return 0
    # a user-space switch daemon (switch_daemon.py) has no per-packet time here: its work is on its own thread
    return sum((_seconds(tech, s, n) for n in HOST_SWITCHES.get(getattr(tech, "host_switch", "none"), ())), 0)


def path_loads(tech, s, name: str, trap_time) -> dict:
    """``{resource: Load}`` of path ``name`` for technique ``tech`` (module formula).

    ``trap_time`` is the technique's seconds per trap into the hypervisor
    (``None`` for a path without kicks). Loads on the same resource add.
    With segmentation offload the per-I/O count is the segments
    (:func:`~virtmodel.techniques.offload.io_count`); a back-end that copies the
    payload pays :math:`k_{\\mathrm{cp}} t_{\\mathrm{cp}}` per byte of each counted I/O
    (:mod:`~virtmodel.techniques.payload_copy`).
    """
    path = PATHS[name]
    loads = {}
    n_io = io_count(tech, s, name)  # packets, or segments with segmentation offload (offload.py)

    def put(resource, load):
        loads[resource] = loads[resource] + load if resource in loads else load

    if path.kicks is not None:
        k = getattr(s, emulated_kicks(tech) if path.by_device else path.kicks)
        if path.kick_form == "grouped":  # a split block request's parts: one kick per batch (split_request_batching.py)
            put("guest", events(kicks_counted(tech, s, n_io), k * trap_time))
        elif path.kick_form == "each":
            each = trap_time + (cycles(s, s.userspace_exit_cycles) if path.kick_in_user else 0)
            put("guest", events(n_io * k, each))
        else:
            put("guest", events(n_io / k, trap_time))
    for g in path.guest:
        put("guest", events(n_io, _seconds(tech, s, g)))
    if path.resource is not None and slirp_serves(tech, name):  # the ring work, then slirp's (vmm_slirp.py)
        put(path.resource, events(n_io, _seconds(tech, s, "backend_time")))
        put(path.resource, slirp_load(tech, s, n_io, segment_payload(tech, s, name)))
    elif path.resource is not None:
        per_io = (_backend_time(tech, s, path) + switch_time(tech, s, path)
                  + copy_time(tech, s, name, segment_payload(tech, s, name)))
        if not _is_zero(per_io):
            put(path.resource, events(n_io, per_io))
        for n in path.per_notification:
            put(path.resource, events(n_io / getattr(s, path.kicks), _seconds(tech, s, n)))
    from .switch_daemon import SWITCH_DAEMON, daemon_load, uses_daemon  # (it imports this module)

    if path.through_host and uses_daemon(tech):  # the host's switch daemon, per wire frame (switch_daemon.py)
        put(SWITCH_DAEMON.name, daemon_load(tech, s))
    return loads


def polling_cores(tech, s):
    """Whole host cores a polling path burns (``polling_cores``), unless ``busy_poll`` already counts them."""
    if PATHS[tech.io_path].polls and getattr(tech, "wakeups", "off") != "busy_poll":
        return s.polling_cores
    return sp.Integer(0)


def thread_of(tech, name):
    """The back-end thread resource ``name`` as ``tech`` lays it out (its ``own_resources()``: the
    I/O thread may be split per queue pair, :mod:`~virtmodel.techniques.user_queue_threads`);
    None if ``name`` is not a thread of :data:`THREADS`."""
    if name not in THREADS:
        return None
    own = tech.own_resources() if hasattr(tech, "own_resources") else ()
    return next((r for r in own if r.name == name), THREADS[name])


def backend_receiver(tech, s, demands):
    """``(arrivals per server, ordinary work per request)`` of what a back-end notification wakes,
    or None (no back-end work).

    The path's back-end thread when it has one (:data:`THREADS`: the I/O thread, or with
    ``user_queue_threads="per_queue"`` the thread of the request's queue pair; the vhost
    worker of the request's queue; fed :math:`\\lambda / q`), otherwise the host's cores
    (:math:`V\\lambda / c_{\\mathrm{host}}`, any core standing for the back-end's thread).
    """
    path = PATHS.get(getattr(tech, "io_path", None) or getattr(tech, "path", ""))
    thread = thread_of(tech, path.resource) if path is not None else None
    if thread is not None and not _is_zero(sp.sympify(demands.loads.get(thread.name, _NO_LOAD).mean)):
        return thread.arrivals(s), demands.loads[thread.name].mean
    if not _is_zero(sp.sympify(demands.host.mean)):
        return s.vms * s.arrival_rate / s.cores, demands.host.mean
    return None


def io_path_flag(default: str, options: tuple):
    """The ``io_path`` flag of a technique offering ``options`` (rows of :data:`PATHS`)."""
    unknown = [o for o in options if o not in PATHS]
    if unknown:  # pragma: no cover - programming error
        raise ValueError(f"unknown I/O paths {unknown}")
    doc = "I/O path: " + "; ".join(f"{o} = {PATHS[o].label}" for o in options)
    return flag(default, doc=doc, options=options)


@dataclass(frozen=True)
class HostSwitch:
    """Mixin: the ``host_switch`` flag and the per-packet cost of each switch (module docstring)."""

    host_switch: str = flag("none", doc="the host's software switch per packet: none (first model), bridge "
                                        "(tap + Linux bridge), bridge_nat, macvtap, ovs, ovs_dpdk",
                            options=tuple(HOST_SWITCHES))
    bridge_cycles: float = param(
        2000.0, unit="cycles", latex=r"c_{\mathrm{br}}",
        doc="host cycles per packet through a tap and the Linux bridge (assumption; as the container's veth + bridge)")
    nat_cycles: float = param(
        1500.0, unit="cycles", latex=r"c_{\mathrm{nat}}",
        doc="cycles per packet of netfilter NAT (connection tracking, rewrite; assumption)")
    macvtap_cycles: float = param(
        1000.0, unit="cycles", latex=r"c_{\mathrm{mvt}}",
        doc="host cycles per packet through macvtap (no bridge: half the bridge's; assumption)")
    ovs_cycles: float = param(
        2000.0, unit="cycles", source="ibm_kvm_bridge_ovs", latex=r"c_{\mathrm{ovs}}",
        doc="host cycles per packet through the Open vSwitch kernel datapath (IBM: the bridge is within 10% "
            "of OVS, so taken equal to bridge_cycles; approx.)")
    ovs_dpdk_cycles: float = param(
        300.0, unit="cycles", latex=r"c_{\mathrm{ovsd}}",
        doc="polling-core cycles per packet through OVS's user-space (DPDK) datapath (assumption)")

    def block_io_view(self):
        """A disk block request does not cross the host's software switch: the technique without it."""
        return self.replace(host_switch="none") if self.host_switch != "none" else self


__all__ = ["IOPath", "PATHS", "HOST_SWITCHES", "POLLER", "DRIVER_DOMAIN", "IOTHREAD", "path_loads", "switch_time",
           "polling_cores", "io_path_flag", "HostSwitch", "VHOST", "THREADS", "back_end_thread", "backend_receiver",
           "thread_of"]
