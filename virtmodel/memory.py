"""The host's memory bandwidth as a resource every CPU shares (``Platform(memory="dram")``).

A request moves ``memory_bytes`` between the DRAM and the CPUs beyond what the
caches hold (a memory copy, a streaming kernel, a scan). On a platform with
``memory="dram"`` those bytes queue at one station, ``memory``, that moves
``memory_bandwidth`` bytes per second for every VM on the host (its arrivals
are :math:`V\\lambda`, as the device's):

.. math:: D_{\\mathrm{mem}} = \\frac{b_{\\mathrm{mem}}}{B_{\\mathrm{mem}}},\\qquad
          \\mathrm{Var}(S_{\\mathrm{mem}}) = \\kappa_n\\,\\frac{b_{\\mathrm{mem}}}{\\ell}
          \\Big(\\frac{\\ell}{B_{\\mathrm{mem}}}\\Big)^2

with :math:`\\ell` = 64 B, a cache line: the transfer is a count of line fills of
:math:`\\ell / B_{\\mathrm{mem}}` each, compound Poisson with the workload's
``count_dispersion`` :math:`\\kappa_n` (:func:`virtmodel.techniques.events`), so
a request's transfer time is all but constant. The station's throughput limit is
:math:`B_{\\mathrm{mem}} / (V b_{\\mathrm{mem}})` per VM.

What a technique changes here: nothing. Guest-physical memory is host memory;
no hypervisor sits on the load and store path of a VM under hardware assist, a
paravirtual guest or a container, so the same bytes cross the same channels on
every technique and on bare metal (:class:`~virtmodel.techniques.Native`). What
a technique adds to a memory-bound request is CPU work (a nested page walk per
TLB miss, ``tlb_misses``), which lands on the vCPUs as before; while the memory
station binds, a memory-bound request's throughput is the same on every
technique, and its VMs share the bandwidth (several VMs at once: each gets
:math:`1/V` of it, a noisy neighbour on the memory bus).

The station shares its bandwidth among the requests streaming at once
(processor sharing, :mod:`virtmodel.queueing.ps_terms`): a request of
:math:`b` bytes takes :math:`(b/B)/(1-\\rho)` on average whatever the others
move, so a small request is not queued behind a large one (as first come
first served would have it). Assumptions: one pool of bandwidth for the host
(no NUMA nodes, no per-channel queues); the page walks' own memory traffic is
not counted; the sharing is egalitarian (a real memory controller interleaves
cache-line requests from the cores); the response-time variance is the
two-moment approximation of :mod:`virtmodel.queueing.ps_terms`.
``memory="none"`` (the default) is the first model: memory traffic does not
queue.
"""

from __future__ import annotations

from ._validate import all_zero
from .resources import Resource

#: the memory choices of a platform ("none": memory traffic does not queue, the first model)
MEMORY_KINDS = ("none", "dram")
#: bytes per line fill (the granule of the transfer's count)
CACHE_LINE_BYTES = 64
#: workload values that send work to the memory station (0: none)
MEMORY_COUNTS = ("memory_bytes",)

#: the station: one pool of bandwidth, every VM's requests reach it
MEMORY = Resource("memory", 1, shared=True, cores_of=None, discipline="ps",
                  description="the host's memory bandwidth, shared by every CPU")


def memory_resources(kind: str) -> tuple:
    """The platform's memory station: ``(MEMORY,)`` for ``"dram"``, none for ``"none"``."""
    return () if kind == "none" else (MEMORY,)


def has_memory(resources) -> bool:
    """Whether a model's resources include the memory station."""
    return any(r.name == MEMORY.name for r in resources)


def check_memory(platform, values: dict) -> None:
    """A workload that moves memory past the caches needs a platform whose memory is a station
    (ParameterError naming ``memory_bytes``; on ``memory="none"`` the bytes would be ignored)."""
    if platform.memory == "none":
        all_zero(MEMORY_COUNTS, values, "0 on a platform whose memory is not a station (memory='none')",
                 "give the platform its memory: Platform(memory='dram', memory_bandwidth=...)")


def memory_load(s):
    """The memory station's :class:`~virtmodel.techniques.Load` per request (module formula);
    ``s``: the model's symbols (``memory_bytes``, ``memory_bandwidth``)."""
    from .techniques import events

    line_time = CACHE_LINE_BYTES / s.memory_bandwidth
    return events(s.memory_bytes / CACHE_LINE_BYTES, line_time)


__all__ = ["MEMORY_KINDS", "MEMORY", "CACHE_LINE_BYTES", "MEMORY_COUNTS", "memory_resources", "has_memory",
           "check_memory", "memory_load"]
