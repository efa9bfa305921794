"""A virtio-blk device that offers no ``seg_max``: the guest splits each large block request.

Linux's ``virtio_blk`` (``virtblk_probe``) limits a request's data segments to
the device's ``seg_max`` when the device offers ``VIRTIO_BLK_F_SEG_MAX``, else
to 1 (``linux_virtio_blk``, ``linux_virtio_blk_sg_elems``; the block layer's ``max_segments``). QEMU offers
``seg_max`` (the queue size minus 2); Cloud Hypervisor offered no
``VIRTIO_BLK_F_SEG_MAX`` before v44.0 (v26.0 ``avail_features``; commit
7f0c757, 2024-12-21: ``chv_blk_seg_max``). With one segment per request the
block layer splits an I/O whose buffer spans several physically scattered
pages (a direct-I/O user buffer) into one request per segment, so a block
request of :math:`b` bytes reaches the device as

.. math::
    k(b) = \\Big\\lceil \\frac{b}{s_{\\max} B_{\\mathrm{seg}}} \\Big\\rceil

virtio requests (:math:`s_{\\max}` = ``virtio_blk_seg_max``, :math:`B_{\\mathrm{seg}}` =
``guest_segment_bytes``, both of :mod:`~virtmodel.techniques.virtqueue_capacity`:
1 and one 4 KiB page, so a 1 MiB read is 256 requests). A flush carries no data
(:math:`k = 1`). The storage path (:mod:`virtmodel.model._storage`) charges the
path's per-I/O costs once per virtio request instead of once per block request:
its count :math:`n_d = n_r + n_w + n_f` becomes

.. math::
    n_v = n_r\\, k(b_r) + n_w\\, k(b_w) + n_f

(:func:`virtio_requests`), so each part pays the path's kick and exit, the
back-end's per-request host time (and the worker pool's wake-ups,
:mod:`~virtmodel.techniques.block_handoff`) and the completion interrupt, as
every other per-block-request cost of the path does. The bytes and the disk's
service are unchanged: the disk stations keep the :math:`n_d` block requests
with their per-byte transfer and one access each (the :math:`k` parts are
adjacent on the disk and are issued together, so their accesses overlap; the
package's flash disk has no per-request cost besides that access).

Flag ``seg_max_offered`` (default ``True``: :math:`k = 1`, the previous model
exactly). ``False`` applies on the paths whose guest driver is virtio-blk
(``virtio``, ``virtio_user``, ``vhost_user``); every other path ignores it.

Assumptions and what is left out: every page of the buffer is its own
segment (the upper bound; adjacent pages would merge into one segment);
the parts' notifications (kicks, completion interrupts) are per batch of the
guest's plug, not per part (:mod:`~virtmodel.techniques.split_request_batching`:
the interrupt count is raised by :math:`n_b \\le n_v`; ``split_batch_requests=1``
is this module's first form, one kick and one interrupt per part, an upper
bound); the parts' per-request costs add up in series in
the latency, as the path's stations serve them; the ring's descriptor capacity
(:mod:`~virtmodel.techniques.virtqueue_capacity`, without indirect
descriptors) is not re-counted for the parts; the IOPS count keeps the
application's block requests.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .._params import flag
from ..disk import disk_ops
from .virtqueue_capacity import VIRTQUEUE_PATHS


def parts(nbytes, seg_max, seg_bytes, ceil=sp.ceiling):
    """:math:`k(b) = \\lceil b / (s_{\\max} B_{\\mathrm{seg}}) \\rceil`, virtio requests per block request of
    ``nbytes`` (``ceil``: ``sympy.ceiling`` for symbols, ``numpy.ceil`` for numbers)."""
    return ceil(nbytes / (seg_max * seg_bytes))


def applies(tech) -> bool:
    """True if ``tech``'s device offers no seg_max on a path whose guest driver is virtio-blk."""
    return (not getattr(tech, "seg_max_offered", True)) and getattr(tech, "io_path", None) in VIRTQUEUE_PATHS


def virtio_requests(tech, s, ceil=sp.ceiling):
    """The I/Os the path charges per request for its block requests: :math:`n_d` (:func:`virtmodel.disk.disk_ops`)
    or, when the split :func:`applies`, :math:`n_v` (module formula)."""
    ops = disk_ops(s)
    if not applies(tech):
        return ops.total
    seg = (s.virtio_blk_seg_max, s.guest_segment_bytes, ceil)
    return ops.reads * parts(s.file_read_bytes, *seg) + ops.writes * parts(s.disk_write_bytes, *seg) + ops.flushes


@dataclass(frozen=True)
class VirtioBlkSplit:
    """Mixin: the ``seg_max_offered`` flag, the guest's split of a block request without seg_max (module docstring)."""

    seg_max_offered: bool = flag(True, doc="the virtio-blk device offers VIRTIO_BLK_F_SEG_MAX (True, the previous "
                                           "model; QEMU) or not (False: Cloud Hypervisor before v44.0; the guest "
                                           "sends ceil(b / (seg_max * segment bytes)) virtio requests per block "
                                           "request, each paying the path's per-request costs)",
                                 options=(True, False))


__all__ = ["VirtioBlkSplit", "applies", "parts", "virtio_requests"]
