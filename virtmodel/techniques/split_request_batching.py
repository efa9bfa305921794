"""The parts of a split block request share their notifications: one kick and one interrupt per batch.

Without ``VIRTIO_BLK_F_SEG_MAX`` the guest splits a block request of :math:`b`
bytes into :math:`k(b)` one-segment virtio requests
(:mod:`~virtmodel.techniques.virtio_blk_split`). The parts are not notified one by
one. What the sources read say (code read in the stored copies; the guest of the
rows this was written for runs the Ubuntu 22.04 cloud image, Linux 5.15):

* Linux ``block/blk-mq.c`` (``linux_blk_mq_plug``): a task's bios submitted under a
  plug (``blk_start_plug``: the iomap direct-I/O path of a file system, the block
  device's asynchronous direct I/O) become requests held on the plug's list, and
  ``blk_add_rq_to_plug`` (``blk_mq_submit_bio`` before 5.16) flushes the list when it
  holds ``blk_plug_max_rq_count(plug)`` requests: ``BLK_MAX_REQUEST_COUNT`` = 16 for a
  plug on one queue up to Linux 5.15 (``include/linux/blkdev.h``; 32 from 5.16,
  doubled for a plug spanning several queues), or at ``blk_finish_plug``. The split of
  a bio (``__blk_queue_split`` / ``bio_split_to_limits``) hands each part to
  ``blk_mq_submit_bio`` inside the same plug, so the :math:`k` parts reach the driver
  in flushes of at most :math:`B` = 16 requests.
* Linux ``drivers/block/virtio_blk.c`` (``linux_virtio_blk_kick``): ``virtio_queue_rq``
  adds each request to the ring and kicks only when ``bd->last`` is set
  (``if (bd->last && virtqueue_kick_prepare(vq)) notify = true``), i.e. once per list
  the block layer dispatches (blk-mq's ``bd->last`` since Linux 3.19; the
  ``commit_rqs`` hook, which kicks when a list ends early, since 5.0;
  ``virtio_queue_rqs``, a whole plugged list per call, since 5.19: these versions from
  memory, the ``bd->last`` test read). The completion handler ``virtblk_done`` drains
  every used buffer per interrupt (``virtqueue_get_buf`` in a loop).
* Cloud Hypervisor v26.0 ``virtio-devices/src/block.rs`` (``chv_block_src``): on a
  queue event the device's epoll thread reads the queue's eventfd once and
  ``process_queue_submit`` pops *every* available descriptor chain (``while let
  Some(..) = queue.pop_descriptor_chain``), submitting each to io_uring
  (``block_util/src/raw_async.rs``: one ``submit`` per request); on a completion event
  it reads the io_uring's eventfd once, ``process_queue_complete`` takes every
  completed entry (``disk_image.complete()``), adds each to the used ring, and
  ``signal_used_queue`` triggers the guest's interrupt *once* per pass. The v26 block
  device offers no ``VIRTIO_RING_F_EVENT_IDX`` (only its net device does): no further
  suppression, so every kick the guest makes is an exit.

So a block request of :math:`k` parts costs the notifications of
:math:`m(k) = \\lceil k / B \\rceil` batches, not of :math:`k` requests:

.. math::
    n_b = n_r \\Big\\lceil \\frac{k(b_r)}{B} \\Big\\rceil + n_w \\Big\\lceil \\frac{k(b_w)}{B} \\Big\\rceil + n_f,
    \\qquad n_d \\le n_b \\le n_v

(:func:`notification_requests`; :math:`n_v` the virtio requests, :math:`n_d` the
block requests, :math:`B` = ``split_batch_requests``). The storage rule
(:mod:`virtmodel.model._storage`) raises the I/O count ``io_ops`` by :math:`n_v` (the
per-descriptor work: the back-end's per-request time and system calls on the I/O
thread or vhost worker, a thread pool's hand-off per request) and the interrupt count
``io_interrupts`` by :math:`n_b` (one completion interrupt per batch: its exits, the
interrupt-window and wake-up terms of :mod:`~virtmodel.techniques.notifications` built
on it); the guest's kicks (:math:`x_{\\mathrm{pv}}` exits each) are counted on the
notifications too: the block I/O view (:meth:`SplitRequestBatching.block_io_view`) sets
``kick_count="io_interrupts"``, so :func:`~virtmodel.techniques.io_paths.path_loads`
charges :math:`n_b` kicks instead of :math:`n_v`. The vCPU's and the back-end's
wake-ups are per request in the model already (:mod:`~virtmodel.techniques.notifications`),
unchanged. Per request, against oneseg's per-part charge:

.. math::
    \\Delta D_{\\mathrm{guest}} = -(n_v - n_b)\\,(x_{\\mathrm{pv}} + k_{\\mathrm{irq}})\\, t_x
    \\quad (\\texttt{wakeups="off"}), \\qquad \\Delta D_{\\mathrm{back}} = 0.

Limits: :math:`k = 1` (a device with ``seg_max``, or any request within one segment):
:math:`n_b = n_v = n_d`, the previous model exactly; :math:`B = 1`: :math:`n_b = n_v`,
oneseg's per-part notifications (its declared upper bound); :math:`B \\ge k`: one kick and
one interrupt per block request (the lower bound).

Assumptions and what is left out: the parts are submitted under one plug (a direct
I/O through a file system or asynchronous direct I/O; a synchronous direct read of a
raw block device, ``__blkdev_direct_IO_simple``, takes no plug and is batched only by
the dispatch's timing); one completion interrupt per submitted batch (the device's
completion pass sees the batch's completions together; a pass that finds only part of
a batch signals more often, a pass that finds two batches less); the ring's capacity
(three descriptors per one-segment request, no indirect descriptors in v26: a 128-entry
ring holds 42) is not re-counted (a full ring stops the queue until completions free
it, restarting with another kick); the I/O thread's :math:`k_{\\mathrm{usys}}` system
calls stay per part (its source gives a total per I/O, not which calls: in v26 the
io_uring submission is per part, the eventfd reads and the interrupt's write per pass,
so the per-part charge is an upper bound); the guest block layer's and driver's own
work per part is not modelled (the workload's ``cpu_time`` holds one request's).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .._params import flag, param
from ..disk import disk_ops
from .virtio_blk_split import applies, parts

#: the counts a virtio path's kicks may be charged on (flag ``kick_count``)
KICK_COUNTS = ("io_ops", "io_interrupts")


def batches(k, per_batch, ceil=sp.ceiling):
    """:math:`m(k) = \\lceil k / B \\rceil`, notification batches of a block request of ``k`` parts
    (``ceil``: ``sympy.ceiling`` for symbols, ``numpy.ceil`` for numbers)."""
    return ceil(k / per_batch)


def notification_requests(tech, s, ceil=sp.ceiling):
    """The notifications (kicks, completion interrupts) the path pays per request for its block
    requests: :math:`n_d` (:func:`virtmodel.disk.disk_ops`), or :math:`n_b` when the split
    :func:`~virtmodel.techniques.virtio_blk_split.applies` (module formula)."""
    ops = disk_ops(s)
    if not applies(tech):
        return ops.total
    seg = (s.virtio_blk_seg_max, s.guest_segment_bytes, ceil)
    per = (s.split_batch_requests, ceil)
    return (ops.reads * batches(parts(s.file_read_bytes, *seg), *per)
            + ops.writes * batches(parts(s.disk_write_bytes, *seg), *per) + ops.flushes)


def kicks_counted(tech, s, n_io):
    """The count ``tech``'s kicks are charged on: ``n_io`` (one kick per I/O), or the interrupts'
    count in a split request's block I/O view (``kick_count="io_interrupts"``: one per batch)."""
    return s.io_interrupts if getattr(tech, "kick_count", "io_ops") == "io_interrupts" else n_io


