"""A user-space block back-end that hands each request to a worker-thread pool (QEMU ``aio=threads``).

On the ``virtio_user`` path (:mod:`~virtmodel.techniques.io_paths`) the VMM's
device model takes a block request off the virtqueue in its I/O thread. What
happens next differs between device models, and it is structural (read in the
code of their releases):

* ``block_handoff="none"`` (the previous model, the default): the I/O thread
  issues the request itself and takes its completion in the same thread. Cloud
  Hypervisor v0.8.0 (June 2020): the device's epoll thread runs the request's
  ``execute`` (``seek``, then ``read_exact_from``/``write_all_to`` on the
  file: a blocking call in that thread); from v0.9.0 (August 2020,
  ``block_io_uring.rs``) it submits to io_uring and the completion's eventfd
  is polled by the same epoll thread (``chv_block_src``). QEMU with
  ``aio=native`` or ``aio=io_uring`` likewise submits and reaps in its main
  loop or IOThread.
* ``block_handoff="thread_pool"``: QEMU's default ``aio=threads``
  (``block/file-posix.c``: the AIO mode is ``threads`` unless native AIO is
  asked for; libvirt adds no ``aio=`` unless the domain XML's ``io`` says so).
  ``raw_aio_submit``/``raw_thread_pool_submit`` put the request on the
  AioContext's thread pool (``util/thread-pool.c``): ``thread_pool_submit_aio``
  queues it and posts the pool's semaphore (later a condition variable), which
  wakes an idle worker thread; the worker runs the ``preadv``/``pwritev`` and
  then ``qemu_bh_schedule(completion_bh)``, whose ``aio_notify`` sets the
  AioContext's event notifier (an eventfd) and wakes the main loop (or the
  IOThread), which runs the completion bottom half and notifies the guest
  (``qemu_thread_pool_src``). Each block request thus crosses two thread
  wake-ups in series that the ``none`` layout does not have: the worker's,
  and the I/O thread's for the completion.

Cost (flag ``thread_pool``), per block request on ``virtio_user``: two
scheduler wake-ups of a sleeping thread, each the package's back-end wake-up
:math:`t_{\\mathrm{bwake}}` (``backend_wake_time``,
:mod:`~virtmodel.techniques.notifications`): the worker's on the host's cores
(``host``: the pool's workers are threads of the process the host schedules
on any core), the completion's on the I/O thread (:data:`IOTHREAD`, or the
queue pair's thread):

.. math::
    \\Delta D_{\\mathrm{host}} = n_d\\, t_{\\mathrm{bwake}}, \\qquad
    \\Delta D_{\\mathrm{thr}} = n_d\\, t_{\\mathrm{bwake}}

(:math:`n_d` block requests per request, :mod:`virtmodel.model._storage`).
Both are station loads: host CPU in the CPU metrics, and in series in the
latency (each queues at its station). The flag acts through the technique's
block I/O view (:meth:`BlockHandoff.block_io_view`, which sets the internal
``handoff_io`` to ``block_handoff``), so network I/O on the same path pays
nothing (a virtio-net back-end has no worker pool).

Assumptions and what is left out: every request finds its worker and the I/O
thread asleep, so both wake-ups are paid always (exact at one request in
flight, the case of the rows it was written for; at depth a busy worker takes
the next request without a wake-up and one completion bottom half may drain
several, so the cost is an upper bound there); the worker's wake-up is a
scheduler trip of the same size as a back-end's; the system calls the hand-off
adds (the eventfd write and read, the futex) are inside that trip; the system
call that moves the data is the same in both layouts (in the worker instead of
the I/O thread: moved, not added; the model keeps it on the I/O thread); the
pool's size (64 workers) never binds. Other paths ignore the flag (no
user-space block back-end). The ``wakeups`` flag's wake-up of the I/O thread
on the request's kick is unchanged and separate.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag
from ._base import events
from .io_paths import IOTHREAD
from .offload import io_count

#: flag value -> the device model it stands for (module docstring)
HANDOFFS = {
    "none": "the I/O thread issues and completes each block request itself (Cloud Hypervisor: sync or io_uring "
            "in the queue's epoll thread; QEMU aio=native/io_uring)",
    "thread_pool": "each block request is handed to a worker of a thread pool and completed back in the I/O "
                   "thread (QEMU's default aio=threads): two thread wake-ups per block request",
}

FLAG_DOC = ("how a user-space device model (virtio_user path) runs a block request: none (the I/O thread "
            "issues and completes it itself: Cloud Hypervisor, QEMU aio=native/io_uring; the previous model) or "
            "thread_pool (QEMU's default aio=threads: handed to a pool worker and completed back in the I/O thread, "
            "two thread wake-ups per block request)")


def handoff_loads(tech, s) -> dict:
    """``{resource: Load}`` the hand-off adds per I/O counted on the path (module formula): with
    ``handoff_io="thread_pool"`` on ``virtio_user``, one wake-up on ``host`` and one on the I/O thread;
    otherwise empty. Called with the block I/O view, whose I/O count is raised by :math:`n_d`."""
    if getattr(tech, "handoff_io", "none") != "thread_pool" or getattr(tech, "io_path", None) != "virtio_user":
        return {}
    wake = events(io_count(tech, s, "virtio_user"), s.backend_wake_time)
    return {"host": wake, IOTHREAD.name: wake}


@dataclass(frozen=True)
class BlockHandoff:
    """Mixin: the ``block_handoff`` flag, a user-space block back-end's worker pool (module docstring)."""

    block_handoff: str = flag("none", doc=FLAG_DOC, options=tuple(HANDOFFS))
    handoff_io: str = flag("none", doc="hand-off the virtio_user path charges per I/O: none, or thread_pool "
                                       "(set to block_handoff by the block I/O view; network I/O keeps none)",
                           options=tuple(HANDOFFS))

    def block_io_view(self):
        """A disk block request on ``virtio_user`` pays the ``block_handoff`` device model's hand-off."""
        view = self
        if self.handoff_io != self.block_handoff:
            view = self.replace(handoff_io=self.block_handoff)
        return super(BlockHandoff, view).block_io_view()


__all__ = ["HANDOFFS", "BlockHandoff", "handoff_loads"]
