"""The storage path of any technique: a disk operation is an I/O (one rule, no per-technique code).

On a platform with a disk (:mod:`virtmodel.disk`) a request sends the disk
:math:`n_d = n_r + n_w + n_f` block requests (read misses, writes, flushes).
Each is an I/O of the technique's own path, so the technique charges for it
exactly what it charges per network I/O: its ``demands(s)`` are taken with the
I/O counts it names in ``Technique.block_io_counts`` (by default ``io_ops``
and ``io_interrupts``: one submission and one completion interrupt per block
request) raised by :math:`n_d`,

.. math::
    D_k' = D_k\\big|_{n_{\\mathrm{io}} \\to n_{\\mathrm{io}} + n_d,\\;
                     n_{\\mathrm{ioirq}} \\to n_{\\mathrm{ioirq}} + n_d}
    \\quad (k \\ne \\text{device}),

so an emulated disk pays its traps to the user-space device model, virtio its
kicks and the back-end's host time, a split driver its ring, hypercalls and
back-end, an assigned function its IOMMU work, the offload card its time, and
the wake-up terms (:mod:`virtmodel.techniques.notifications`) see the vCPU's and
back-end's whole load. The NIC (``device``) and its pipelined latency keep the
network's counts; the disk's stations get the disk's service
(:func:`virtmodel.disk.stage_moments`: a flash drive's accesses on ``disk``, its
transfers on the shared ``disk_channel``; a rotating disk's all on ``disk``), or, with a synchronous
user-space block back-end (``block_engine="sync"``), the I/O thread that blocks through each access
(:mod:`virtmodel.techniques.block_backend`: that time is then taken out of the CPU metrics). Native pays no extra CPU per block
request (its ``cpu_time`` includes its driver), so the disk station is native's
too and ``overhead`` compares like with like.

Assumptions: a block request costs the CPU what a packet costs on the same
path (the submission path is the same virtqueue, ring or VF; payload copies are
not in any technique's per-I/O cost); the technique's ``io_path`` serves both
devices. A technique whose per-I/O costs belong to its network only (a
container's veth and NAT) declares ``block_io_counts = ()``: its disk I/O then
costs what it costs natively. A technique whose network path has per-packet
costs that block I/O does not take (a software switch) returns a view without
them from ``Technique.block_io_view()``; the block requests then add that view's
increase, :math:`D_k + (D^{v}_k|_{n \to n + n_d} - D^{v}_k)` (exact while the
demands are linear in the counts; with wake-ups on, the view's fixed point stands
for the technique's); a resource that only the view loads (a block back-end's worker
pool on the host's cores, :mod:`virtmodel.techniques.block_handoff`) gets that increase
from :math:`D_k = 0`. A virtio-blk device without ``seg_max`` raises the counts by the
virtio requests :math:`n_v \\ge n_d` the guest splits the block requests into
(:mod:`virtmodel.techniques.virtio_blk_split`); the disk's stations keep :math:`n_d`. The parts
share their notifications: the interrupt count (and, through the block I/O view, the kicks) is raised
by the notification batches :math:`n_d \\le n_b \\le n_v` instead
(:mod:`virtmodel.techniques.split_request_batching`). Under a host page cache (a technique's
``host_cache="writeback"`` or ``"writethrough"`` on a file-backed disk image) every block request still pays
the path's per-I/O cost, the back-end pays a buffered read or write per block request, and the disk's stations
get only the operations that reach the device (:mod:`virtmodel.techniques.host_page_cache`).
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from ..disk import Disk
from ..techniques._base import Demands, Load
from ..techniques.block_backend import blocked_cpu_correction, disk_loads
from ..techniques.host_page_cache import buffered_loads
from ..techniques.split_request_batching import notification_requests
from ..techniques.virtio_blk_split import virtio_requests


def disk_of(resources):
    """The platform's :class:`~virtmodel.disk.Disk` resource, or None."""
    return next((r for r in resources if isinstance(r, Disk)), None)


