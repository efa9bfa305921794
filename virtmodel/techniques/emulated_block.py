"""An emulated disk controller's register accesses per command (QEMU's AHCI, Linux's ``ahci`` driver).

The ``emulated`` I/O path (:mod:`~virtmodel.techniques.io_paths`) charges each
I/O :math:`k` register accesses, each an exit continued in a user-space device
model, :math:`k (t_x + c_{\\mathrm{user}}/f)` on the vCPU. For a NIC, :math:`k`
is Agesen et al.'s e1000 count, 2.6 exits per netperf round trip
(``emulated_exits_per_io``). A disk block request on an emulated SATA disk is
an AHCI command, whose count is the guest driver's register accesses per
command, counted in Linux's ``drivers/ata/libahci.c`` for the common case (one
port, native command queuing, no port multiplier or FIS-based switching, no
link power management, no error):

* issue, ``ahci_qc_issue``: ``writel(1 << tag, PORT_SCR_ACT)`` (an NCQ
  command; QEMU's AHCI advertises ``HOST_CAP_NCQ`` in ``ahci_reg_init``) and
  ``writel(1 << tag, PORT_CMD_ISSUE)``: :math:`k_{\\mathrm{iss}} = 2`;
* completion, the interrupt handler (``ahci_interrupt``, later
  ``ahci_single_level_irq_intr``, the handler of a single INTx or MSI vector,
  which is what QEMU's ICH9 AHCI offers): ``readl(HOST_IRQ_STAT)``; in
  ``ahci_port_intr`` ``readl(PORT_IRQ_STAT)`` and ``writel(status,
  PORT_IRQ_STAT)``; ``readl(PORT_SCR_ACT)`` for the completed tags (NCQ; a
  non-NCQ command reads ``PORT_CMD_ISSUE`` instead); and ``writel(irq_stat,
  HOST_IRQ_STAT)``: :math:`k_{\\mathrm{cpl}} = 5`.

.. math::
    k_{\\mathrm{ahci}} = k_{\\mathrm{iss}} + k_{\\mathrm{cpl}} = 7, \\qquad
    \\Delta D_{\\mathrm{guest}} = n_d\\, k_{\\mathrm{ahci}} (t_x + c_{\\mathrm{user}}/f)

per block request (:math:`n_d`, :mod:`virtmodel.model._storage`), in place of
:math:`n_d\\, x_{\\mathrm{emu}} (t_x + c_{\\mathrm{user}}/f)`. The AHCI
registers are an MMIO BAR that QEMU serves in user space (``ahci_mem_write``),
so each access is an exit continued in the device model, as the NIC's are. The
completion interrupt's own exits (delivery and EOI, ``exits_per_interrupt``)
are the technique's interrupt exits, already charged once per block request
(the block request raises ``io_interrupts``); they are not counted again here.

Flag ``emulated_disk`` (structural, default ``ahci``): the device kind of a disk
on the emulated path; ``nic`` charges a block request the NIC's count, the
previous model exactly. The flag acts through the technique's block I/O view
(:meth:`EmulatedBlock.block_io_view`), which sets ``emulated_device`` (the
device whose count the emulated path charges; ``nic`` for the network's
I/O). Network I/O keeps the NIC's count.

Left out (no per-command value in a source read): QEMU's own work per command
beyond the exit (parsing the command FIS and PRDT, the block layer's request;
``backend_time`` stands for it, as for the NIC), where it runs (the register
write is handled in the vCPU thread that made it; the asynchronous request
completes in QEMU's main loop, which raises the interrupt), and any
serialization of a port's commands in the device model. Interrupt coalescing
(one interrupt completing several NCQ tags) is not modelled: one interrupt per
command, the count above an upper bound per command at depth > 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag, param

#: device kind -> the parameter giving its register accesses (exits) per I/O on the emulated path
DEVICE_COUNTS = {"nic": "emulated_exits_per_io", "ahci": "ahci_accesses_per_command"}


def emulated_kicks(tech) -> str:
    """The parameter name of the emulated path's exits per I/O for ``tech``'s ``emulated_device``."""
    return DEVICE_COUNTS[getattr(tech, "emulated_device", "nic")]


@dataclass(frozen=True)
class EmulatedBlock:
    """Mixin: an emulated disk's register accesses per AHCI command (module docstring)."""

    emulated_disk: str = flag("ahci", doc="device kind of a disk on the emulated I/O path: ahci (QEMU's "
                                          "emulated SATA controller, 7 register accesses per command) or nic "
                                          "(the NIC's count per I/O: the previous model)",
                              options=tuple(DEVICE_COUNTS)[::-1])
    emulated_device: str = flag("nic", doc="device whose register accesses per I/O the emulated path charges: "
                                           "nic (emulated_exits_per_io) or ahci (ahci_accesses_per_command); "
                                           "the block I/O view sets it to emulated_disk",
                                options=tuple(DEVICE_COUNTS))
    ahci_accesses_per_command: float = param(
        7.0, unit="count", source="linux_libahci", latex=r"k_{\mathrm{ahci}}",
        doc="register accesses (MMIO exits to the device model) per AHCI command of Linux's ahci driver: "
            "2 on issue (ahci_qc_issue: PORT_SCR_ACT, PORT_CMD_ISSUE) + 5 in the interrupt handler "
            "(HOST_IRQ_STAT read and write, PORT_IRQ_STAT read and write, PORT_SCR_ACT read); emulated path, "
            "disk only")

    def block_io_view(self):
        """A disk block request on the emulated path is a command of the ``emulated_disk`` device."""
        view = self
        if getattr(self, "io_path", None) == "emulated" and self.emulated_device != self.emulated_disk:
            view = self.replace(emulated_device=self.emulated_disk)
        return super(EmulatedBlock, view).block_io_view()


__all__ = ["EmulatedBlock", "DEVICE_COUNTS", "emulated_kicks"]
