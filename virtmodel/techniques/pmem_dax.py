"""A guest file system on virtio-pmem with DAX: loads and stores to a mapping of a host file, no block I/O.

A virtio-pmem device (Firecracker's ``pmem`` device, ``docs/pmem.md`` and
``src/vmm/src/devices/virtio/pmem/device.rs``: ``firecracker_pmem``) maps its
backing file into the VMM's address space (``mmap`` with ``MAP_SHARED``) and
registers that mapping with KVM as a memory slot of the guest: the guest sees
the file as a range of guest-physical memory. A file system mounted on it with
DAX (``-o dax=always``, Linux ``Documentation/filesystems/dax.rst``:
``linux_dax``) reads and writes its files with ``dax_iomap_rw``, a copy
between the user's buffer and that range, "directly to the storage device",
with no guest page cache and no ``bio``: a file read that the block model sends
to the device as a virtio request (a kick, the back-end's work, a completion
interrupt, and, nested, L1's back-end) is here a run of loads. The device's only
request is a flush (``VIRTIO_PMEM_REQ_TYPE_FLUSH``, answered by ``msync`` of
the file; the guest's ``virtio_pmem_flush`` in ``drivers/nvdimm/nd_virtio.c``,
a virtio request with a kick and a completion interrupt), which the mount option
``nobarrier`` turns off; no flush is charged.

What the guest pays instead is a fault on the *first* access to each page of
the range: the page's guest-physical address has no second-level (EPT) entry
yet, so the access exits (an EPT violation), and KVM resolves it by taking the
page of the VMM's file mapping, i.e. a page fault in the host on a page of a
``MAP_SHARED`` file mapping, before installing the entry ("the performance of
the first access of each page will suffer from the internal KVM page fault
which will have to set up Guest physical address to Host Virtual address
translation. Consecutive accesses will not need to go through this process
again", Firecracker's ``docs/pmem.md``). Per page first touched:

.. math::
    t_{\\mathrm{dax}} = t_x + c_{\\mathrm{hpf}}/f

with :math:`t_x` the technique's exit time (``exit_time``: the exit round trip
and its handling in the host kernel; a nested guest's is :math:`M t_x`, the
exit multiplied as the nested technique multiplies every L2 exit: L0 reflects
the EPT violation to L1, whose KVM serves it from the VMM's mapping in L1) and
:math:`c_{\\mathrm{hpf}}` the host's page fault on a page-cache page of a
shared file mapping: lmbench's ``lat_pagefault`` measures exactly that (it
faults in pages of a ``MAP_SHARED`` mapping of an ordinary file; on Linux its
``msync(MS_INVALIDATE)`` drops no page-cache page, so each fault is a minor
fault on a cached page: Hugh Dickins, linux-mm 2008, ``dickins2008_lat_pagefault``),
1.42 us natively on Barham et al.'s 2.4 GHz Xeon (``xen.lmbench.page_fault.native``,
``barham2003``): :math:`c_{\\mathrm{hpf}} = 1.42\\,\\mu s \\times 2.4\\,\\mathrm{GHz}
= 3408` cycles.

Which I/O (flag ``file_backing``, default ``block``, the previous model exactly;
``pmem_dax`` this mechanism): a share :math:`\\phi` (``pmem_io_share``) of the
technique's device I/O, :math:`n_{\\mathrm{io}}` block requests and their
:math:`n_{\\mathrm{ioirq}}` completion interrupts, is reads of the DAX file
system. Each such read of :math:`b_{\\mathrm{io}}` bytes is taken to touch
:math:`p = \\lceil b_{\\mathrm{io}} / P \\rceil` pages (:math:`P` =
``pmem_page_bytes``, 4 KiB) for the first time: a read that in the block model
misses the guest's page cache and reaches the device is data the guest has not
read before, whose pages the DAX mapping has not touched either. The
technique's demands on every station but the device become those of the
remaining I/O, and the faults are added on the vCPU:

.. math::
    D_k' = D_k\\big|_{n_{\\mathrm{io}} \\to (1-\\phi) n_{\\mathrm{io}},\\;
                     n_{\\mathrm{ioirq}} \\to (1-\\phi) n_{\\mathrm{ioirq}}}
    \\;(k \\ne \\text{device}), \\qquad
    \\Delta D_{\\mathrm{guest}} = \\phi\\, n_{\\mathrm{io}}\\, p\\, t_{\\mathrm{dax}}

(the wake-ups, the work paid off the queues and the polling cores of the
technique are taken with the same substitution). The device station and its
pipelined latency keep the full count (:math:`n_{\\mathrm{io}} b/B`,
:math:`n_{\\mathrm{io}} t_{\\mathrm{dev}}`): the first touch reads the host
file, whose data comes from the same store as the reference's own reads; the
copy itself runs at memory speed in the guest, as a native read's copy from the
page cache does, in ``cpu_time``. The substitution is exact while the demands
are functions of the counts (they are SymPy expressions of them). Limiting
cases: :math:`\\phi = 0` is the previous model exactly; with
:math:`t_{\\mathrm{dax}} = 0` and no I/O the CPU-only model.

Applies to a platform without a disk, where the workload's ``io_ops`` are the
file system's block requests (the ``kernel_build`` preset's "20 block reads of
4 KiB"); a workload with disk block requests (``file_reads``, ``disk_writes``,
``disk_flushes``) is refused with ``file_backing="pmem_dax"``
(:class:`~virtmodel.errors.ParameterError`): the disk path's block requests are
not split between the two file systems by this model.

Left out (no per-event value in a source read): writes to pages of the file not
touched before (a store to a fresh page faults alike; no workload preset counts
a build's writes), any fault the host's file system takes to allocate the page
of a sparse backing file, a host fault that must read the page from the host's
storage (the host's page cache is taken to hold the file: a major fault would
add that read; the nested block path, by contrast, charges L1's own device for
every block request), the second EPT violation a nested guest takes while L0
fills its shadow EPT from L1's (taken as part of the multiplied exit), huge
pages (:math:`P` = 2 MiB would cut the faults, Firecracker's ``docs/pmem.md``),
the guest's DAX read path's own CPU against a page-cache hit, and a flush
without ``nobarrier``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from .._params import flag, param
from ..disk import STORAGE_COUNTS
from ..errors import ParameterError
from ._base import Demands, Load, cycles, events
from .virtio_blk_split import parts

FILE_BACKINGS = ("block", "pmem_dax")


def moved_io(s) -> dict:
    """``{count symbol: (1 - phi) count}``: the device I/O left on the technique's path."""
    kept = 1 - s.pmem_io_share
    return {s.io_ops: kept * s.io_ops, s.io_interrupts: kept * s.io_interrupts}


