"""The frames a user-space virtio-net back-end moves: segments, or every wire frame (flag ``user_frames``).

On the ``virtio_user`` path (:mod:`~virtmodel.techniques.io_paths`) the VM's
device model (QEMU without vhost, Firecracker, Cloud Hypervisor) serves the
virtqueues from one thread of the VMM's event loop, and each frame it moves
costs that thread a tap system call of its own. Read in the sources:

* QEMU, ``net/tap.c``: ``tap_send``, the tap's read handler, reads one frame per
  ``read()`` into the netdev's buffer and hands it to the NIC (``virtio_net_receive``
  copies it into the guest's descriptors); transmit writes each popped descriptor
  chain with its own ``writev``. The tap netdev asks for ``IFF_VNET_HDR`` unless
  told not to (``vnet_hdr = tap->has_vnet_hdr ? tap->vnet_hdr : 1``), so the
  virtio-net device offers TSO and a frame is a GSO segment of up to 64 KiB;
* Firecracker, ``devices/virtio/net``: one tap ``writev`` per transmitted frame,
  straight from the guest's memory (v1.4 and the current source), one tap read per
  received frame (into its own frame buffer, then copied to the guest; a ``readv``
  into the guest's memory from v1.10, pull request 4844); the device offers ``CSUM``, ``GUEST_TSO4/6``, ``HOST_TSO4/6`` and ``UFO`` and sets
  the tap's offloads (``TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_UFO``) in every
  release read, from v0.1.0 (2018) through v0.21.0 and v1.x; from mid-2024 only the
  offloads the driver acknowledged (pull request 4680);
* Cloud Hypervisor, ``net_util/src/queue_pair.rs``: one ``writev`` per transmitted
  descriptor chain and one ``readv`` per received frame, straight to and from the
  guest's memory; v48.0 (tag ``e8886df``) offers ``CSUM``, ``GUEST_CSUM`` and, with
  ``offload_tso`` (default true, ``NetConfig`` in ``vmm/src/vm_config.rs``),
  ``HOST_TSO4/6`` and ``GUEST_TSO4/6``, and sets the tap's offloads from the
  acknowledged features. The issue behind the ``chv_vhost_gap2026`` row says v48's
  ``NetConfig`` has no offload fields; the tagged source has them, on by default.

So every back-end moves each frame with its own system calls, and with a Linux
guest of any of these three, a TCP frame is a segment: the package's default
(``segment_offload="auto"``, :mod:`~virtmodel.techniques.offload`) already charges
the path's per-I/O work (kicks, :math:`t_{\\mathrm{be}}`, the :math:`k_{\\mathrm{usys}}`
system calls, the host switch) once per segment. The frames are the wire's when
the device offers no offload feature bits (a back-end configured without them;
``offload_csum=off`` on Cloud Hypervisor) or when the guest sends traffic that it
does not segment: datagrams of UDP, which no virtio-net device of the three
segments (no ``HOST_USO``; Linux guests stopped generating UFO in 4.14, from
memory), each crossing the ring, the event loop and the tap alone.

Flag ``user_frames`` (default ``segments``, the previous model exactly):

* ``segments``: the path follows ``segment_offload``: :math:`n_{\\mathrm{fr}} = n_{\\mathrm{seg}}`;
* ``wire``: every per-I/O cost of the ``virtio_user`` path is paid per wire frame,
  :math:`n_{\\mathrm{fr}} = n_{\\mathrm{io}}` (the workload's packets, each at most
  one MTU in every preset), whatever ``segment_offload`` says:

.. math::
    D_{\\mathrm{iothread}} = n_{\\mathrm{fr}} \\big(t_{\\mathrm{be}} + k_{\\mathrm{usys}} c_{\\mathrm{hsys}}/f
      + t_{\\mathrm{sw}} + k_{\\mathrm{cp}} t_{\\mathrm{cp}} b_{\\mathrm{fr}}\\big), \\qquad
    \\Delta D_{\\mathrm{guest}} = n_{\\mathrm{fr}}\\, x_{\\mathrm{pv}} t_x

with :math:`b_{\\mathrm{fr}} = b_{\\mathrm{io}}` bytes per frame (so the bytes
copied per request, :math:`n_{\\mathrm{fr}} b_{\\mathrm{fr}} = n_{\\mathrm{io}} b_{\\mathrm{io}}`,
do not change). Only the ``virtio_user`` path takes the flag: a vhost-net or
vhost-user back-end keeps ``segment_offload``; a disk block request is one I/O
whatever it says.

Left out: the guest's own work for the segmentation and checksums it then does in
software (in the workload's ``cpu_time``), batching of the event-loop notifications
(``k_usys`` = 4 system calls per frame, the KVM page's "up to four", an upper
bound when several frames share an ``epoll_wait`` and an interrupt), and the
second copy of QEMU's receive path (``tap_send`` reads into the netdev's buffer)
and of Firecracker's before v1.10 (:mod:`~virtmodel.techniques.payload_copy`
counts one copy on this path).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag
from .vmm_slirp import slirp_serves

#: the paths whose frames the flag sets: a user-space device model serving the virtqueue
USER_PATHS = ("virtio_user",)

#: flag value -> what the back-end's frames are
FRAME_MODES = {
    "segments": "the technique's segments (segment_offload): offloads negotiated, TCP segmented by the guest",
    "wire": "wire frames, one per packet: no offload negotiated, or traffic the guest does not segment (UDP)",
}


def frames_are_segments(tech, path_name: str) -> bool:
    """Whether path ``path_name`` of ``tech`` may carry segments: False only on a user-space back-end
    (:data:`USER_PATHS`) with ``user_frames="wire"`` (module docstring) or served by QEMU's slirp, whose peer
    has no virtio-net header, so the device offers no offload (:mod:`~virtmodel.techniques.vmm_slirp`)."""
    if path_name not in USER_PATHS:
        return True
    return getattr(tech, "user_frames", "segments") != "wire" and not slirp_serves(tech, path_name)


@dataclass(frozen=True)
class UserBackendFrames:
    """Mixin: the ``user_frames`` flag of a user-space virtio-net back-end (module docstring)."""

    user_frames: str = flag("segments", doc="frames a user-space virtio-net back-end (virtio_user path) moves "
                                            "with its own tap system calls: segments (as segment_offload says; "
                                            "the previous model) or wire (every wire frame: no offloads "
                                            "negotiated, or UDP datagrams)", options=tuple(FRAME_MODES))


__all__ = ["USER_PATHS", "FRAME_MODES", "frames_are_segments", "UserBackendFrames"]
