"""A paravirtualized kernel that owns the device (Xen's dom0): the native driver, no split driver.

Xen's domain 0 is a paravirtualized Linux (XenLinux) that runs the machine's
native device drivers itself: the NIC's registers are mapped into it and its
DMA goes to its own pages, so a packet it receives for itself crosses no
split driver (no front-end ring, no notification hypercall, no back-end in
another domain, no grant copy, no domain switch). What remains of Xen on the
receive path is the paravirtual kernel's own costs (the technique's hypercalls,
page-table updates, event channels) and the way a physical interrupt reaches
it. I/O path ``direct`` of :mod:`~virtmodel.techniques.io_paths` (no per-I/O
row terms), selected on :mod:`~virtmodel.techniques.paravirtual` with
``io_path="direct"``.

Per device interrupt (``io_interrupts`` per request), the physical IRQ is taken
by Xen, which leaves the line un-ended until dom0 says it is done and sends
dom0 the event bound to that physical IRQ (a pirq event channel): the virtual interrupt the
technique already charges, :math:`c_{\\mathrm{ev}}` (``event_channel_cycles``).
When dom0's handler is done, XenLinux's ``end_pirq`` unmasks the event channel
in shared memory (no trap) and, for a line Xen reported as needing it at bind
time (``PHYSDEVOP_IRQ_STATUS_QUERY``: every line that is not edge-triggered, so
a level-triggered PCI INTx line), makes the ``physdev_op`` hypercall
``PHYSDEVOP_IRQ_UNMASK_NOTIFY``, with which Xen ends (unmasks) the physical
line (``pirq_guest_unmask``): :math:`k_{\\mathrm{um}} = 1` hypercall of
:math:`c_{\\mathrm{hc}}` (``hypercall_cycles``, the technique's) per
interrupt. Native Linux masks, acknowledges and unmasks the line too, in its
own handler (inside the workload's ``cpu_time``); the trap is what Xen adds.

Per received packet (``io_ops``), the page-table updates the receive path
makes, :math:`k_{\\mathrm{rxpte}}`, batched like the technique's other
page-table writes (:math:`b_{\\mathrm{pte}}` per multicall). XenLinux's
``__dev_alloc_skb`` takes a receive buffer from a slab cache of page-sized
objects, whose constructor (run when the slab grows, not per packet) scrubs
the page and, for buffers of more than a page only, makes the buffer
machine-contiguous; a 1,500-byte buffer is one page, the slab reuses it, and
the driver maps it for DMA through the pseudo-physical-to-machine table in
dom0's own memory. So dom0's receive path for its own packets updates no page
table per packet: :math:`k_{\\mathrm{rxpte}} = 0` (the page flipping that does,
``mmu_update`` per packet, is netback's, on the way to a guest: the
``split``/``driver_domain`` paths).

.. math::
    \\Delta D_{\\mathrm{guest}} = n_{\\mathrm{ioirq}}\\, k_{\\mathrm{um}}\\, c_{\\mathrm{hc}}/f
      + \\frac{n_{\\mathrm{io}}\\, k_{\\mathrm{rxpte}}}{b_{\\mathrm{pte}}}\\, c_{\\mathrm{hc}}/f

on top of the paravirtual kernel's terms (system calls, page faults, context
switches, page-table and register hypercalls, an event per interrupt), with no
split-driver term and nothing on the host's cores or a driver domain: dom0 is
the guest station. An interrupt's unmask hypercall is paid with its event:
with the default ``wakeups="on"`` (:mod:`~virtmodel.techniques.notifications`)
the device interrupt's whole cost, :math:`c_{\\mathrm{ev}} + k_{\\mathrm{um}}
c_{\\mathrm{hc}}`, is the part an interrupt the receive path's poll suppresses
does not pay (one event of that cost per interrupt, not two). With nothing on
a back-end, no back-end wake-up is charged.

Limiting cases: ``io_path`` ``split`` or ``driver_domain`` are the previous
model exactly; with ``hypercall_cycles = event_channel_cycles = 0`` the
demands are native's plus the paravirtual kernel's system-call, page-fault and
context-switch terms.

Sources: the pirq path from the code of Xen (``xen/common/physdev.c`` of Xen
2.0: ``PHYSDEVOP_IRQ_UNMASK_NOTIFY`` calls ``pirq_guest_unmask``;
``PHYSDEVOP_IRQ_STATUS_QUERY`` asks for the notification on every line that is
not edge-triggered; ``xen_physdev_unmask``) and of XenLinux's event channels
(``end_pirq`` and ``pirq_unmask_notify``, ``xen_linux_evtchn_pirq``); the
receive buffers from XenLinux's ``skbuff.c`` (``xen_linux_skbuff``). The costs
of a hypercall and of an event are the technique's existing ones (no new
value). Menon et al. (VEE 2005, ``menon2005``) profile this configuration
(Xen 2.0.3 dom0 receiving on four gigabit NICs); their breakdown, as recalled
and not re-read in a stored copy, puts the difference to Linux in Xen's own
cycles (interrupt and event handling), hypercalls and more TLB misses.

Left out: Xen's own work per physical interrupt beyond :math:`c_{\\mathrm{ev}}`
(its ``do_IRQ``, the IO-APIC accesses it makes in place of Linux's, and the
return to dom0), for want of a per-interrupt value in a source read; TLB misses
(XenLinux's kernel mapped with small pages, the hypervisor's share of the TLB),
for want of counts per packet; the cache footprint of page-sized receive
buffers; a dom0 that also serves guests (its back-ends are the ``split`` path's).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import param
from ._base import cycles, events

#: the io_path value of a paravirtual kernel that owns the device
DIRECT = "direct"


@dataclass(frozen=True)
class DirectDevice:
    """Mixin: the costs of a paravirtual kernel driving its own device (module docstring).

    The technique calls :meth:`interrupt_loads` for its interrupts and adds :meth:`packet_load`
    to the guest on ``io_path="direct"``.
    """

    pirq_unmask_hypercalls: float = param(
        1.0, unit="count", source="xen_linux_evtchn_pirq", latex=r"k_{\mathrm{um}}",
        doc="hypercalls per device interrupt of a paravirtual kernel that owns the device (io_path=direct): "
            "XenLinux's end_pirq makes physdev_op(PHYSDEVOP_IRQ_UNMASK_NOTIFY) for a level-triggered line")
    direct_rx_pte_updates: float = param(
        0.0, unit="count", source="xen_linux_skbuff", latex=r"k_{\mathrm{rxpte}}",
        doc="page-table updates per received packet of a paravirtual kernel that owns the device "
            "(io_path=direct): 0, XenLinux's receive buffers are page-sized slab objects, reused")

    def interrupt_loads(self, s, hypercall_time):
        """``(guest load of the interrupts, the part a suppressed device interrupt does not pay)``.

        Other paths: :math:`(n_{\\mathrm{irq}} + n_{\\mathrm{ioirq}})` events of :math:`c_{\\mathrm{ev}}/f`,
        the device interrupts' part suppressed (the previous model). ``direct``: the device
        interrupt is one event of :math:`c_{\\mathrm{ev}}/f + k_{\\mathrm{um}} c_{\\mathrm{hc}}/f`.
        """
        event = cycles(s, s.event_channel_cycles)
        if self.io_path != DIRECT:
            return events(s.interrupts + s.io_interrupts, event), events(s.io_interrupts, event)
        device = events(s.io_interrupts, event + s.pirq_unmask_hypercalls * hypercall_time)
        return events(s.interrupts, event) + device, device

    def packet_load(self, s, hypercall_time):
        """Guest load of the receive path's page-table hypercalls, :math:`n_{\\mathrm{io}} k_{\\mathrm{rxpte}}/b_{\\mathrm{pte}}`
        events of :math:`c_{\\mathrm{hc}}/f` (``direct`` only; None on other paths)."""
        if self.io_path != DIRECT:
            return None
        return events(s.io_ops * s.direct_rx_pte_updates / s.pte_batch, hypercall_time)


__all__ = ["DIRECT", "DirectDevice"]
