"""The disk: a second device of the platform, flash or rotating, and its service time.

A platform with ``disk="flash"`` or ``disk="rotating"``
(:class:`~virtmodel.platform.Platform`) has a resource ``disk`` besides the
shared NIC (``device``): one M/G/c station shared by every VM (all their
arrivals), ``disk_servers`` servers for flash (its internal parallelism: the
requests it serves at once) and one for a rotating disk (one actuator).

A flash drive's bandwidth is a ceiling shared by all its internal servers: its
dies work in parallel, but every byte crosses the one controller-to-host link
(the PCIe lanes and the controller's channel), which moves data at
``disk_bandwidth`` :math:`B_d` in aggregate (3.5 GB/s sequential read for the
Samsung 970 EVO Plus the presets quote, whatever the queue depth). So flash is
a tandem of two shared stations: ``disk`` (``disk_servers`` servers) does the
access part of each operation (the medium's read, the write into the drive's
cache, the flush) and ``disk_channel`` (one server) the transfer :math:`b/B_d`.
At low load a request still takes :math:`t + b/B_d`; at depth the drive does
at most :math:`c/t` operations and :math:`B_d` bytes per second (today's
single station let :math:`c` transfers run at once: :math:`c B_d` in aggregate).
A rotating disk keeps its one station (one actuator, one head: the transfer is
already serial), so its formula is unchanged.

The channel is structural (on in the reported model, no flag): a drive's
bandwidth ceiling is a physical fact of its interface, stated on its data sheet,
and it applies to every platform with a flash disk, so to every validation
recipe with ``disk="flash"`` (their recipes are unchanged). Its parameter is the
existing ``disk_bandwidth`` (the data sheet's sequential read rate); the access
times and ``disk_servers`` are the existing ones (QD1 latency; 600K IOPS at
depth x the QD1 time, Little's law), so the operation ceiling
:math:`c/t_{\\mathrm{rd}}` = 640K 4 KiB reads/s sits next to the quoted 600K.

Per request the workload (:class:`~virtmodel.workload.Workload`) sends the disk

.. math::
    n_r = n_{\\mathrm{rd}} (1 - h), \\qquad n_w = n_{\\mathrm{wr}}, \\qquad n_f = n_{\\mathrm{fl}}

reads (only the page cache's misses), writes and flushes, each a random number
of operations of index of dispersion :math:`\\kappa_n` (the workload's ``count_dispersion``: 1 a Poisson
number, the default; 0 exactly that many). One operation's service time:

======================  ==========================================  =====================================
operation               flash                                       rotating
======================  ==========================================  =====================================
read                    :math:`t_{\\mathrm{rd}} + b_r/B_d`             :math:`t_{\\mathrm{rd}} + T_s + U + b_r/B_d`
write                   :math:`t_{\\mathrm{wr}} + b_w/B_d`             :math:`t_{\\mathrm{wr}} + T_s + U + b_w/B_d`
flush                   :math:`t_{\\mathrm{fl}}`                       :math:`t_{\\mathrm{fl}}`
======================  ==========================================  =====================================

(flash: the fixed times on ``disk``, the transfers :math:`b/B_d` on
``disk_channel``; rotating: all on ``disk``) with
:math:`t_{\\mathrm{rd}}, t_{\\mathrm{wr}}` the access times (flash:
the medium's read and the write into the drive's cache; rotating: the
command overhead), each of SCV ``disk_access_scv`` (0, constant, by default), :math:`T_s` the seek (mean ``disk_seek_time``, SCV
``disk_seek_scv``) and :math:`U` the rotational delay, uniform on
:math:`[0, T_{\\mathrm{rot}}]` (mean :math:`T_{\\mathrm{rot}}/2`, variance
:math:`T_{\\mathrm{rot}}^2/12`). The disk's load per request is the compound
sum (compound Poisson at :math:`\\kappa_n = 1`)

.. math::
    E[D_{\\mathrm{disk}}] = \\sum_k n_k m_k, \\qquad
    \\mathrm{Var}(D_{\\mathrm{disk}}) = \\sum_k n_k (\\kappa_n m_k^2 + v_k)

(:math:`m_k, v_k` the mean and variance of one operation of kind :math:`k`),
taken for each station over the parts of the operations it serves
(:func:`stage_moments`): for flash
:math:`E[D_{\\mathrm{disk}}] = n_r t_{\\mathrm{rd}} + n_w t_{\\mathrm{wr}} + n_f t_{\\mathrm{fl}}`
and :math:`E[D_{\\mathrm{channel}}] = (n_r b_r + n_w b_w)/B_d`, so the drive's
limits are :math:`c/E[D_{\\mathrm{disk}}]` requests per second (IOPS) and
:math:`1/E[D_{\\mathrm{channel}}]` (bandwidth). Limits: :math:`B_d \\to \\infty`
(or tiny transfers) empties the channel and leaves the access station of the
single-station model, exactly; a rotating disk is the single station.

Assumptions: every disk operation is on the request's path (synchronous: a read
miss, a synchronous write, a flush; background write-back is not modelled); the
seek and the rotational delay are independent of each other and of the queue
(random placement, FCFS, no elevator scheduling); flash: a request's accesses
all run on one internal server and then its transfers on the channel, each
station FCFS (the model's decomposition: the channel's arrivals taken as
Poisson), the channel the same rate for reads and writes (the data sheet's
read rate; its sequential write is 6% lower, ``storage.flash.sequential_write``);
with ``disk_servers = 1`` flash is still the tandem, so one request's transfer
overlaps the next one's access (at low load the same :math:`t + b/B_d`); a flush occupies the disk for
``disk_flush_time`` (the drive writes its cache out: milliseconds on drives
without power-loss protection, tens of microseconds with it,
``published_storage.json``). The CPU each technique spends per disk operation is
its per-I/O cost (:mod:`virtmodel.model._storage`).

Named disks (:data:`DISKS`, figures from ``virtmodel/data/published_storage.json``):
``with_disk(platform, "hdd_7200")``.

>>> from virtmodel.platform import Platform
>>> [r.name for r in Platform(disk="flash").resources()]
['guest', 'host', 'device', 'card', 'disk', 'disk_channel']
>>> [r.name for r in Platform(disk="rotating").resources()]
['guest', 'host', 'device', 'card', 'disk']
"""

