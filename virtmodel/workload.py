"""What a user describes: the work of one request, and the load.

A :class:`Workload` gives, per request, the native CPU time and the counts of
the operations whose cost differs between virtualization techniques. Counts are
*means per request*; the model treats the number of each kind of event in a
request as Poisson with that mean (so a few expensive events make a more
variable service time than many cheap ones, see :mod:`virtmodel.techniques`).

Conventions
-----------
- ``cpu_time`` is everything the request costs on bare metal, *including* the
  native cost of its privileged operations and of its device driver; each
  technique adds only its *extra* cost per operation. Hence zero extra costs
  give native exactly.
- The load is open (``arrival_rate`` requests per second *per VM*) unless
  ``users`` > 0: then it is closed, ``users`` terminals per VM each thinking
  ``think_time`` seconds between a response and its next request, and
  ``arrival_rate`` is not used (see :mod:`virtmodel.model.closed`). Every VM
  of the platform runs the same workload.
- Storage (a platform with a disk, :mod:`virtmodel.disk`): ``file_reads`` are
  the reads of file data a request makes (blocks of ``file_read_bytes``); the
  guest's page cache serves a share ``page_cache_hit_ratio`` of them, only the
  misses reach the disk. ``disk_writes`` (blocks of ``disk_write_bytes``) are
  the writes that reach the disk on the request's path (synchronous writes,
  journal commits), ``disk_flushes`` the cache flushes (``fsync``, a journal
  commit's flush). All 0 by default: no storage, the first model. The
  ``io_*`` counts stay the network's (or, on a platform without a disk, the
  one device's).
- ``message_packets`` (1 by default: every packet is a message of its own) says
  how many of the ``io_ops`` packets one application message (a send or a
  receive) spans; it matters only with segmentation offload on
  (:mod:`virtmodel.techniques.offload`), which carries a message's packets in
  segments of up to ``segment_bytes``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._params import ParameterSet, param


@dataclass(frozen=True)
class Workload(ParameterSet):
    """Per-request work and the offered load of one VM (see the module docstring)."""

    arrival_rate: float = param(
        1000.0, unit="1/s", doc="arrival rate of requests per VM (open model)", latex=r"\lambda")
    users: int = param(
        0, unit="count", domain="count0", latex="N",
        doc="users (terminals) per VM of a closed model; 0 = open model at the arrival rate")
    think_time: float = param(
        0.0, unit="s", latex="Z", doc="mean think time of a user between requests (closed model)")
    cpu_time: float = param(
        100e-6, unit="s", domain="positive", latex=r"t_{\mathrm{cpu}}",
        doc="native CPU time per request (user + kernel, incl. native cost of privileged ops and driver)")
    cpu_scv: float = param(
        1.0, unit="1", latex=r"c^2_{\mathrm{cpu}}", doc="squared coefficient of variation of the native CPU time")
    count_dispersion: float = param(
        1.0, unit="1", latex=r"\kappa_{n}",
        doc="index of dispersion Var(n)/E[n] of a request's operation counts (system calls, exits, interrupts, "
            "packets, disk operations): 1 Poisson (a mix of requests), 0 fixed (a request of one type)")
    kernel_fraction: float = param(
        0.3, unit="1", domain="fraction", latex=r"f_{\mathrm{k}}",
        doc="fraction of the native CPU time spent in the guest kernel")
    syscalls: float = param(5.0, unit="count", latex=r"n_{\mathrm{sys}}", doc="system calls per request")
    page_faults: float = param(1.0, unit="count", latex=r"n_{\mathrm{pf}}", doc="page faults per request")
    pte_updates: float = param(
        10.0, unit="count", latex=r"n_{\mathrm{pte}}", doc="page-table entry writes per request")
    context_switches: float = param(
        1.0, unit="count", latex=r"n_{\mathrm{cs}}", doc="process context switches (address-space changes) per request")
    register_writes: float = param(
        2.0, unit="count", latex=r"n_{\mathrm{reg}}", doc="privileged register writes (CR/MSR/TPR) per request")
    exceptions: float = param(
        0.0, unit="count", latex=r"n_{\mathrm{exc}}",
        doc="guest exceptions (traps such as divide-by-zero; not page faults) per request")
    interrupts: float = param(
        0.5, unit="count", latex=r"n_{\mathrm{irq}}", doc="timer interrupts and IPIs per request")
    io_ops: float = param(
        1.0, unit="count", latex=r"n_{\mathrm{io}}", doc="I/O operations (packets or block requests) per request")
    io_bytes: float = param(1500.0, unit="B", latex=r"b_{\mathrm{io}}", doc="bytes moved per I/O operation")
    io_interrupts: float = param(
        1.0, unit="count", latex=r"n_{\mathrm{ioirq}}", doc="device interrupts per request (after coalescing)")
    tlb_misses: float = param(
        200.0, unit="count", latex=r"n_{\mathrm{tlb}}", doc="TLB misses per request (page walks)")
    file_reads: float = param(
        0.0, unit="count", latex=r"n_{\mathrm{rd}}",
        doc="reads of file data per request (before the guest page cache; misses reach the disk)")
    file_read_bytes: float = param(
        4096.0, unit="B", latex=r"b_{\mathrm{rd}}", doc="bytes per file read (one block request when it misses)")
    page_cache_hit_ratio: float = param(
        0.0, unit="1", domain="fraction", latex=r"h_{\mathrm{pc}}",
        doc="share of file reads served by the guest page cache (only misses reach the disk)")
    disk_writes: float = param(
        0.0, unit="count", latex=r"n_{\mathrm{wr}}",
        doc="block writes per request that reach the disk on its path (synchronous writes, journal commits)")
    disk_write_bytes: float = param(4096.0, unit="B", latex=r"b_{\mathrm{wr}}", doc="bytes per disk write")
    disk_flushes: float = param(
        0.0, unit="count", latex=r"n_{\mathrm{fl}}",
        doc="disk cache flushes per request (fsync / journal commit flushes)")
    message_packets: float = param(
        1.0, unit="count", domain="positive", latex=r"k_{\mathrm{msg}}",
        doc="packets per application message (one send or receive, which segmentation offload can carry in "
            "segments); 1 = every packet a message of its own")
    memory_bytes: float = param(
        0.0, unit="B", latex=r"b_{\mathrm{mem}}",
        doc="bytes per request moved between the memory and the CPUs beyond the caches (queued on the memory's "
            "bandwidth on a platform with memory='dram', virtmodel.memory)")
