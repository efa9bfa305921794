"""Published costs of CPU and MMU virtualization: VM exits, binary translation, paging.

Sources: Agesen et al. 2012 (exit round trips by generation), Dall et al. 2016 and
2017 (KVM on x86), Landau et al. 2011 (SplitX), Adams & Agesen 2006 (binary
translation vs first-generation VT-x), QEMU TCG benchmarking 2020, Barr et al.
2011, Bhargava et al. 2008 and VMware 2009 (nested paging).
"""

from __future__ import annotations

from .published_record import NOT_STATED as _NOT_STATED
from .published_record import Finding, Measurement

__all__ = ["FINDINGS", "GENERATIONS", "MEASUREMENTS"]

GENERATIONS = (
    # microarchitecture, launched, VM exit + entry round trip (cycles); Agesen 2012 Table 1
    ("Prescott", "3Q2005", 3963),
    ("Merom", "2Q2006", 1579),
    ("Penryn", "1Q2008", 1266),
    ("Nehalem", "3Q2009", 1009),
    ("Westmere", "1Q2010", 761),
    ("Sandy Bridge", "1Q2011", 784),
)
"""Intel microarchitectures with launch quarter and exit round-trip cycles (agesen2012)."""

_NO_EPT = ("Intel states that EPT is not available in Core 2-based and earlier Intel CPUs "
           "(as reported by wikipedia_ept)")
NESTED_PAGING = (
    # microarchitecture, nested paging (EPT), source key or "assumption", note
    ("Prescott", False, "wikipedia_ept", _NO_EPT + "; Prescott (Pentium 4) is earlier than Core 2"),
    ("Merom", False, "wikipedia_ept", _NO_EPT + "; Merom is the first Core 2 microarchitecture"),
    ("Penryn", False, "wikipedia_ept", _NO_EPT + "; Penryn is the 45 nm Core 2"),
    ("Nehalem", True, "wikipedia_ept",
     "Intel states that EPT is available in all Nehalem-based CPUs with virtualization support "
     "(as reported by wikipedia_ept)"),
    ("Westmere", True, "assumption",
     "EPT kept after Nehalem: the model's assumption (the sources found name Nehalem-based CPUs only)"),
    ("Sandy Bridge", True, "assumption",
     "EPT kept after Nehalem: the model's assumption (the sources found name Nehalem-based CPUs only)"),
)
"""Which generation of :data:`GENERATIONS` had nested paging (Intel EPT), with its source and a note."""

_AGESEN = "agesen2012"
_KVM_X86 = "x86 host with KVM; " + _NOT_STATED
_P4 = "Pentium 4 672, 3.8 GHz"

_generations = tuple(
    Measurement(
        f"exit_roundtrip.{arch.lower().replace(' ', '_')}", cycles, "cycles", _AGESEN,
        f"Intel {arch}", f"hardware VM exit + VM entry round trip; launched {quarter} (Table 1)",
    )
    for arch, quarter, cycles in GENERATIONS
)

_exits = (
    Measurement("exit.total_cost_assumed", 3000, "cycles", _AGESEN, "3.33 GHz reference clock",
                "total cost of one exit including software handling, as assumed by the paper"),
    Measurement("exit.total_cost_assumed_us", 0.9, "us", _AGESEN, "3.33 GHz reference clock",
                "the 3000-cycle exit cost in time"),
    Measurement("exit.nested_sandy_bridge", 9794, "cycles", _AGESEN, "Intel Sandy Bridge",
                "one nested (virtual) exit"),
    Measurement("ept.exit_rate_reduction_max", 90, "%", _AGESEN, "EPT/NPT-capable hosts",
                "MMU virtualization hardware cut the exit rate by up to 90% for many workloads"),
    Measurement("netperf.exits_per_roundtrip.e1000", 2.6, "exits", _AGESEN, "emulated e1000 NIC",
                "exits per netperf request/response round trip"),
    Measurement("netperf.exits_per_roundtrip.e1000_clustered", 1.97, "exits", _AGESEN,
                "emulated e1000 NIC", "exits per netperf round trip, with exit clustering"),
    Measurement("netperf.exits_per_roundtrip.vmxnet", 1.3, "exits", _AGESEN,
                "paravirtual vmxnet NIC", "exits per netperf round trip"),
    Measurement("netperf.exits_per_roundtrip.vmxnet_clustered", 1.2, "exits", _AGESEN,
                "paravirtual vmxnet NIC", "exits per netperf round trip, with exit clustering"),
)

_kvm = (
    Measurement("kvm.null_hypercall.low", 1300, "cycles", "dall2016", _KVM_X86,
                "null hypercall, low end of 'about 1300-1440' (record cites ISCA 2016 and ATC 2017 "
                "together)"),
    Measurement("kvm.null_hypercall.high", 1440, "cycles", "dall2016", _KVM_X86,
                "null hypercall, high end of 'about 1300-1440' (record cites ISCA 2016 and ATC 2017 "
                "together)"),
    Measurement("kvm.exit_kernel", 2565, "cycles", "dall2016", _KVM_X86,
                "exit handled in the host kernel (record cites ISCA 2016 and ATC 2017 together)"),
    Measurement("kvm.exit_user", 6732, "cycles", "dall2016", _KVM_X86,
                "exit handled in user space by the QEMU device model (record cites ISCA 2016 and "
                "ATC 2017 together)"),
    Measurement("kvm.virtual_ipi", 3102, "cycles", "dall2017", _KVM_X86, "one virtual IPI"),
    Measurement("kvm.virtual_interrupt_completion", 1556, "cycles", "dall2017", _KVM_X86,
                "virtual interrupt completion (EOI)"),
    Measurement("splitx.exit_direct", 2000, "cycles", "landau2011",
                "Intel Nehalem, KVM, EPT+VPID", "direct cost of one exit (about 2000 cycles)"),
    Measurement("splitx.exit_indirect_factor_max", 10, "x direct cost", "landau2011",
                "Intel Nehalem, KVM, EPT+VPID",
                "indirect costs (cache and TLB pollution) up to an order of magnitude more"),
)