from __future__ import annotations

from dataclasses import dataclass

from ._validate import all_zero, choice
from .errors import ParameterError
from .resources import Resource

#: the disk choices of a platform ("none": no disk, the first model's one device)
MEDIA = ("none", "flash", "rotating")
#: workload counts that send work to the disk (all 0: no storage)
STORAGE_COUNTS = ("file_reads", "disk_writes", "disk_flushes")


@dataclass(frozen=True)
class Disk(Resource):
    """The disk resource; ``medium`` ("flash" or "rotating") selects its service-time formula."""

    medium: str = "flash"

    def __post_init__(self):
        super().__post_init__()
        choice("medium", self.medium, MEDIA[1:])


def disk_resource(medium: str) -> Disk:
    """The platform's disk: ``disk_servers`` servers for flash, one (the actuator) for a rotating disk."""
    servers = "disk_servers" if medium == "flash" else 1
    return Disk("disk", servers, shared=True, description=f"the {medium} disk", cores_of=None, medium=medium)


#: the flash drive's shared transfer stage: one server moving every operation's bytes at ``disk_bandwidth``
CHANNEL = Resource("disk_channel", 1, shared=True, cores_of=None,
                   description="the flash disk's channel: its interface bandwidth, shared by its servers")


def disk_resources(medium: str) -> tuple:
    """The platform's disk stations: flash ``(disk, disk_channel)`` (access, then the shared transfer),
    rotating ``(disk,)``."""
    return (disk_resource(medium), CHANNEL) if medium == "flash" else (disk_resource(medium),)


@dataclass(frozen=True)
class DiskOps:
    """Disk operations per request: read misses, writes, flushes (expressions)."""

    reads: object
    writes: object
    flushes: object

    @property
    def total(self):
        """Block requests per request, :math:`n_r + n_w + n_f` (each pays the technique's per-I/O cost)."""
        return self.reads + self.writes + self.flushes


def disk_ops(s) -> DiskOps:
    """:math:`n_r = n_{\\mathrm{rd}}(1-h)`, :math:`n_w`, :math:`n_f` from the workload's symbols (or numbers)."""
    return DiskOps(s.file_reads * (1 - s.page_cache_hit_ratio), s.disk_writes, s.disk_flushes)


def positioning(s, medium):
    """Mean and variance of a rotating disk's seek plus rotational delay (0, 0 for flash).

    .. math:: m = T_s + T_{\\mathrm{rot}}/2, \\qquad v = c^2_s T_s^2 + T_{\\mathrm{rot}}^2/12
    """
    if medium == "flash":
        return 0, 0
    return (s.disk_seek_time + s.disk_rotation_time / 2,
            s.disk_seek_scv * s.disk_seek_time**2 + s.disk_rotation_time**2 / 12)


def _compound(kinds, dispersion) -> tuple:
    """``(mean, variance)`` of a compound sum whose counts have index of dispersion :math:`\\kappa_n`:
    :math:`\\sum n_k m_k`, :math:`\\sum n_k (\\kappa_n m_k^2 + v_k)` (:math:`\\kappa_n = 1`: compound Poisson)."""
    return sum(n * m for n, m, _ in kinds), sum(n * (dispersion * m**2 + v) for n, m, v in kinds)


