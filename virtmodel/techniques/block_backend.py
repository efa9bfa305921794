"""A user-space block back-end's I/O engine: asynchronous (the device serves many) or synchronous (one at a time).

On the ``virtio_user`` path (:mod:`~virtmodel.techniques.io_paths`) a user-space
device model serves the VM's virtqueue from one I/O thread (:data:`IOTHREAD`, a
one-server station per VM). How that thread reads and writes the backing file
decides what the disk sees:

* ``block_engine="async"`` (the previous model, the default): the thread submits
  the request (io_uring, Linux AIO, a worker pool) and takes the next one at
  once; it holds only its CPU time :math:`t_{\\mathrm{thr}}` per request and the
  disk serves up to ``disk_servers`` requests of the VM at once. QEMU
  (``aio=threads``/``native``/``io_uring``) and Cloud Hypervisor (io_uring or
  AIO when the host has them) work this way.
* ``block_engine="sync"``: the thread serves a request with a *blocking* system
  call (``seek`` + ``read``/``write``, ``fsync`` for a flush) and takes the
  next only when it returns: every Firecracker before v1.0.0, and Firecracker's
  default ``Sync`` engine since (``firecracker_block_io_engine``; the request's
  ``execute``, later ``SyncFileEngine``: ``firecracker_block_request_src``). The
  thread is then held for the CPU time and the device access in series, so the
  VM's block requests reach the disk one at a time.

Station (sync): the I/O thread stays the one-server M/G/1 station of the
queueing core (:func:`virtmodel.queueing.mgc.mgc_terms` with :math:`c = 1`), its
service per request the serial sum of the thread's CPU work and the disk's whole
service (access and transfer, :func:`virtmodel.disk.service_moments`):

.. math::
    S_{\\mathrm{thr}} = D_{\\mathrm{thr}} + D_{\\mathrm{disk}}, \\qquad
    \\mathrm{Var}(S_{\\mathrm{thr}}) = \\mathrm{Var}(D_{\\mathrm{thr}}) + \\mathrm{Var}(D_{\\mathrm{disk}}),
    \\qquad X_{\\max} \\le \\frac{1}{D_{\\mathrm{thr}} + D_{\\mathrm{disk}}}

per VM (:math:`D_{\\mathrm{disk}} = \\sum_k n_k m_k` over the read misses, writes
and flushes; flash: access plus transfer :math:`b/B_d`), and the VM's requests
no longer load the disk stations (``disk``, ``disk_channel``): the disk sees at
most one request of the VM at a time, so it never queues them. With one
outstanding request (a closed loop of one user, or the open model as
:math:`\\lambda \\to 0`) the mean is the async engine's exactly: the same
service times in series, nothing waits. At depth the thread is the bottleneck:
:math:`1/(t_{\\mathrm{thr}} + S_{\\mathrm{disk}})`.

CPU: the thread is blocked (asleep) during the device access, so that part of
its busy time is not host CPU; the open model's CPU metrics (``host_cores``,
``cpu_per_request``, ...) take it out again (:func:`blocked_cpu_correction`,
through the off-queue work of :mod:`virtmodel.model._storage`): they are the
async engine's.

Flag ``block_engine`` (default ``async``: the previous model exactly). Only a
path whose back-end is the user-space I/O thread (``virtio_user``) has the
choice; every other path ignores it (the in-kernel vhost, the emulated path's
host cores, a VF: no user-space thread that blocks).

Assumptions and what is left out: the thread's CPU work and the disk's service
are independent (their covariance per request, :math:`2 n_d t_{\\mathrm{blk}} m_d`
from the one Poisson count of block requests, is dropped, small while the CPU
part is a few microseconds against a flash access of tens); one VM per disk, or
several whose requests do not queue for each other at the disk: exact for the
access stage of flash while ``vms`` <= ``disk_servers`` (each VM holds at most
one of its servers), while the channel's and a rotating disk's waits for other
VMs' requests are not modelled (optimistic for several VMs on one disk); the
closed model's CPU metrics (``users`` > 0, :mod:`virtmodel.model.closed`, from
the station demands) still count the blocked time as host CPU; the wake-up of
the thread when its blocking call returns is not charged (a per-request
wake-up, :mod:`~virtmodel.techniques.notifications`, only when the thread was
idle); the host's file-system layer under a file-backed disk (the extent
lookup, the bio) has no sourced per-I/O cost here and is not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag
from ..disk import service_moments, stage_moments
from ._base import Load
from .host_page_cache import device_ops
from .io_paths import IOTHREAD, PATHS

#: the block engines of a user-space device model
ENGINES = ("async", "sync")


def blocking_thread(tech):
    """The resource name that holds a block request through its device access: the path's user-space
    I/O thread when ``tech`` uses the ``sync`` engine on a path that has one, else None."""
    if getattr(tech, "block_engine", "async") != "sync":
        return None
    path = PATHS.get(getattr(tech, "io_path", None))
    return IOTHREAD.name if path is not None and path.resource == IOTHREAD.name else None


def disk_loads(tech, s, medium) -> dict:
    """``{station: Load}`` of the disk's service per request (module formula): the disk's stations
    (:func:`virtmodel.disk.stage_moments`) for the async engine; the blocking thread, the whole
    service in one load (:func:`virtmodel.disk.service_moments`), for the sync engine."""
    thread, ops = blocking_thread(tech), device_ops(tech, s)  # what reaches the device (host_page_cache.py)
    if thread is None:
        return {name: Load(*moments) for name, moments in stage_moments(s, medium, ops).items()}
    return {thread: Load(*service_moments(s, medium, ops))}


def blocked_cpu_correction(tech, s, medium) -> dict:
    """``{cpu kind: seconds}`` to add to the CPU metrics: minus the disk time a blocked thread holds
    (not CPU); empty for the async engine."""
    thread = blocking_thread(tech)
    if thread is None:
        return {}
    return {IOTHREAD.cores_of: -service_moments(s, medium, device_ops(tech, s))[0]}


@dataclass(frozen=True)
class BlockBackend:
    """Mixin: the user-space block back-end's I/O engine (module docstring)."""

    block_engine: str = flag("async", doc="block I/O engine of a user-space device model's I/O thread "
                                          "(virtio_user path): async (io_uring/AIO: the thread holds only its CPU "
                                          "time, the disk serves many requests at once; the previous model) or sync "
                                          "(blocking system calls, Firecracker's Sync engine: the thread holds each "
                                          "request through the device access, one at a time)",
                             options=ENGINES)


__all__ = ["ENGINES", "BlockBackend", "blocking_thread", "disk_loads", "blocked_cpu_correction"]
