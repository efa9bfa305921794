"""A container's root file system shared into the VM over virtio-9p (Kata Containers 1.x): flag ``shared_fs``.

With Docker's ``overlay2`` storage driver, Kata Containers 1.x does not hand the
guest a block device: the runtime shares the container's root file system (a
directory of the host) into the VM through QEMU's virtio-9p device, and the
agent mounts it in the guest with ``trans=virtio,version=9p2000.L,cache=mmap``
(``sharedDir9pOptions`` in the runtime's ``virtcontainers/kata_agent.go``,
``kata_runtime_9p_options``). Every file system call that reaches the mount
becomes 9p requests, each a round trip to the host. Read in the sources (facts
only):

* the guest's client (Linux ``fs/9p``, ``linux_v9fs``; the 4.x kernels of Kata
  1.x): with ``cache=mmap`` the mount takes the uncached dentry operations (the
  cached ones only for ``loose`` and ``fscache``, ``v9fs_mount``), whose
  ``d_delete`` is ``always_delete_dentry``: a dentry is freed as soon as nothing
  holds it, and its release clunks the fid it held (``v9fs_dentry_release``:
  ``Tclunk``). A lookup that misses the dentry cache walks one name
  (``v9fs_vfs_lookup``: ``Twalk``) and fetches the new inode's attributes
  (``v9fs_get_new_inode_from_fid``: ``Tgetattr``); ``stat`` and ``fstat``
  fetch them again (``v9fs_vfs_getattr_dotl``: ``Tgetattr``; only ``loose`` and
  ``fscache`` answer from the inode); ``open`` clones the dentry's fid and opens
  it (``v9fs_file_open``: ``Twalk`` + ``Tlopen``); a read goes to the server
  (``Tread``, no page cache); closing the file clunks its fid. Each request
  waits for its reply (``p9_client_rpc``): the calling thread sleeps until the
  completion interrupt wakes it;
* the server (QEMU ``hw/9pfs``, ``qemu_9pfs``): ``handle_9p_output`` pops the
  requests from the virtqueue in QEMU's main loop and runs each in a coroutine;
  every file system call of a request moves the coroutine to a worker thread
  and back (``v9fs_co_run_in_worker``, whose comment warns that each hop adds
  latency); ``virtio_9p_push_and_notify`` completes each request with its own
  interrupt ("we should batch these completions");
* the application (nginx, ``nginx_open_file``; ``open_file_cache`` off, the
  default): serving the default page for the URL ``/``, the index module tests
  ``index.html`` with ``stat`` (``of.test_only``); after the internal redirect the
  static module opens it (``ngx_open_and_stat_file``: ``open`` and ``fstat``),
  the body goes out by ``sendfile`` (one read of the 612-byte page), and the
  request's pool cleanup closes it: 5 file system calls per request.

The 9p requests of one request for ``/usr/share/nginx/html/index.html`` (5 names
below the container's root, whose dentry the mount pins), counted from the
client's code for a worker whose lookups find none of the path's dentries held
by another worker:

=========  ======================================================  =====
call       9p requests                                             count
=========  ======================================================  =====
``stat``   5 x (``Twalk`` + ``Tgetattr``) lookups, ``Tgetattr``,   16
           5 ``Tclunk`` when the path's dentries are freed
``open``   5 x (``Twalk`` + ``Tgetattr``), ``Twalk`` + ``Tlopen``  12
``fstat``  ``Tgetattr``                                            1
sendfile   ``Tread``                                               1
``close``  ``Tclunk`` of the open fid, 5 ``Tclunk`` (dentries)     6
=========  ======================================================  =====

so :math:`n_{9p} = 36` (``ninep_requests``). Each request is a virtio request on
the 9p device: one kick (the client notifies the queue per request), handled
in the host kernel (QEMU's ioeventfd), :math:`t_x`; the completion interrupt's
:math:`k_{\\mathrm{irq}}` exits; the rest of the round trip :math:`t_{9p}`
(``ninep_request_time``: the guest client's work, QEMU's coroutine in its main
loop and in a worker thread, the host's file system call); and, with wake-ups on,
the halted vCPU's wake-up :math:`t_{\\mathrm{wake}}` and the main loop's
:math:`t_{\\mathrm{bwake}}`. The nginx worker waits through it, and it is the only
runnable thread of its vCPU (one worker per vCPU), so the request holds its vCPU
for the whole round trip:

.. math::
    h = (1 + k_{\\mathrm{irq}})\\, t_x + t_{9p} + w\\,(t_{\\mathrm{wake}} + t_{\\mathrm{bwake}}),
    \\qquad \\Delta D_{\\mathrm{guest}} = n_{9p}\\, h

(:math:`w = 0` with ``wakeups="off"``, else 1), as :math:`n_{9p}` events of
:math:`h` each on the guest's station. Of :math:`h` only the exits are CPU: the
CPU metrics (``guest_cores``, ``cpu_per_request``) take :math:`n_{9p}(t_{9p} +
w(t_{\\mathrm{wake}} + t_{\\mathrm{bwake}}))` back out of the guest's
(:meth:`SharedFs9p.off_queue_work`) and count the wake-ups on the host's cores, as the
wake-up terms of :mod:`virtmodel.techniques.notifications` do.

Calibration (``published_iopaths.json``, ``iopath.ninep.kata_fio_*``): fio in a
Kata Containers 9p root file system (kata-containers/runtime#2815,
``kata_virtiofs_fio2020``; ``--ioengine=libaio --direct=1 --bs=4k --iodepth=64
--rw=randrw --rwmixread=75``, one job): 6,492 reads/s + 2,169 writes/s. The 9p
client has no asynchronous path (a read or write waits for its reply inside the
submission), so the job had one request in flight: a round trip is
:math:`1/8661\\,\\mathrm{s} = 115.46\\,\\mu s`. That round trip is :math:`h` of the
reported model (wake-ups on) at the default exit costs and a 3 GHz clock (the
measurement's is not stated): :math:`t_{9p} = 115.46 - 3 \\times 1.0 - 4 - 4 =
104.46\\,\\mu s` (:func:`request_time_from_round_trip`). The same issue's run of
9p with ``cache=none`` in a plain VM (the same fio job, 3,070 MiB read and 1,026
MiB written in 71.26 s) gives 67.9 us per request: a lower bound of the range,
not used.

Assumptions (named): every 9p request costs the measured 4 KiB data request's
round trip (QEMU's handlers hop to a worker thread 0 to 2 times by type: a clunk
of an unopened fid none, a one-name walk two; the measured reads and writes
one); each nginx worker is its vCPU's only runnable thread, so its wait is lost
to the vCPU; the page is requested as ``/`` (a request for ``/index.html`` skips
the index module's ``stat``: 20 requests). Left out: the host CPU of QEMU's
main loop and worker threads (no source splits the round trip into CPU and
waiting), any serialization in the single main loop (the server is not a
station of its own: no per-request main-loop time in a source read), a
worker finding the path's dentries held by another worker's open file or
lookup (then it skips those walks: :math:`n_{9p}` is an upper bound when the
8 workers overlap), halt polling during the wait, and the guest client's
``msize`` (8,192 bytes: every message here fits).

Flag ``shared_fs`` (default ``none``, the previous model exactly): ``9p`` adds
the term above. Structural in the reported model for the recipes whose
``requires`` names ``shared_fs_9p`` (``REQUIREMENT_SETTINGS`` in
:mod:`virtmodel.validation.applications`).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, fields
from types import SimpleNamespace

from ..errors import ParameterError
from .._params import flag, param
from ._base import events

#: flag value -> what serves the container's root file system
SHARED_FS_MODES = {
    "none": "the guest's own block device or page cache: no file system round trip to the host "
            "(previous model)",
    "9p": "a host directory shared over virtio-9p (Kata 1.x with overlay2, cache=mmap): ninep_requests round "
          "trips per request, each holding the vCPU",
}


def wake_factor(tech) -> int:
    """:math:`w`: 1 when the wake-up terms are on (any ``wakeups`` mode but ``off``), else 0."""
    return 0 if getattr(tech, "wakeups", "off") == "off" else 1


def request_hold(tech, s):
    """:math:`h`, the seconds one 9p request holds its vCPU (module formula)."""
    wakes = wake_factor(tech) * (s.vcpu_wake_time + s.backend_wake_time)
    return (1 + s.exits_per_interrupt) * tech.exit_time(s) + s.ninep_request_time + wakes


def request_time_from_round_trip(round_trip, tech, clock_hz):
    """:math:`t_{9p}` from a measured round trip: :func:`request_hold` of the reported model (wake-ups on)
    at ``tech``'s costs and ``clock_hz`` solved for :math:`t_{9p}`, i.e. the round trip less the kick, the
    interrupt's exits and the two wake-ups. A round trip no longer than those fixed costs, or a clock
    that is not a positive number, is refused (:class:`~virtmodel.errors.ParameterError`)."""
    if not (isinstance(clock_hz, numbers.Real) and math.isfinite(clock_hz) and clock_hz > 0):
        raise ParameterError("clock_hz", clock_hz, "a positive, finite number of cycles per second")
    values = SimpleNamespace(**{f.name: getattr(tech, f.name) for f in fields(tech)}, clock_hz=clock_hz)
    values.ninep_request_time = 0.0
    fixed = request_hold(tech.replace(wakeups="on"), values)
    if not (isinstance(round_trip, numbers.Real) and math.isfinite(round_trip) and round_trip > fixed):
        raise ParameterError("round_trip", round_trip, f"a time in seconds longer than the fixed costs ({fixed:.4g} s)",
                             "the kick, the completion interrupt's exits and both wake-ups are part of it")
    return round_trip - fixed


@dataclass(frozen=True)
class SharedFs9p:
    """Mixin: the ``shared_fs`` flag and a 9p round trip per file system request (module docstring).

    ``demands`` returns :meth:`with_shared_fs` of its demands; :meth:`off_queue_work` keeps the held
    time out of the CPU metrics.
    """

    shared_fs: str = flag("none", doc="the container's root file system: none (the guest's own; the "
                                      "previous model) or 9p (a host directory over virtio-9p, Kata 1.x with "
                                      "overlay2: ninep_requests round trips per request, each holding the "
                                      "vCPU)",
                          options=tuple(SHARED_FS_MODES))
    ninep_requests: float = param(
        36.0, unit="count", source="linux_v9fs", latex=r"n_{9p}",
        doc="9p requests per application request (shared_fs='9p'): nginx serving its default page for '/' "
            "(stat, open, fstat, sendfile, close of /usr/share/nginx/html/index.html) through Linux's 9p "
            "client with cache=mmap, whose freed dentries make every path walk again: 16 + 12 + 1 + 1 + 6")
    ninep_request_time: float = param(
        104.46e-6, unit="s", source="kata_virtiofs_fio2020", latex=r"t_{9p}",
        doc="a 9p request's round trip beyond its kick, interrupt exits and wake-ups (guest client, QEMU's "
            "main loop and worker thread, the host's call): fio's 4 KiB requests one at a time in a Kata 9p "
            "root file system, 1/8661 s = 115.46 us, less 3 exits and two wake-ups at 3 GHz (derived)")

    def with_shared_fs(self, demands, s):
        """``demands`` plus :math:`n_{9p}` round trips of :math:`h` on the guest when ``shared_fs="9p"``."""
        if self.shared_fs == "none":
            return demands
        return demands.add(guest=events(s.ninep_requests, request_hold(self, s)))

    def off_queue_work(self, s) -> dict:
        """The other mixins' off-queue work, less the held time that is not CPU (and the wake-ups on the
        host's cores) when ``shared_fs="9p"``."""
        work = dict(super().off_queue_work(s))
        if self.shared_fs == "none":
            return work
        wakes = wake_factor(self) * (s.vcpu_wake_time + s.backend_wake_time)
        waiting = s.ninep_requests * (s.ninep_request_time + wakes)
        work["guest"] = work.get("guest", 0) - waiting
        if wakes != 0:
            work["host"] = work.get("host", 0) + s.ninep_requests * wakes
        return work


__all__ = ["SHARED_FS_MODES", "SharedFs9p", "request_hold", "request_time_from_round_trip", "wake_factor"]