def _operations(s, medium, access=True, transfer=True, ops=None) -> tuple:
    """``(count, mean, variance)`` of each operation kind, with its access and/or transfer part: the fixed
    access time of SCV ``disk_access_scv`` (0: constant), the positioning's variance, the transfer constant.
    ``ops``: the operations that reach the device (default :func:`disk_ops`; fewer under a host page cache,
    :mod:`virtmodel.techniques.host_page_cache`)."""
    ops = disk_ops(s) if ops is None else ops
    pos_mean, pos_var = positioning(s, medium) if access else (0, 0)
    a, x = int(access), int(transfer)
    spread = a * s.disk_access_scv
    return ((ops.reads, a * (s.disk_read_latency + pos_mean) + x * s.file_read_bytes / s.disk_bandwidth,
             pos_var + spread * s.disk_read_latency**2),
            (ops.writes, a * (s.disk_write_latency + pos_mean) + x * s.disk_write_bytes / s.disk_bandwidth,
             pos_var + spread * s.disk_write_latency**2),
            (ops.flushes, a * s.disk_flush_time, spread * s.disk_flush_time**2))


def service_moments(s, medium, ops=None) -> tuple:
    """A request's whole disk time, access and transfer, ``(mean, variance)`` (module formula): a
    rotating disk's one station; for flash the sum of its two stations' loads (:func:`stage_moments`).
    ``ops``: as :func:`_operations`."""
    return _compound(_operations(s, medium, ops=ops), s.count_dispersion)


def stage_moments(s, medium, ops=None) -> dict:
    """``{station: (mean, variance)}`` per request: flash ``disk`` the accesses and ``disk_channel`` the
    transfers :math:`b/B_d`; rotating ``disk`` everything (module formula). ``ops``: as :func:`_operations`."""
    if medium != "flash":
        return {"disk": service_moments(s, medium, ops)}
    return {"disk": _compound(_operations(s, medium, transfer=False, ops=ops), s.count_dispersion),
            CHANNEL.name: _compound(_operations(s, medium, access=False, ops=ops), s.count_dispersion)}


def check_storage(platform, values: dict) -> None:
    """A workload that uses the disk needs a platform with one (ParameterError naming the count)."""
    if platform.disk == "none":
        all_zero(STORAGE_COUNTS, values, "0 on a platform without a disk",
                 "give the platform a disk: Platform(disk='flash') or virtmodel.disk.with_disk(platform, 'nvme_flash')")


@dataclass(frozen=True)
class NamedDisk:
    """A disk model with published figures: its medium and the platform fields it sets."""

    name: str
    medium: str
    fields: dict
    source: str
    description: str


#: named disks (figures and their sources: ``virtmodel/data/published_storage.json``)
DISKS = {d.name: d for d in (
    NamedDisk("nvme_flash", "flash",
              dict(disk_read_latency=50e-6, disk_write_latency=16e-6, disk_flush_time=50e-6,
                   disk_bandwidth=3.5e9, disk_servers=32),
              "samsung970_spec; engineered_plp_fsync",
              "NVMe flash: 4 KiB read at QD1 ~19K IOPS (~50 us), write ~60K IOPS (~16 us), 3.5 GB/s, "
              "~600K read IOPS at depth (32 in flight); flush with power-loss protection ~tens of us"),
    NamedDisk("consumer_flash", "flash",
              dict(disk_read_latency=50e-6, disk_write_latency=16e-6, disk_flush_time=3.5e-3,
                   disk_bandwidth=3.5e9, disk_servers=32),
              "samsung970_spec; percona_fsync2018",
              "the same NVMe flash without power-loss protection: fsync ~3.5 ms (Samsung 960 Pro, ~300/s)"),
    NamedDisk("hdd_7200", "rotating",
              dict(disk_read_latency=0.0, disk_write_latency=0.0, disk_seek_time=8.2e-3, disk_seek_scv=0.25,
                   disk_rotation_time=60 / 7200, disk_flush_time=60 / 7200, disk_bandwidth=150e6),
              "hgst_7k4000_spec",
              "7200 rpm disk: average seek 8.2 ms (read and write), 8.33 ms per revolution; "
              "a flush taken as one revolution (assumption); 150 MB/s media rate (assumption)"),
    NamedDisk("hdd_15k", "rotating",
              dict(disk_read_latency=0.0, disk_write_latency=0.0, disk_seek_time=2.9e-3, disk_seek_scv=0.25,
                   disk_rotation_time=60 / 15000, disk_flush_time=60 / 15000, disk_bandwidth=200e6),
              "hgst_c15k600_spec",
              "15000 rpm disk: average read seek 2.9 ms, 4 ms per revolution; flush one revolution "
              "(assumption); 200 MB/s (assumption)"),
)}


def with_disk(platform, name: str):
    """``platform`` with the named disk of :data:`DISKS` (its medium and figures)."""
    if not isinstance(name, str) or name not in DISKS:
        raise ParameterError("disk", name, "one of " + ", ".join(DISKS))
    d = DISKS[name]
    return platform.replace(disk=d.medium, **d.fields)


__all__ = ["MEDIA", "STORAGE_COUNTS", "Disk", "disk_resource", "CHANNEL", "disk_resources", "DiskOps",
           "disk_ops", "positioning", "service_moments", "stage_moments", "check_storage", "NamedDisk", "DISKS", "with_disk"]
