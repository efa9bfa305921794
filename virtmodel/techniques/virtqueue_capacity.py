"""A split virtqueue's descriptor capacity: how many block requests the device can hold at once.

A virtio block device's queue is a split virtqueue of :math:`Q` descriptors (the
queue size the device offers; Cloud Hypervisor's default for a disk is 128,
``DEFAULT_DISK_QUEUE_SIZE`` in ``vmm/src/vm_config.rs``, v42.0). Linux's
``virtio_blk`` sends a block request as a chain of scatter-gather elements:
the request header (out), one element per data segment, the status byte (in),
:math:`s + 2` in all (``virtblk_add_req``). ``virtqueue_add_split``
(``drivers/virtio/virtio_ring.c``) puts that chain in the ring as one
descriptor per element, unless the device offered ``VIRTIO_RING_F_INDIRECT_DESC``
(the virtio specification's indirect descriptors), when the chain goes into a
separate table and the ring holds one descriptor. With fewer free descriptors
than the chain needs it returns ``-ENOSPC``: ``virtio_queue_rq`` stops the
hardware queue and the request waits in the guest's block layer (blk-mq) until
completions free descriptors. So the requests the device can hold at once are

.. math::
    C = \\Big\\lfloor \\frac{Q}{s + 2} \\Big\\rfloor \\;\\text{(no indirect descriptors)}, \\qquad
    s = \\min\\!\\Big(s_{\\max},\\; \\Big\\lceil \\frac{b}{B_{\\mathrm{seg}}} \\Big\\rceil\\Big)

for a request of :math:`b` bytes (a flush: :math:`s = 0`, header and status
only), :math:`s_{\\max}` the segments per request the guest allows (Linux
``virtblk_probe``: the device's ``seg_max`` if it offers
``VIRTIO_BLK_F_SEG_MAX``, else 1; Cloud Hypervisor v42.0 offers neither
``SEG_MAX`` nor ``SIZE_MAX``, so 1) and :math:`B_{\\mathrm{seg}}` the bytes of
one segment (one 4 KiB guest page: a user buffer's pages are physically
scattered unless adjacent; an assumption, an upper bound on the segments). With
a mix of reads, writes and flushes the chain length is their mean weighted by
the counts, :math:`\\bar d = \\sum_k n_k (s_k + 2) / \\sum_k n_k`, and
:math:`C = \\lfloor Q / \\bar d \\rfloor`. Linux's blk-mq tag depth
(``queue_depth``: :math:`Q`, halved without indirect descriptors) is never the
smaller bound, since :math:`\\bar d \\ge 2`.

Closed loop (:mod:`virtmodel.model.closed`): of a VM's :math:`N` outstanding
requests (``users``) at most :math:`C` are on the device side, the stations
other than the guest's vCPUs (the back-end, the host, the disk and its channel,
the path delay); the others wait in the guest. The network is solved with the
device side as a flow-equivalent server whose rate with :math:`j` requests is
the device side's own MVA throughput at :math:`\\min(j, C)`
(:func:`virtmodel.queueing.flow_equivalent.mva_window`). The guest's
completion work is outside the window: ``virtblk_done`` takes the request
back from the ring (``virtqueue_get_buf`` frees its descriptors) before the
request completes to the application.

Flag ``indirect_descriptors`` (default ``True``: the previous model exactly; with
indirect descriptors a request takes one descriptor and the ring holds
:math:`Q` requests, the guest's tag depth too, which the model does not cap).
``False`` applies the capacity on the paths whose guest driver is virtio
(``virtio``, ``virtio_user``, ``vhost_user``); every other path ignores it. The
open model (``users`` = 0) is not changed: it has no population to cap.

Left out: the block layer's split of an I/O whose segments exceed
:math:`s_{\\max}` into several requests (the model keeps the workload's block
requests per request; with :math:`s_{\\max} = 1` and a buffer of scattered
pages a 256 KiB write would be up to 64 requests of 3 descriptors each, fewer
I/Os in the ring and more per-request work: the model is optimistic then);
request merging in the guest's block layer; the network's virtqueues (their
buffers are not counted here); a multi-queue device (one virtqueue per VM is
assumed for the block requests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import sympy as sp

from .._params import flag, param
from ..disk import disk_ops
from ..errors import ParameterError

#: the I/O paths whose guest driver puts block requests in a split virtqueue
VIRTQUEUE_PATHS = ("virtio", "virtio_user", "vhost_user")
#: descriptors of a request besides its data segments: the header (out) and the status byte (in)
FRAME_DESCRIPTORS = 2


def segments(nbytes, seg_max, seg_bytes, ceil=np.ceil, minimum=np.minimum):
    """Data segments of one request of ``nbytes``: :math:`\\min(s_{\\max}, \\lceil b/B_{\\mathrm{seg}} \\rceil)`."""
    return minimum(seg_max, ceil(nbytes / seg_bytes))


def mean_descriptors(s, ceil=np.ceil, minimum=np.minimum):
    """:math:`\\bar d`, ring descriptors per block request without indirect descriptors (module formula);
    ``s`` has the workload's and technique's values as attributes (numbers, arrays or symbols)."""
    ops = disk_ops(s)
    seg = (s.virtio_blk_seg_max, s.guest_segment_bytes)
    chains = (ops.reads * (segments(s.file_read_bytes, *seg, ceil, minimum) + FRAME_DESCRIPTORS)
              + ops.writes * (segments(s.disk_write_bytes, *seg, ceil, minimum) + FRAME_DESCRIPTORS)
              + ops.flushes * FRAME_DESCRIPTORS)
    return chains / ops.total


def capacity_expression(s):
    """:math:`C = \\lfloor Q / \\bar d \\rfloor` as a SymPy expression (the module formula, for the formula pages)."""
    return sp.floor(s.virtqueue_size / mean_descriptors(s, sp.ceiling, sp.Min))


def applies(tech) -> bool:
    """True if ``tech`` runs without indirect descriptors on a path whose block requests use a virtqueue."""
    return (not getattr(tech, "indirect_descriptors", True)) and getattr(tech, "io_path", None) in VIRTQUEUE_PATHS


def ring_capacity(tech, values: dict):
    """:math:`C`, the block requests the device can hold at once (an int), or None when nothing caps them
    (indirect descriptors, another path, or no block requests). ``values``: scalar parameter values."""
    if not applies(tech):
        return None
    s = SimpleNamespace(**values)
    if float(disk_ops(s).total) <= 0:
        return None
    return int(math.floor(float(s.virtqueue_size) / float(mean_descriptors(s)) + 1e-9))


@dataclass(frozen=True)
class VirtqueueCapacity:
    """Mixin: a split virtqueue's descriptor capacity without indirect descriptors (module docstring)."""

    indirect_descriptors: bool = flag(True, doc="the device offers VIRTIO_RING_F_INDIRECT_DESC: a block request "
                                                "takes one ring descriptor (True, the previous model) or one per "
                                                "element, header + segments + status (False: fewer requests fit "
                                                "in the ring; virtio paths, closed loop)", options=(True, False))
    virtqueue_size: float = param(
        128, unit="count", source="chv_block_src2024", domain="count", latex=r"Q_{\mathrm{vq}}",
        doc="descriptors in the block device's virtqueue (the queue size the device offers; Cloud Hypervisor's "
            "default disk queue_size, 128)")
    virtio_blk_seg_max: float = param(
        1, unit="count", source="linux_virtio_blk", domain="count", latex=r"s_{\max}",
        doc="data segments per block request the guest allows (Linux virtio_blk: the device's seg_max with "
            "VIRTIO_BLK_F_SEG_MAX, else 1; Cloud Hypervisor v42 does not offer it)")
    guest_segment_bytes: float = param(
        4096, unit="B", source="assumption", domain="positive", latex=r"B_{\mathrm{seg}}",
        doc="bytes of one data segment (one guest page: a buffer's pages taken as physically scattered)")

    def check(self, values: dict) -> None:
        """Reject a block request whose descriptor chain does not fit in the ring (:math:`\\bar d > Q`)."""
        super().check(values)
        if not applies(self) or "disk_writes" not in values:
            return
        s = SimpleNamespace(**values)
        total = np.asarray(disk_ops(s).total, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            chain = np.where(total > 0, mean_descriptors(s), 0.0)
        if np.any(chain > np.asarray(values["virtqueue_size"], dtype=float)):
            raise ParameterError("virtqueue_size", values["virtqueue_size"],
                                 "at least the descriptors of one block request (header + segments + status)",
                                 f"a block request needs {float(np.max(chain)):g} descriptors without indirect "
                                 "descriptors")


__all__ = ["VirtqueueCapacity", "VIRTQUEUE_PATHS", "FRAME_DESCRIPTORS", "segments", "mean_descriptors",
           "capacity_expression", "applies", "ring_capacity"]
