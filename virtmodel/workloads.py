"""Workload presets, each with its assumptions written down.

All counts are per request and are **illustrative** (chosen to be plausible for
the kind of work, not measured) unless a source is named. ``get(name)`` returns
the :class:`~virtmodel.workload.Workload`; ``describe(name)`` its assumptions;
``PRESETS`` holds those that run on any platform, ``STORAGE_PRESETS`` those
whose requests use the disk (they need a platform with one,
:mod:`virtmodel.disk`); ``names()`` lists both, ``APPLICATION_CLASSES`` maps the
application classes people benchmark to their presets.
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
            "A 64 KiB send as 44 MTU-1500 packets (one message of 44 packets: one segment with "
            "segmentation offload on), 20 us of CPU (copy + stack), interrupts coalesced to 4 per request.",
            arrival_rate=1500.0, cpu_time=20e-6, kernel_fraction=0.8, syscalls=1, page_faults=0,
            pte_updates=0, context_switches=0.1, register_writes=0.5, interrupts=0.01, io_ops=44,
            io_bytes=1500, io_interrupts=4, tlb_misses=100, message_packets=44),
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


PRESETS.update({p.name: p for p in (
    Preset("key_value_store", Workload(
        arrival_rate=20000.0, cpu_time=8e-6, kernel_fraction=0.8, syscalls=3, page_faults=0, pte_updates=0,
        context_switches=0.2, register_writes=0.5, interrupts=0.01, io_ops=2, io_bytes=400, io_interrupts=1,
        tlb_misses=20),
        "One memcached request from Facebook's ETC pool (Atikoglu et al. 2012: GET/SET about 30:1, small keys "
        "and values of a few hundred bytes): one request and one response packet (400 B on average), 8 us of CPU "
        "mostly in the network stack (epoll, read, send), nothing on disk (an in-memory store). The CPU time and "
        "packet size are illustrative.", "atikoglu2012"),
    Preset("hpc_compute", Workload(
        arrival_rate=50.0, cpu_time=10e-3, kernel_fraction=0.02, syscalls=20, page_faults=0.1, pte_updates=1,
        context_switches=0.1, register_writes=0.2, interrupts=2.5, io_ops=20, io_bytes=8192, io_interrupts=2,
        tlb_misses=2e4),
        "One 10 ms step of a bulk-synchronous MPI code (compute, then exchange halos with the neighbours, the "
        "structure of the parallel HPC tests in Lange et al. 2010): 20 messages of 8 KiB per step with interrupts "
        "coalesced to 2, twice cpu_bound's TLB misses (larger working set); no disk. Counts illustrative.",
        "lange2010"),
)})

#: presets whose requests use the disk: they need a platform with one (``Platform(disk="flash")`` or
#: :func:`virtmodel.disk.with_disk`); the ``io_*`` counts are their network's
STORAGE_PRESETS = {p.name: p for p in (
    Preset("oltp_update_heavy", Workload(
        arrival_rate=500.0, cpu_time=1e-3, kernel_fraction=0.3, syscalls=60, page_faults=1, pte_updates=5,
        context_switches=10, register_writes=10, interrupts=1, io_ops=40, io_bytes=200, io_interrupts=20,
        tlb_misses=3000, file_reads=14, file_read_bytes=16384, page_cache_hit_ratio=0.9, disk_writes=2,
        disk_write_bytes=8192, disk_flushes=1),
        "One sysbench oltp_read_write transaction on MySQL/InnoDB (its defaults: 10 point selects, 4 range "
        "selects, 1 indexed and 1 non-indexed update, 1 delete + insert, in BEGIN/COMMIT): 20 statements from a "
        "client on the network (40 packets of 200 B, interrupts coalesced to 20); 14 page reads of 16 KiB of which "
        "the buffer pool serves 90% (assumption); a durable commit (innodb_flush_log_at_trx_commit=1): a redo-log "
        "write and one data-page write-back of 8 KiB on average, and one flush per transaction (Percona: 'as many "
        "as three fsync operations per transaction commit', group commit shares them; one taken). 1 ms of CPU "
        "(illustrative).", "sysbench_oltp_lua; percona_fsync2018"),
    Preset("oltp_read_mostly", Workload(
        arrival_rate=500.0, cpu_time=0.8e-3, kernel_fraction=0.3, syscalls=50, page_faults=1, pte_updates=5,
        context_switches=8, register_writes=8, interrupts=1, io_ops=32, io_bytes=300, io_interrupts=16,
        tlb_misses=2500, file_reads=14, file_read_bytes=16384, page_cache_hit_ratio=0.95),
        "One sysbench oltp_read_only transaction (10 point selects and 4 range selects in BEGIN/COMMIT): 16 "
        "statements from a client on the network (32 packets of 300 B); 14 page reads of 16 KiB, 95% from the "
        "buffer pool (assumption); no writes, no flush. 0.8 ms of CPU (illustrative).", "sysbench_oltp_lua"),
    Preset("file_server", Workload(
        arrival_rate=200.0, cpu_time=200e-6, kernel_fraction=0.8, syscalls=20, page_faults=2, pte_updates=10,
        context_switches=2, register_writes=2, interrupts=0.1, io_ops=0, io_bytes=1500, io_interrupts=0,
        tlb_misses=500, file_reads=1, file_read_bytes=131072, page_cache_hit_ratio=0.5, disk_writes=2,
        disk_write_bytes=73728, disk_flushes=0),
        "One loop of a Filebench fileserver thread (a SPECsfs-like mix: create and write a whole file, append, "
        "read a whole file, stat, delete; 128 KiB mean file size, 16 KiB appends as its defaults): one read of "
        "128 KiB, half served by the page cache (recently written files; assumption), two writes reaching the "
        "disk (128 KiB and 16 KiB: 72 KiB mean; write-back taken as on the request's path), no fsync; run on the "
        "server itself (no network). 200 us of CPU, 80% in the kernel (illustrative).", "filebench_personalities"),
    Preset("web_static_files", Workload(
        arrival_rate=1000.0, cpu_time=100e-6, kernel_fraction=0.7, syscalls=12, page_faults=0.5, pte_updates=2,
        context_switches=1, register_writes=2, interrupts=0.05, io_ops=14, io_bytes=1200, io_interrupts=3,
        tlb_misses=200, file_reads=1, file_read_bytes=16384, page_cache_hit_ratio=0.9, disk_writes=0.1,
        disk_write_bytes=16384),
        "One static page (the Filebench webserver personality: open-read-close of a 16 KiB file of a hot set, "
        "and 16 KiB appended to the log every 10 reads): the file is in the page cache 90% of the time "
        "(assumption), the log append reaches the disk; the response as 12 full packets plus request and ack "
        "(14 packets, 1200 B mean), 100 us of CPU (illustrative).", "filebench_personalities"),
)}


def names() -> tuple:
    """Every preset name: the first model's and the new application classes (:data:`PRESETS`), then those
    that need a disk (:data:`STORAGE_PRESETS`)."""
    return tuple(PRESETS) + tuple(STORAGE_PRESETS)


def _preset_of(name) -> Preset:
    if not isinstance(name, str) or name not in PRESETS and name not in STORAGE_PRESETS:
        raise ParameterError("workload", name, "a Workload or one of " + ", ".join(names()))
    return PRESETS.get(name) or STORAGE_PRESETS[name]


def get(name) -> Workload:
    """The workload of a preset (a :class:`Workload` passes through unchanged)."""
    if isinstance(name, Workload):
        return name
    return _preset_of(name).workload


def describe(name: str) -> str:
    """The assumptions behind a preset's numbers."""
    p = _preset_of(name)
    return f"{p.name} ({p.source}): {p.assumptions}"


#: the application classes people benchmark, and the presets that stand for them
APPLICATION_CLASSES = {
    "kernel build": ("kernel_build",),
    "OLTP, update-heavy": ("oltp_update_heavy", "oltp"),
    "OLTP, read-mostly": ("oltp_read_mostly",),
    "file server": ("file_server",),
    "web serving": ("web_serving", "web_static_files"),
    "key-value store": ("key_value_store",),
    "request-response": ("small_packet_rr",),
    "bulk transfer": ("bulk_transfer",),
    "HPC compute": ("hpc_compute", "cpu_bound"),
}


__all__ = ["Preset", "PRESETS", "STORAGE_PRESETS", "APPLICATION_CLASSES", "names", "get", "describe"]