def io_substitution(technique, s) -> dict:
    """``{count symbol: count + n_d}`` for the I/O counts the technique charges per block request. When the
    guest splits them (:mod:`virtmodel.techniques.virtio_blk_split`) the I/Os are the :math:`n_v` virtio
    requests and the interrupts their :math:`n_b` notification batches
    (:mod:`virtmodel.techniques.split_request_batching`)."""
    raised_by = {"io_ops": virtio_requests(technique, s), "io_interrupts": notification_requests(technique, s)}
    return {getattr(s, name): getattr(s, name) + raised_by[name] for name in technique.block_io_counts}


def substituted(expr, sub: dict):
    """``expr`` with the I/O counts raised (numbers and expressions)."""
    return _xreplaced(sp.sympify(expr), tuple(sub.items())) if sub else expr


@lru_cache(maxsize=4096)
def _xreplaced(expr, items: tuple):
    """``expr.xreplace(dict(items))``, once per expression and substitution: rebuilding a ``Max`` or
    ``Min`` (a clamp, a segment count) makes SymPy compare its arguments again, and models whose
    structures differ elsewhere raise the same demands the same way."""
    return expr.xreplace(dict(items))


def raised(net, sub: dict, block=None):
    """``net`` with the block requests' I/O added: ``net`` with the counts raised, or, when the
    technique's block I/O takes another view (``block``, the same term of
    ``Technique.block_io_view()``), ``net`` plus that view's increase."""
    if block is None:
        return substituted(net, sub)
    return net + substituted(block, sub) - block


def with_storage(demands: Demands, technique, s, disk: Disk, block: Demands = None) -> Demands:
    """The technique's demands with its disk I/O charged and the disk station loaded (module formula).

    ``block``: the demands of ``technique.block_io_view()`` when it is not the technique itself.
    """
    sub = io_substitution(technique, s)
    loads = {}
    extra = {} if block is None else {n: Load() for n in block.loads if n not in demands.loads}
    for name, load in {**demands.loads, **extra}.items():  # a resource only the view loads: its increase
        if name == "device":
            loads[name] = load
            continue
        other = None if block is None else block.loads.get(name, Load())
        loads[name] = Load(raised(load.mean, sub, None if other is None else other.mean),
                           raised(load.var, sub, None if other is None else other.var))
    for part in (disk_loads(technique, s, disk.medium), buffered_loads(technique, s)):  # block_backend.py,
        for name, load in part.items():  # host_page_cache.py (a host cache's buffered reads and writes)
            loads[name] = loads[name] + load if name in loads else load
    network_delay = s.io_ops * s.device_latency  # the NIC's pipelined latency keeps the network's count
    delay = network_delay + raised(demands.delay - network_delay, sub,
                                   None if block is None else block.delay - network_delay)
    return Demands(loads.pop("guest"), delay, **loads)


def storage_terms(technique, s, disk: Disk, demands: Demands, off_queue: dict, polling):
    """``(demands, off_queue, polling)`` of ``technique`` with its block requests charged (for the model)."""
    view = technique.block_io_view()
    sub = io_substitution(technique, s)
    blocked = blocked_cpu_correction(technique, s, disk.medium)  # a blocked thread's disk time is not CPU
    if view == technique:
        off = {k: raised(v, sub) for k, v in off_queue.items()}
        return with_storage(demands, technique, s, disk), _plus(off, blocked), raised(polling, sub)
    block_off = view.off_queue_work(s) if hasattr(view, "off_queue_work") else {}
    block_poll = view.polling_host_cores(s) if hasattr(view, "polling_host_cores") else 0
    off = {k: raised(v, sub, block_off.get(k, 0)) for k, v in off_queue.items()}
    return (with_storage(demands, technique, s, disk, view.demands(s)), _plus(off, blocked),
            raised(polling, sub, block_poll))


def _plus(work: dict, more: dict) -> dict:
    """``work`` with ``more`` added per CPU kind (the same dict when ``more`` is empty)."""
    return {**work, **{k: work.get(k, 0) + v for k, v in more.items()}} if more else work


__all__ = ["disk_of", "io_substitution", "substituted", "raised", "with_storage", "storage_terms"]
