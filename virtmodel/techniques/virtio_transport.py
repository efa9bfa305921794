"""The virtio transport: PCI with MSI-X (the default) or virtio-MMIO (Firecracker; QEMU's microvm machine).

The transport is how a virtio driver in the guest reaches its device's registers and how the
device interrupts the guest. It changes neither the rings nor the back-end, so it is a flag,
``virtio_transport``, on the virtio I/O paths of :mod:`~virtmodel.techniques.io_paths`.

Kicks (both transports): the driver writes a notification register (PCI: the notify
capability; MMIO: ``QueueNotify`` at offset 0x050). A VMM that registers an ioeventfd at that
address has KVM handle the write in the host kernel: an exit that signals an eventfd and wakes
the device thread. Firecracker registers one for ``QueueNotify`` of every queue
(``register_ioevent`` in ``device_manager/mmio.rs``, in v0.21 of 2020 as in v1.13), as QEMU does
for its virtio-pci notify addresses, so a kick is the in-kernel exit the path already charges
(``virtio_exits_per_io``), under either transport.

Interrupts: with PCI and MSI-X each virtqueue has its own message-signalled vector and the
guest's handler reads only the rings in guest memory: no register access (Linux's
``virtio_pci_common.c`` reads the ISR register only in ``vp_interrupt``, the INTx handler). A virtio-MMIO device
has one dedicated interrupt line, asserted while a bit of ``InterruptStatus`` is set (virtio
specification, Virtio Over MMIO, "Notifications From The Device"); the Linux driver's handler
(``vm_interrupt`` in ``drivers/virtio/virtio_mmio.c``) reads ``InterruptStatus`` (0x060) to learn
why, and writes the bits back to ``InterruptACK`` (0x064): :math:`k_{\\mathrm{mmio}} = 2`
register accesses per interrupt. Neither register has an ioeventfd, so each access is an exit
that KVM returns to user space (``KVM_RUN`` returns ``KVM_EXIT_MMIO``); Firecracker handles it on
the vCPU thread that made it, on its MMIO bus (``vstate/vcpu.rs``; the transport's ``read`` and
``write`` in ``devices/virtio/transport/mmio.rs``), and enters the guest again: an exit handled
in user space, :math:`t_x + c_{\\mathrm{user}}/f` (the ``emulated`` path's cost per register
access; Dall et al.: 6,732 cycles in user space against 2,565 in the host kernel). Per device
interrupt the guest's vCPU pays

.. math::
    t_{\\mathrm{irq}} = k_{\\mathrm{irq}}\\, t_x + [\\text{mmio}]\\; k_{\\mathrm{mmio}}
      \\big(t_x + c_{\\mathrm{user}}/f\\big), \\qquad
    \\Delta D_{\\mathrm{guest}} = \\text{events}(n_{\\mathrm{irq}},\\; t_{\\mathrm{irq}})

(:math:`n_{\\mathrm{irq}}` = ``io_interrupts``; the accesses come once per interrupt, so they
share its Poisson count with the interrupt's own exits). Limiting cases: ``pci`` adds nothing
(the previous model exactly); :math:`k_{\\mathrm{mmio}} = 0`, or a free exit
(:math:`t_x = c_{\\mathrm{user}} = 0`), is ``pci``.

Assumptions: the interrupt's own exits (:math:`k_{\\mathrm{irq}}`: delivery and EOI) are the
same for a legacy line as for an MSI (both are injected through an irqfd: Firecracker's
interrupt is an eventfd registered with KVM); the handler's accesses go wherever the interrupt's
exits go, so under the default ``wakeups="on"`` an interrupt that NAPI suppresses takes its accesses
with it (the formula above, every interrupt paid, is ``wakeups="off"``); a VMM's MMIO exit costs what Dall et al.'s exit to a user-space device model costs (on
x86 KVM also decodes the faulting instruction; that is taken to be inside the measurement). On
the in-kernel back-ends (``virtio``, ``virtio_pooled``) and ``vhost_user`` the registers stay with
the VMM in user space, so the same accesses are charged; the relay of the back-end's interrupt
through the VMM (which must set ``InterruptStatus`` before it raises the line) is not modelled.
An emulated device is not virtio: ``virtio_transport="mmio"`` with ``io_path="emulated"`` is
refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag, param
from ..errors import ParameterError
from ._base import cycles

#: the transports (flag ``virtio_transport``)
TRANSPORTS = ("pci", "mmio")
#: the I/O paths that are virtio devices (the transport applies to them)
VIRTIO_PATHS = ("virtio", "virtio_pooled", "virtio_user", "vhost_user")


@dataclass(frozen=True)
class VirtioTransport:
    """Mixin: the ``virtio_transport`` flag and the register accesses of an MMIO interrupt (module docstring).

    The technique provides ``exit_time(s)`` (seconds per exit handled in the host kernel),
    ``userspace_exit_cycles`` and ``io_path``.
    """

    virtio_transport: str = flag(
        "pci", doc="virtio transport: pci (MSI-X, no register access per interrupt; the default) or mmio "
                   "(virtio-MMIO, Firecracker: the interrupt handler reads InterruptStatus and writes InterruptACK, "
                   "each an exit to the VMM in user space)", options=TRANSPORTS)
    mmio_interrupt_accesses: float = param(
        2.0, unit="count", source="linux_virtio_mmio", latex=r"k_{\mathrm{mmio}}",
        doc="register accesses per device interrupt on virtio-MMIO, each an exit handled in user space "
            "(Linux vm_interrupt: read InterruptStatus, write InterruptACK; virtio_transport='mmio' only)")

    def interrupt_register_time(self, s, trap_time=None):
        """Seconds of register accesses per device interrupt: :math:`[\\text{mmio}]\\,k_{\\mathrm{mmio}}
        (t_x + c_{\\mathrm{user}}/f)` (0 for ``pci``); ``trap_time`` is :math:`t_x` (default ``exit_time(s)``)."""
        if self.virtio_transport != "mmio":
            return 0  # a plain zero: the pci formula is the previous one, term for term
        t_x = self.exit_time(s) if trap_time is None else trap_time
        return s.mmio_interrupt_accesses * (t_x + cycles(s, s.userspace_exit_cycles))

    def check(self, values: dict) -> None:
        """Refuse the MMIO transport on a path that is not a virtio device."""
        super().check(values)
        if self.virtio_transport == "mmio" and self.io_path not in VIRTIO_PATHS:
            raise ParameterError("virtio_transport", self.virtio_transport, "'pci' with io_path="
                                 f"{self.io_path!r}", "the transport applies to the virtio paths: "
                                 + ", ".join(VIRTIO_PATHS))


__all__ = ["TRANSPORTS", "VIRTIO_PATHS", "VirtioTransport"]
