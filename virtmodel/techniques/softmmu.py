"""QEMU's software MMU: what full-system emulation adds to every guest load and store.

A full-system emulator (QEMU's system mode, ``qemu-system-*`` with TCG) has no
hardware MMU for the guest: every guest load and store in the translated code is
preceded by an inline lookup in a software TLB (the guest virtual page against a
direct-mapped table of recent translations, then the host address by an added
offset), and a lookup that misses leaves the translated code for a C helper that
walks the guest's own page tables in software and refills the entry. QEMU's user
mode (``qemu-<arch>``, linux-user) has none of this: the guest runs as a host
process in the host's address space, and a guest address is the host address plus
a constant. The emulation technique's translation factor (10.2 host instructions
per guest instruction, ``qemu_tcg2020``) was measured in user mode, so it contains
no software MMU.

With :math:`m` guest memory accesses per guest instruction, :math:`h_{\\mathrm{hit}}`
host instructions per inline lookup, :math:`n_{\\mathrm{tlb}}` TLB misses per request
and :math:`h_{\\mathrm{miss}}` host instructions per miss (exit from the code cache,
software page walk, refill):

.. math::
    \\Delta s = m\\, h_{\\mathrm{hit}}, \\qquad
    D_{\\mathrm{guest}} = t_{\\mathrm{cpu}}\\big((1-f_k) s_u + f_k s_k + \\Delta s\\big)
      + n_{\\mathrm{tlb}}\\, h_{\\mathrm{miss}} / f + \\ldots

:math:`\\Delta s` is in the unit of the translation factors :math:`s_u, s_k` (host
instructions per guest instruction, read as a time ratio at equal instructions per
cycle, as the technique reads them), on user and kernel code alike. Each miss is an
event of :math:`h_{\\mathrm{miss}}` cycles (host instructions at one per cycle,
assumed), variance :math:`n_{\\mathrm{tlb}} (h_{\\mathrm{miss}}/f)^2` like every
event (:func:`~virtmodel.techniques._base.events`).

Values (each a measurement of the primitive, not of an application):

- :math:`h_{\\mathrm{hit}}` = 10 host instructions (``softmmu_lookup_instructions``):
  the inline TLB lookup of ``qemu-system-x86_64`` on an x86 host, measured with
  Intel PIN (Tong, qemu-devel, December 2013, ``tong2013_qemu_tlb``).
- :math:`h_{\\mathrm{miss}}` = 450 host instructions (``softmmu_miss_instructions``):
  a miss with the walk of a 4-level guest page table in a Linux guest, same
  measurement and source, repeated in the message of QEMU's victim-TLB commit
  (88e89a57, 2014).
- :math:`m` = 0.383 (``memory_accesses_per_instruction``): a property of the guest
  code, the share of loads (25.1%) and stores (13.2%) among the instructions of gcc,
  SPEC CPU2000, on MIPS (Hennessy & Patterson, ``hennessy_patterson_mix``); a build
  job runs the compiler. An x86 guest, with memory operands on ALU instructions and
  fewer registers, makes at least as many accesses per instruction (approx.).
- :math:`n_{\\mathrm{tlb}}` is the workload's ``tlb_misses`` (its hardware TLB
  misses per request): a lower bound for the software TLB, which is direct-mapped
  and flushed on every guest address-space switch (Tong, same message; the
  victim-TLB commit names its conflict misses); no stored measurement gives its
  miss rate.

Cross-check (not used to set a value): Tong, Koju & Kawahito (ACM TACO 2015,
``tong2015_stlb``) measured that QEMU's system mode spends 38.1% of its emulation
time in memory emulation (lookups and refills) on average over their workloads. With
the values above the lookups alone take :math:`m h_{\\mathrm{hit}} / (s_u + m h_{\\mathrm{hit}})
= 3.83 / 14.03 = 27\\%` of an integer guest's emulation time, below the measured share,
as a term without most misses must be.

Limiting cases: ``tcg_mode="user"`` (or :math:`m h_{\\mathrm{hit}} = 0` and
:math:`h_{\\mathrm{miss}} = 0`) is the previous model exactly; the term is CPU work
on the guest's own vCPU, so it scales the guest demand at every load (the light-load
latency and the saturation throughput by the same factor when the guest CPU is the
bottleneck).

Where it applies: structurally on :class:`~virtmodel.techniques.binary_translation.Emulation`
in its default ``tcg_mode="system"`` (QEMU's system mode always has the software MMU,
user mode never: a flag of the configuration that the source's system description
decides, not an option tried on the rows). Binary translation (VMware) never: its
guests run on the hardware MMU with shadow page tables, priced by the page-fault
and page-table-write costs.

What is left out: the interrupt checks at block boundaries, the emulated timers,
interrupt controller and devices of system mode, accesses that cross a page or go
to device memory (the slow path without a miss), and the flushes of the whole
software TLB (their refills are the misses above the hardware count).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag, param
from ._base import cycles, events

TCG_MODES = ("system", "user")


def applies(tech) -> bool:
    """Whether ``tech`` runs its guest under QEMU's software MMU (``tcg_mode="system"``)."""
    return getattr(tech, "tcg_mode", None) == "system"


def lookup_slowdown(tech, s):
    """Host instructions per guest instruction of the inline lookups, :math:`\\Delta s = m\\, h_{\\mathrm{hit}}`
    (0 where the software MMU does not apply)."""
    if not applies(tech):
        return 0
    return s.memory_accesses_per_instruction * s.softmmu_lookup_instructions


def miss_load(tech, s):
    """The software page walks of a request: :math:`n_{\\mathrm{tlb}}` events of :math:`h_{\\mathrm{miss}}/f`
    (a zero load where the software MMU does not apply)."""
    if not applies(tech):
        return events(0, 0)
    return events(s.tlb_misses, cycles(s, s.softmmu_miss_instructions))


@dataclass(frozen=True)
class SoftMMU:
    """Mixin: QEMU system mode's software TLB, its lookups and its misses (module docstring)."""

    tcg_mode: str = flag("system", doc="QEMU mode: system (a whole machine, every guest load and store through the "
                                       "software MMU) or user (linux-user: a guest process, no software MMU)",
                         options=TCG_MODES)
    memory_accesses_per_instruction: float = param(
        0.383, unit="1", source="hennessy_patterson_mix", latex="m",
        doc="guest loads and stores per guest instruction, a property of the guest code (gcc, SPEC CPU2000: "
            "25.1% loads + 13.2% stores; system mode only)")
    softmmu_lookup_instructions: float = param(
        10.0, unit="count", source="tong2013_qemu_tlb", latex=r"h_{\mathrm{hit}}",
        doc="host instructions of the inline software-TLB lookup per guest load or store (qemu-system-x86_64 "
            "on x86, Intel PIN; system mode only)")
    softmmu_miss_instructions: float = param(
        450.0, unit="cycles", source="tong2013_qemu_tlb", latex=r"h_{\mathrm{miss}}",
        doc="host instructions per software-TLB miss: exit from the code cache, walk of the guest's 4-level "
            "page table, refill (~450, Intel PIN; taken as cycles; system mode only)")


__all__ = ["SoftMMU", "TCG_MODES", "applies", "lookup_slowdown", "miss_load"]