def _adams(op, mode, cycles, note="", derived=False, unit="cycles"):
    return Measurement(f"adams.{op}.{mode}", cycles, unit, "adams2006", _P4, note, derived)


_adams2006 = (
    _adams("syscall", "bt_extra", 2000, "binary translation: about +2000 cycles over native",
           unit="cycles over native"),
    _adams("syscall", "hw_extra", 0, "first-generation VT-x runs system calls at native speed",
           unit="cycles over native"),
    _adams("in", "native", 3209, "I/O port read"),
    _adams("in", "bt", 214, "'fifteen times faster than native' (3209/15)", derived=True),
    _adams("in", "hw", 15826, "I/O port read under first-generation VT-x"),
    _adams("cr8wr", "native", 140, "write to CR8 (task priority); approximate", derived=True),
    _adams("cr8wr", "bt", 35, "write to CR8 under binary translation"),
    _adams("cr8wr", "hw", 140, "'about native' in the record; set to the native estimate",
           derived=True),
    _adams("call_ret", "native", 11, "call/return pair"),
    _adams("call_ret", "bt", 51, "call/return pair under binary translation"),
    _adams("call_ret", "hw", 11, "call/return pair under first-generation VT-x"),
    _adams("pgfault", "native", 1093, "page fault"),
    _adams("pgfault", "bt", 3927, "page fault under binary translation (shadow paging)"),
    _adams("pgfault", "hw", 11242, "page fault under first-generation VT-x (no EPT: exits)"),
    _adams("divzero", "native", 889, "divide-by-zero trap"),
    _adams("divzero", "bt", 3223, "divide-by-zero trap under binary translation"),
    _adams("divzero", "hw", 1014, "divide-by-zero trap under first-generation VT-x"),
    _adams("ptemod", "native", 1, "page-table entry modification"),
    _adams("ptemod", "bt", 391, "PTE modification under binary translation"),
    _adams("ptemod", "hw", 12733, "PTE modification under first-generation VT-x (exits)"),
)

_TCG_MACHINE = "x86_64 guest, linux-user mode, QEMU 5.1"
_emulation_and_paging = (
    Measurement("tcg.host_insn_per_guest_insn.integer", 10.2, "host instr/guest instr",
                "qemu_tcg2020", _TCG_MACHINE, "integer benchmarks (about)"),
    Measurement("tcg.host_insn_per_guest_insn.float", 17.9, "host instr/guest instr",
                "qemu_tcg2020", _TCG_MACHINE, "floating-point benchmarks (about)"),
    Measurement("tcg.host_insn_per_guest_insn.min", 6.5, "host instr/guest instr",
                "qemu_tcg2020", _TCG_MACHINE, "lowest per-benchmark ratio"),
    Measurement("tcg.host_insn_per_guest_insn.max", 20.6, "host instr/guest instr",
                "qemu_tcg2020", _TCG_MACHINE, "highest per-benchmark ratio"),
    Measurement("npt.walk_refs_2d_max", 24, "memory references", "barr2011", _NOT_STATED,
                "two-dimensional (nested) page walk, worst case"),
    Measurement("npt.walk_refs_native", 4, "memory references", "barr2011", _NOT_STATED,
                "native four-level page walk"),
    Measurement("npt.pwc_speedup.low", 15, "%", "bhargava2008", _NOT_STATED,
                "guest performance gain from page-walk caches for 2-D walks, low end"),
    Measurement("npt.pwc_speedup.high", 38, "%", "bhargava2008", _NOT_STATED,
                "guest performance gain from page-walk caches for 2-D walks, high end"),
    Measurement("npt.specint2000_overhead_max", 5, "%", "bhargava2008",
                _NOT_STATED, "SPECint2000 overhead with the caches: under 5%"),
    Measurement("ept.speedup_vs_shadow_max", 48, "%", "vmware_ept2009", "Intel EPT (VMware)",
                "EPT vs shadow paging, MMU-intensive benchmarks: up to 48% faster"),
)

MEASUREMENTS = _generations + _exits + _kvm + _adams2006 + _emulation_and_paging

FINDINGS = (
    Finding("adams.result",
            "First-generation hardware assist wins on system-call-heavy work; binary translation "
            "wins on I/O, process creation and context switches, because of the cost of exits "
            "(no EPT then: page faults and page-table writes exit).", "adams2006"),
    Finding("ept.exit_rate",
            "MMU virtualization hardware (EPT/NPT) cut the exit rate by up to 90% for many "
            "workloads.", "agesen2012"),
    Finding("ept.first_intel",
            "Intel EPT (nested paging) is available in all Nehalem-based CPUs with virtualization "
            "support and not in Core 2-based and earlier Intel CPUs (Intel's statement, as reported).",
            "wikipedia_ept"),
    Finding("npt.first_amd",
            "AMD64 Quad-Core processors are the first x86 processors with hardware support for a "
            "second, nested level of address translation (AMD-V nested paging, also called Rapid "
            "Virtualization Indexing).", "amd_npt2008"),
)