@dataclass(frozen=True)
class SplitRequestBatching:
    """Mixin: a split block request's parts notified per batch (module docstring). Put it before
    the bases whose ``block_io_view`` ends the chain (the host switch's)."""

    split_batch_requests: float = param(
        16, unit="count", source="linux_blk_mq_plug", domain="count", latex=r"B_{\mathrm{plug}}",
        doc="requests per notification batch of a split block request (seg_max_offered=False): the guest's "
            "plug flushes at BLK_MAX_REQUEST_COUNT = 16 requests (Linux up to 5.15; 32 from 5.16), the driver "
            "kicks once per flushed list and the device signals once per completion pass; 1 = one kick and "
            "one interrupt per part")
    kick_count: str = flag("io_ops", doc="the count a virtio path's kicks are charged on: io_ops (one per I/O) "
                                         "or io_interrupts (one per notification batch; set by the block I/O "
                                         "view of a split block request)", options=KICK_COUNTS)

    def block_io_view(self):
        """A split block request's kicks are its notification batches' (``kick_count="io_interrupts"``)."""
        view = self
        if applies(self) and self.kick_count != "io_interrupts":
            view = self.replace(kick_count="io_interrupts")
        return super(SplitRequestBatching, view).block_io_view()


__all__ = ["KICK_COUNTS", "SplitRequestBatching", "batches", "kicks_counted", "notification_requests"]
