"""Nitro-style offload: thin hypervisor, network and storage on a dedicated card.

The CPU path is hardware-assisted (nested paging, posted interrupts assumed);
the guest reaches VFs presented by the card (as SR-IOV) and the card's own
cores do the network/storage processing: a station of ``card_cores`` servers
shared by all VMs. Nothing runs per I/O on the host's cores, so nearly all of
them are left for guests (c5.metal and c5.24xlarge both give 96 vCPUs, AWS).

.. math::
    \\Delta D_{\\mathrm{guest}} = n_{\\mathrm{io}} c_{\\mathrm{iommu}}/f, \\qquad
    D_{\\mathrm{host}} = 0, \\qquad D_{\\mathrm{card}} = n_{\\mathrm{io}}\\, t_{\\mathrm{card}}

The card's time per I/O is an assumption (no public figure).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag, param
from ._hwassist import AssignedIO


@dataclass(frozen=True)
class Nitro(AssignedIO):
    """Offload card + thin hypervisor (see the module docstring)."""

    name = "nitro"
    label = "Nitro-style offload"
    path = "card"  # the card row of io_paths.PATHS: a VF of the card, the card's cores do the I/O

    posted_interrupts: bool = flag(True, doc="posted interrupts (assumption for current Nitro hosts)",
                                   options=(True, False))
    card_time_per_io: float = param(
        1.0e-6, unit="s", latex=r"t_{\mathrm{card}}",
        doc="offload-card core seconds per I/O (assumption)")

