"""Workload presets, each with its assumptions written down.

All counts are per request and are **illustrative** (chosen to be plausible for
the kind of work, not measured) unless a source is named. ``get(name)`` returns
the :class:`~virtmodel.workload.Workload`; ``describe(name)`` its assumptions;
``PRESETS`` holds them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ParameterError
from .workload import Workload


@dataclass(frozen=True)
class Preset:
    """A named workload with the assumptions behind its numbers."""

    name: str
    workload: Workload
    assumptions: str
    source: str = "illustrative"


def _preset(name, assumptions, **fields):
    return Preset(name, Workload(**fields), assumptions)


PRESETS = {p.name: p for p in (
    _preset("cpu_bound",
            "A 10 ms compute job: almost all user time, a timer interrupt every 4 ms (250 Hz), "
            "no I/O, 1e6 TLB misses per second of CPU.",
            arrival_rate=50.0, cpu_time=10e-3, kernel_fraction=0.02, syscalls=1, page_faults=0.1,
            pte_updates=1, context_switches=0.1, register_writes=0.2, interrupts=2.5, io_ops=0,
            io_interrupts=0, tlb_misses=1e4),
    _preset("syscall_heavy",
            "A 20 us request making 20 system calls (60% of its time in the kernel), no I/O: "
            "the kind of load where hardware assist beats binary translation (Adams & Agesen 2006).",
            arrival_rate=10000.0, cpu_time=20e-6, kernel_fraction=0.6, syscalls=20, page_faults=0,
            pte_updates=0, context_switches=0.1, register_writes=1, interrupts=0.005, io_ops=0,
            io_interrupts=0, tlb_misses=20),
    _preset("kernel_build",
            "One compiler process of a kernel build (fork + exec + 200 ms of work): process creation "
            "dominates the privileged operations: 5000 page faults, 20000 page-table writes, "
            "200 context switches; 20 block reads of 4 KiB.",
            arrival_rate=2.0, cpu_time=0.2, kernel_fraction=0.3, syscalls=5000, page_faults=5000,
            pte_updates=20000, context_switches=200, register_writes=400, interrupts=50, io_ops=20,
            io_bytes=4096, io_interrupts=20, tlb_misses=2e5),
    _preset("small_packet_rr",
            "netperf TCP_RR-like: one small request packet in, one response out (100 B on the wire "
            "each), 10 us of CPU mostly in the network stack, one device interrupt per transaction.",
            arrival_rate=20000.0, cpu_time=10e-6, kernel_fraction=0.7, syscalls=2, page_faults=0,
            pte_updates=0, context_switches=0.5, register_writes=1, interrupts=0.01, io_ops=2,
            io_bytes=100, io_interrupts=1, tlb_misses=20),
    _preset("bulk_transfer",
            "A 64 KiB send as 44 MTU-1500 packets, 20 us of CPU (copy + stack), interrupts "
            "coalesced to 4 per request.",
            arrival_rate=1500.0, cpu_time=20e-6, kernel_fraction=0.8, syscalls=1, page_faults=0,
            pte_updates=0, context_switches=0.1, register_writes=0.5, interrupts=0.01, io_ops=44,
            io_bytes=1500, io_interrupts=4, tlb_misses=100),
    _preset("oltp",
            "An OLTP transaction: 2 ms of CPU, 50 system calls, 10 context switches (lock waits, "
            "log writer), 4 block I/Os of 8 KiB.",
            arrival_rate=200.0, cpu_time=2e-3, kernel_fraction=0.3, syscalls=50, page_faults=2,
            pte_updates=10, context_switches=10, register_writes=10, interrupts=1, io_ops=4,
            io_bytes=8192, io_interrupts=4, tlb_misses=5000),
    _preset("web_serving",
            "A dynamic web page: 300 us of CPU, 40 system calls, 6 packets of about 1200 B "
            "(request, response, acks), 2 device interrupts.",
            arrival_rate=1000.0, cpu_time=300e-6, kernel_fraction=0.5, syscalls=40, page_faults=1,
            pte_updates=10, context_switches=2, register_writes=4, interrupts=0.1, io_ops=6,
            io_bytes=1200, io_interrupts=2, tlb_misses=500),
)}


def get(name) -> Workload:
    """The workload of a preset (a :class:`Workload` passes through unchanged)."""
    if isinstance(name, Workload):
        return name
    if not isinstance(name, str) or name not in PRESETS:
        raise ParameterError("workload", name, "a Workload or one of " + ", ".join(PRESETS))
    return PRESETS[name].workload


def describe(name: str) -> str:
    """The assumptions behind a preset's numbers."""
    get(name)
    p = PRESETS[name]
    return f"{p.name} ({p.source}): {p.assumptions}"


__all__ = ["Preset", "PRESETS", "get", "describe"]
