"""Hardware-assisted virtualization (VT-x/AMD-V): exits instead of translation.

The CPU path is :class:`~virtmodel.techniques._hwassist.HardwareAssistCPU`
(exit costs, nested paging or shadow page tables). I/O goes either through a
paravirtual virtio device with an in-kernel back-end (vhost) or through an
emulated device whose register accesses exit to a user-space device model:

.. math::
    \\text{virtio:}\\; \\Delta D_{\\mathrm{guest}} = n_{\\mathrm{io}} x_{\\mathrm{pv}} t_x,
    \\qquad
    \\text{emulated:}\\; \\Delta D_{\\mathrm{guest}} = n_{\\mathrm{io}} x_{\\mathrm{emu}}
      (t_x + c_{\\mathrm{user}}/f),
    \\qquad D_{\\mathrm{host}} = n_{\\mathrm{io}}\\, t_{\\mathrm{be}}

plus the device-interrupt exits in both (:math:`D_{\\mathrm{host}}`: the emulated
device's back-end on the host's cores). The vhost back-end's work runs in the VM's
vhost worker threads, one per queue (:math:`q` = ``queues``, default 1): each a
one-server station fed :math:`\\lambda/q`,
:math:`D_{\\mathrm{vhost}} = n_{\\mathrm{io}}\\, t_{\\mathrm{be}}` per request
(:mod:`virtmodel.techniques.io_paths`), host CPU. Two more back-ends
(:mod:`virtmodel.techniques.io_paths`): ``virtio_user``, a user-space device
model (QEMU, a Firecracker-style monitor), whose back-end adds
:math:`k_{\\mathrm{usys}}` host system calls per I/O,
:math:`D_{\\mathrm{iothread}} = n_{\\mathrm{io}}(t_{\\mathrm{be}} + k_{\\mathrm{usys}} c_{\\mathrm{hsys}}/f)`
on the VM's one I/O thread (a single server per VM, on a host core);
and ``vhost_user``, a poll-mode back-end with no kick exits,
:math:`D_{\\mathrm{poller}} = n_{\\mathrm{io}} t_{\\mathrm{vu}}` on ``polling_cores``
cores that it burns whole; ``host_switch`` adds the host's software switch per
packet. Defaults: exits per netperf round trip
from Agesen et al. (USENIX ATC 2012: vmxnet 1.3, e1000 2.6); the extra cost of
an exit handled in user space from Dall et al. (USENIX ATC 2017: 6732 vs 2565
cycles); vhost at about 0.7-1 us of host CPU per packet (Linux vhost batching
commits: 0.9-1.5 Mpps per queue). Segmentation offload (flag ``segment_offload``, default off): the virtio
paths' per-packet work per segment, :mod:`virtmodel.techniques.offload`. Exit cost by processor generation:
:mod:`virtmodel.techniques.generations`. Interrupts and wake-ups (flag
``wakeups``, default ``on``; ``off`` is the first model): :mod:`virtmodel.techniques.notifications`. Virtio transport (flag
``virtio_transport``, default ``pci``): with ``mmio`` (Firecracker) each device interrupt adds
:math:`k_{\\mathrm{mmio}} = 2` register accesses handled in user space,
:math:`k_{\\mathrm{mmio}} (t_x + c_{\\mathrm{user}}/f)`, :mod:`virtmodel.techniques.virtio_transport`.
A disk on the emulated path (flag ``emulated_disk``, default ``ahci``) pays an AHCI command's :math:`k_{\\mathrm{ahci}} = 7`
register accesses per block request instead of the NIC's :math:`x_{\\mathrm{emu}}` (Linux's libahci),
:mod:`virtmodel.techniques.emulated_block`. The ``virtio_user`` back-end's frames (flag ``user_frames``, default
``segments``): with ``wire`` every wire frame crosses the path on its own (no offloads negotiated, or UDP),
:math:`n_{\\mathrm{fr}} = n_{\\mathrm{io}}` whatever ``segment_offload`` says, :mod:`virtmodel.techniques.user_backend`.
On ``virtio_user`` the I/O thread's block engine (flag ``block_engine``, default ``async``): ``sync``
holds the thread through each device access, one block request at a time (Firecracker's Sync engine),
:mod:`virtmodel.techniques.block_backend`. The ``virtio_user`` back-end's threads per queue pair (flag
``user_queue_threads``, default ``one``): with ``per_queue`` (Cloud Hypervisor) the I/O thread is
:math:`q = \\min(\\text{queues}, \\text{cores})` one-server stations each fed :math:`\\lambda/q`, as the vhost
workers are, :mod:`virtmodel.techniques.user_queue_threads`.
Without indirect descriptors (flag ``indirect_descriptors``, default
``True``) a block request takes one ring descriptor per element (header, segments, status), so in a closed loop at
most :math:`\\lfloor Q/(s+2) \\rfloor` requests are on the device side at once (the virtio paths),
:mod:`virtmodel.techniques.virtqueue_capacity`.
A virtio-blk device without ``seg_max`` (flag ``seg_max_offered``, default ``True``) makes the guest split a
block request into :math:`k` one-segment requests, :mod:`virtmodel.techniques.virtio_blk_split`, notified per batch
of ``split_batch_requests`` (the guest's plug, 16), :mod:`virtmodel.techniques.split_request_batching`.
A user-space block back-end's hand-off (flag
``block_handoff``, default ``none``): with ``thread_pool`` (QEMU's default ``aio=threads``) each block request on
``virtio_user`` pays two thread wake-ups, a pool worker's on the host's cores and the completion's on the I/O thread,
:math:`n_d t_{\\mathrm{bwake}}` on each, :mod:`virtmodel.techniques.block_handoff`.
What serves the ``virtio_user`` back-end's frames
(flag ``vmm_network``, default ``tap``): with ``slirp`` (QEMU ``-netdev user``) every frame is a wire frame and
the I/O thread pays :math:`t_{\\mathrm{be}} + t_{\\mathrm{sl}} + b_{\\mathrm{io}} t_{\\mathrm{slB}}` per frame in
place of the tap's system calls, switch and copy, :mod:`virtmodel.techniques.vmm_slirp`.
How the ``virtio_user`` back-end receives a frame (flag ``user_rx_copy``, default ``direct``, one copy): ``bounce``
(QEMU's tap reads each frame into its own buffer and copies it into the guest) adds a second copy of each counted
I/O's bytes on the I/O thread, :math:`n_{\\mathrm{io}} b_{\\mathrm{io}} t_{\\mathrm{cp}}` per request,
:mod:`virtmodel.techniques.user_rx_copy`.
A user-space switch daemon on the host (``host_switch="user_switch"``, or ``"user_switch_flood"``: lima's
``socket_vmnet``, which writes every frame to every VM on it): a station of its own, one thread shared by the VMs,
:math:`n_{\\mathrm{io}} (t_{\\mathrm{cp}} b_{\\mathrm{io}} + N (c_{\\mathrm{hsys}}/f + t_{\\mathrm{cp}} b_{\\mathrm{io}}))`
per request, :mod:`virtmodel.techniques.switch_daemon`.
What the guest's file system sits on (flag ``file_backing``, default ``block``): with ``pmem_dax`` (virtio-pmem
mounted with DAX and nobarrier) a share :math:`\\phi` of the device I/O is loads from a mapping of the host file,
no virtio request: the technique's demands of the remaining I/O plus, per page first touched, an EPT violation and
a host page fault, :math:`\\phi\\, n_{\\mathrm{io}} \\lceil b_{\\mathrm{io}}/P \\rceil (t_x + c_{\\mathrm{hpf}}/f)`
on the vCPU, :mod:`virtmodel.techniques.pmem_dax`.
A container root file system shared over virtio-9p (flag ``shared_fs``, default ``none``): with ``9p`` (Kata 1.x
with overlay2) each request makes :math:`n_{9p}` 9p round trips, each holding the vCPU for
:math:`h = (1 + k_{\\mathrm{irq}}) t_x + t_{9p} + w (t_{\\mathrm{wake}} + t_{\\mathrm{bwake}})`,
:mod:`virtmodel.techniques.shared_fs_9p`.
The host's page cache under a file-backed disk image (flag ``host_cache``, default ``none``: ``O_DIRECT``): with
``writeback`` (QEMU's default cache mode) each guest block read or write costs the path's back-end one host system
call and a copy of its bytes, :math:`c_{\\mathrm{hsys}}/f + b\\, t_{\\mathrm{cp}}`, writes do not reach the device
and reads reach it at :math:`1 - h_H`; ``writethrough`` sends the writes on too,
:mod:`virtmodel.techniques.host_page_cache`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import param
from ._base import Demands, Load
from ._hwassist import HardwareAssistCPU
from .io_paths import IOTHREAD, POLLER, VHOST, HostSwitch, io_path_flag, path_loads, polling_cores
from .block_backend import BlockBackend
from .block_handoff import BlockHandoff, handoff_loads
from .emulated_block import EmulatedBlock
from .host_page_cache import HostPageCache
from .notifications import Wakeups
from .offload import SegmentOffload
from .payload_copy import PayloadCopy
from .pmem_dax import PmemDax
from .shared_fs_9p import SharedFs9p
from .split_request_batching import SplitRequestBatching
from .user_backend import UserBackendFrames
from .user_queue_threads import UserQueueThreads
from .user_rx_copy import UserRxCopy
from .switch_daemon import SwitchDaemon
from .virtio_transport import VirtioTransport
from .virtio_blk_split import VirtioBlkSplit
from .virtqueue_capacity import VirtqueueCapacity
from .vmm_slirp import VmmNetwork


@dataclass(frozen=True)
class HardwareAssist(HostPageCache, PmemDax, BlockHandoff, VmmNetwork, SegmentOffload, PayloadCopy, EmulatedBlock,
                     BlockBackend, UserBackendFrames, UserRxCopy, UserQueueThreads, SplitRequestBatching, SwitchDaemon,
                     HostSwitch, SharedFs9p,
                     Wakeups, VirtioTransport, VirtioBlkSplit, VirtqueueCapacity, HardwareAssistCPU):
    """VT-x/AMD-V with nested paging on/off and a choice of I/O path (:mod:`~virtmodel.techniques.io_paths`)."""

    name = "hardware_assist"
    label = "Hardware-assisted (VT-x/AMD-V)"
    resources = (POLLER, IOTHREAD, VHOST)

    virtio_exits_per_io: float = param(
        1.3, unit="count", source="agesen2012", latex=r"x_{\mathrm{pv}}",
        doc="exits per I/O on the paravirtual path (vmxnet: 1.3 per round trip)")
    emulated_exits_per_io: float = param(
        2.6, unit="count", source="agesen2012", latex=r"x_{\mathrm{emu}}",
        doc="exits per I/O on an emulated device (e1000: 2.6 per round trip)")
    userspace_exit_cycles: float = param(
        4167, unit="cycles", source="dall2017", latex=r"c_{\mathrm{user}}",
        doc="extra cycles of an exit handled by a user-space device model (6732 - 2565)")
    backend_time: float = param(
        0.85e-6, unit="s", source="linux_vhost_batching", latex=r"t_{\mathrm{be}}",
        doc="host CPU seconds per I/O in the back-end (vhost: ~0.7-1 us per packet)")
    userspace_syscalls_per_io: float = param(
        4.0, unit="count", source="kvm_vhost_page", latex=r"k_{\mathrm{usys}}",
        doc="host system calls per I/O that a user-space device model makes and vhost avoids "
            "('up to four system calls per packet'; virtio_user path)")
    host_syscall_cycles: float = param(
        1080, unit="cycles", source="barham2003", latex=r"c_{\mathrm{hsys}}",
        doc="host cycles per system call (lmbench null call, 0.45 us native at 2.4 GHz; virtio_user path)")
    vhost_user_time: float = param(
        0.1e-6, unit="s", latex=r"t_{\mathrm{vu}}",
        doc="polling-core seconds per packet of a vhost-user / DPDK back-end (about 10 Mpps per core; "
            "assumption; vhost_user path)")
    queues: int = param(
        1, unit="count", domain="count", source="kvm_multiqueue_page", latex=r"q",
        doc="virtio-net queue pairs of the VM, each served by one vhost worker thread (QEMU -netdev tap,queues=N; "
            "default 1; virtio path; at most the host's cores run at once); on the virtio_user path they split "
            "the I/O thread only with user_queue_threads='per_queue' (Cloud Hypervisor)")
    io_path: str = io_path_flag("virtio", ("virtio", "emulated", "virtio_user", "vhost_user",
                                                 "virtio_pooled"))

    def first_model(self, s):
        """This path's demands and the interrupt exits an idle vCPU pays (notifications).

        ``virtio`` and ``emulated`` with ``host_switch="none"`` are the first model.
        """
        loads = path_loads(self, s, self.io_path, self.exit_time(s))
        loads["guest"] = loads.get("guest", Load()) + self.interrupt_exits(s)
        demands = self.cpu_demands(s).add(**loads).add(**handoff_loads(self, s))  # block_handoff.py: a worker pool
        return demands, self.interrupt_exits(s)

    def demands(self, s) -> Demands:
        """The demands with wake-ups, with 9p round trips (``shared_fs``, shared_fs_9p.py), and with a DAX file
        system's I/O moved (``file_backing``, pmem_dax.py)."""
        return self.with_file_backing(s, self.with_shared_fs(self.with_wakeups(s), s))

    def off_queue_work(self, s) -> dict:
        """The wake-ups' and the 9p waits' work off the queues (``super()``: SharedFs9p, then Wakeups), of the
        I/O left on the path (``file_backing``, pmem_dax.py)."""
        return self.kept_io(s, super().off_queue_work(s))

    def polling_host_cores(self, s):
        """Host cores burnt polling: the wake-up mode's plus a polling path's whole cores."""
        return self.kept_io(s, Wakeups.polling_host_cores(self, s)) + polling_cores(self, s)
