"""The host's page cache under a file-backed virtual disk (QEMU's cache modes): flag ``host_cache``.

A guest disk that is an image file on the host's file system (a qcow2 or raw
file) is read and written by the VMM with ordinary system calls on that file.
How those calls meet the host's page cache is the drive's cache mode (QEMU
``-drive cache=``; facts from QEMU's documentation of the option and
``block/file-posix.c``, not values):

* ``cache=none`` (``cache.direct=on``): the image is opened ``O_DIRECT``; every
  guest block request is a device request (the package's model until now);
* ``cache=writeback``, **QEMU's default** when the command line names no cache
  mode (``cache.direct=off``, ``cache.writeback=on``): the image is opened
  without ``O_DIRECT``, so a guest request, even one the guest sent with
  ``O_DIRECT``, becomes a buffered ``preadv``/``pwritev`` on the host
  (``handle_aiocb_rw``: one call for the request's vector, in a pool worker
  with the default ``aio=threads``); a write ends when its bytes are copied into
  the host's page cache (dirty pages, written back later by the host's flusher
  threads), and a read of a page the cache holds is a copy from memory; a guest
  flush becomes ``fdatasync`` on the image;
* ``cache=writethrough``: as writeback, but the image is opened ``O_DSYNC``: each
  write is copied into the page cache *and* written to the device before it ends.

Flag ``host_cache`` on the technique's disk path (default ``none``: the previous
model exactly). With ``writeback`` or ``writethrough``, on a path whose block
requests a host back-end serves from the image file (:data:`CACHED_PATHS`:
``emulated``, ``virtio_user``, ``virtio``, ``virtio_pooled``; every other path
ignores the flag), per request, with the guest's block reads
:math:`n_r = n_{\\mathrm{rd}}(1 - h)` (its own page cache's misses, :mod:`virtmodel.disk`),
writes :math:`n_w` of :math:`b_w` bytes, reads of :math:`b_r` bytes and the host
cache's read hit ratio :math:`h_H` (``host_cache_hit_ratio``):

.. math::
    \\Delta D_{\\mathrm{back}} = \\text{events}\\big(n_w,\\; c_{\\mathrm{hsys}}/f + b_w t_{\\mathrm{cp}}\\big)
      + \\text{events}\\big(n_r,\\; c_{\\mathrm{hsys}}/f + b_r t_{\\mathrm{cp}}\\big)

on the path's back-end station (the host's cores for ``emulated``, the I/O thread
for ``virtio_user``, ...): one host system call (``host_syscall_cycles``, lmbench's
null call) and one copy of the request's bytes between the VMM's buffer (the
guest's memory) and the page cache (``copy_time_per_byte``, one core's memcpy
rate) per block read or write; and the device (:mod:`virtmodel.disk`) serves

.. math::
    n_r' = n_r (1 - h_H), \\qquad
    n_w' = \\begin{cases} 0 & \\text{writeback} \\\\ n_w & \\text{writethrough} \\end{cases},
    \\qquad n_f' = n_f

in place of :math:`n_r, n_w, n_f` (the guest still sends all :math:`n_r + n_w + n_f`
block requests, each paying the path's per-I/O cost as before:
:mod:`virtmodel.model._storage`). A read miss is a buffered read too: the device
fills the page, then the copy (both charged). The native reference
(:class:`~virtmodel.techniques.native.Native`) has no such flag: its ``O_DIRECT``
requests reach the device.

Limiting cases: ``none`` = the previous model to the last digit (the device's
counts are the same expressions; no term added); ``writethrough`` with
:math:`h_H = 0` sends the device exactly what ``none`` sends, and with
:math:`c_{\\mathrm{hsys}} = t_{\\mathrm{cp}} = 0` it is ``none``.

Assumptions (named): the run's written data stays in the host's memory and is
not written back to the device within the run (the written bytes fit under the
host's dirty limit, Linux's ``vm_dirty_ratio`` of 20% of dirtyable memory, and
the host's background write-back does not compete for the device or the CPU
the model charges); a write to a page not yet cached allocates it without
reading the device (whole-page writes); the copy costs the large-buffer memcpy
rate whatever the request's size; the VMM's image format layer (qcow2's cluster
lookup and allocation) and a flush's write-back of the dirty pages are not
charged (no sourced per-request figure; the device's flush time alone is).
Left out: the page cache's per-page work (lookup, allocation, dirtying and LRU
insertion: no sourced per-page figure was found), the host's write-back threads
and the dirty throttling of a writer above the dirty limit (``balance_dirty_pages``),
and read-ahead. :math:`h_H` is an input (default 0: every read goes to the device):
a recipe sets it from its source's description (which blocks its reads touch and
whether the host's memory holds them).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag, param
from ..disk import DiskOps, disk_ops
from ._base import cycles, events
from .io_paths import PATHS

#: flag value -> what the host's page cache does with the image file's reads and writes
HOST_CACHES = {
    "none": "O_DIRECT on the image: every guest block request reaches the device (QEMU cache=none; the previous "
            "model)",
    "writeback": "buffered: a write is a system call and a copy into the host's page cache and does not reach the "
                 "device within the run; a read is a system call and a copy, from memory with probability "
                 "host_cache_hit_ratio, else from the device (QEMU's default cache mode)",
    "writethrough": "buffered with O_DSYNC: as writeback, but each write also reaches the device",
}

#: the paths whose block requests a host back-end serves from the image file (the back-end station takes the work)
CACHED_PATHS = ("emulated", "virtio_user", "virtio", "virtio_pooled")


def cache_mode(tech) -> str:
    """The host cache mode that acts on ``tech``'s block requests: its ``host_cache`` on a path of
    :data:`CACHED_PATHS`, else ``"none"`` (a technique without the flag, the native reference, a VF)."""
    mode = getattr(tech, "host_cache", "none")
    return mode if getattr(tech, "io_path", None) in CACHED_PATHS else "none"


def device_ops(tech, s) -> DiskOps:
    """The disk operations per request that reach the device (module formula); :func:`virtmodel.disk.disk_ops`
    itself with ``host_cache="none"``."""
    ops = disk_ops(s)
    mode = cache_mode(tech)
    if mode == "none":
        return ops
    writes = 0 if mode == "writeback" else ops.writes
    return DiskOps(ops.reads * (1 - s.host_cache_hit_ratio), writes, ops.flushes)


def buffered_loads(tech, s) -> dict:
    """``{back-end station: Load}`` of the buffered reads and writes per request (module formula); empty with
    ``host_cache="none"``."""
    if cache_mode(tech) == "none":
        return {}
    ops, call = disk_ops(s), cycles(s, s.host_syscall_cycles)
    load = (events(ops.writes, call + s.disk_write_bytes * s.copy_time_per_byte)
            + events(ops.reads, call + s.file_read_bytes * s.copy_time_per_byte))
    return {PATHS[tech.io_path].resource: load}


@dataclass(frozen=True)
class HostPageCache:
    """Mixin: the ``host_cache`` flag and the host cache's read hit ratio (module docstring)."""

    host_cache: str = flag("none", doc="the host's page cache under a file-backed virtual disk (QEMU's -drive "
                                       "cache=): none (O_DIRECT; the previous model), writeback (QEMU's default: "
                                       "a system call and a copy per block request on the back-end, writes kept in "
                                       "host memory, reads from memory at host_cache_hit_ratio) or writethrough "
                                       "(writes also reach the device)", options=tuple(HOST_CACHES))
    host_cache_hit_ratio: float = param(
        0.0, unit="1", domain="fraction", latex=r"h_H",
        doc="share of the guest's block reads the host's page cache serves from memory under host_cache="
            "writeback/writethrough (assumption, per workload: 0 by default, every read from the device)")


__all__ = ["HOST_CACHES", "CACHED_PATHS", "cache_mode", "device_ops", "buffered_loads", "HostPageCache"]