def _kept(expr, sub: dict):
    return sp.sympify(expr).xreplace(sub)


def dax_fault_time(tech, s):
    """Seconds per page first touched: :math:`t_x + c_{\\mathrm{hpf}}/f` (the technique's exit time)."""
    return tech.exit_time(s) + cycles(s, s.pmem_host_fault_cycles)


def dax_faults(tech, s) -> Load:
    """The faults per request on the vCPU: :math:`\\phi\\, n_{\\mathrm{io}}\\, p` events of :math:`t_{\\mathrm{dax}}`."""
    pages = parts(s.io_bytes, 1, s.pmem_page_bytes)
    return events(s.pmem_io_share * s.io_ops * pages, dax_fault_time(tech, s))


def dax_demands(tech, s, demands: Demands) -> Demands:
    """``demands`` with the moved I/O taken out (every station but the device; the device's latency kept)
    and the first-touch faults added on the guest (module formula)."""
    sub = moved_io(s)
    loads = {name: load if name == "device" else Load(_kept(load.mean, sub), _kept(load.var, sub))
             for name, load in demands.loads.items()}
    device_delay = s.io_ops * s.device_latency
    delay = device_delay + _kept(demands.delay - device_delay, sub)
    guest = loads.pop("guest") + dax_faults(tech, s)
    return Demands(guest, delay, **loads)


@dataclass(frozen=True)
class PmemDax:
    """Mixin: the ``file_backing`` flag and the costs of a DAX file system on virtio-pmem (module docstring).

    The technique's ``demands``, ``off_queue_work`` and ``polling_host_cores`` pass through
    :meth:`with_file_backing`.
    """

    file_backing: str = flag(
        "block", doc="what the guest's file system sits on: block (a virtio block device: every block request "
                     "a virtio request, the previous model) or pmem_dax (virtio-pmem mounted with DAX and "
                     "nobarrier: a share pmem_io_share of the device I/O becomes loads from a mapping of the host "
                     "file, each page first touched an EPT violation and a host page fault)",
        options=FILE_BACKINGS)
    pmem_io_share: float = param(
        1.0, unit="1", domain="fraction", latex=r"\phi",
        doc="share of the device I/O (io_ops, io_interrupts) that is reads of the DAX file system on virtio-pmem "
            "(file_backing='pmem_dax'; assumption: all of a build's cold reads are of the action's inputs in the "
            "CAS on pmem, the toolchain's pages staying in the guest's page cache)")
    pmem_host_fault_cycles: float = param(
        3408.0, unit="cycles", source="barham2003", latex=r"c_{\mathrm{hpf}}",
        doc="host cycles of a page fault on a page-cache page of a MAP_SHARED file mapping (lmbench "
            "lat_pagefault, 1.42 us native at 2.4 GHz, Barham et al. 2003), the host half of a first touch of a "
            "pmem page (file_backing='pmem_dax')")
    pmem_page_bytes: float = param(
        4096.0, unit="B", domain="positive", latex=r"P",
        doc="bytes per page the host maps for the pmem range on a first touch (x86 base page; "
            "file_backing='pmem_dax')")

    def with_file_backing(self, s, demands: Demands) -> Demands:
        """``demands`` unchanged on ``block``; on ``pmem_dax`` :func:`dax_demands`."""
        return demands if self.file_backing == "block" else dax_demands(self, s, demands)

    def kept_io(self, s, work):
        """Work per request (a number, an expression, or ``{kind: work}``) with the moved I/O taken out."""
        if self.file_backing == "block":
            return work
        sub = moved_io(s)
        if isinstance(work, dict):
            return {k: _kept(v, sub) for k, v in work.items()}
        return _kept(work, sub)

    def check(self, values) -> None:
        """Refuse ``pmem_dax`` on a workload with disk block requests (module docstring)."""
        super().check(values)
        if self.file_backing == "block":
            return
        for name in STORAGE_COUNTS:
            value = values.get(name, 0)
            if np.any(np.asarray(value) != 0):
                raise ParameterError("file_backing", self.file_backing,
                                     f"'block' on a workload with disk block requests ({name} != 0)",
                                     "file_backing='pmem_dax' moves the device's I/O (io_ops) of a platform "
                                     "without a disk; the disk path's block requests are not split between "
                                     "file systems")


__all__ = ["FILE_BACKINGS", "PmemDax", "dax_demands", "dax_fault_time", "dax_faults", "moved_io"]
