"""Segmentation offload (TSO/GSO, GRO): per-packet virtualization work paid per segment.

A guest that negotiates segmentation offload with its virtual NIC hands the
device one large TCP segment (up to ``segment_bytes``, 64 KiB by default) where
the wire carries many MTU-sized packets; the receive side coalesces them again
(GRO, or the back-end's merged buffers). The guest's stack, the virtual device's
kicks and exits, the back-end and the host's software switch then handle one
segment, and the segmentation into wire packets happens last: in the physical
NIC's hardware (TSO) or in software just before its driver (GSO). With the flag
``segment_offload="on"`` every per-packet cost of the path (:func:`path_loads
<virtmodel.techniques.io_paths.path_loads>`: kicks, guest ring or IOMMU work,
back-end and switch time, notifications) is charged per segment. A segment
carries the packets of one application message (a send or a receive; the
workload's ``message_packets``, :math:`k_{\\mathrm{msg}}`), at most
:math:`S_{\\mathrm{seg}}` bytes of them, so a request of :math:`n_{\\mathrm{io}}`
packets of :math:`b_{\\mathrm{io}}` bytes pays

.. math::
    n_{\\mathrm{seg}} = \\min\\!\\Big(n_{\\mathrm{io}},\\;
      \\max\\!\\Big(\\frac{n_{\\mathrm{io}}}{k_{\\mathrm{msg}}},\\;
      \\frac{n_{\\mathrm{io}}\\, b_{\\mathrm{io}}}{S_{\\mathrm{seg}}}\\Big)\\Big)

segments: one per message, or the bytes over the segment size when a message is
larger than a segment, never more segments than packets. Equivalently a segment
carries :math:`g = n_{\\mathrm{io}}/n_{\\mathrm{seg}} = \\max(1, \\min(k_{\\mathrm{msg}},
S_{\\mathrm{seg}}/b_{\\mathrm{io}}))` packets. The count stays linear in
:math:`n_{\\mathrm{io}}` (the storage path's substitution and the laws rely on that)
and divides by neither :math:`b_{\\mathrm{io}}` nor the message size. The physical
device still carries every byte: its station (``device``: :math:`n_{\\mathrm{io}}
b_{\\mathrm{io}}/B`) and its pipelined latency keep the packet count, and the NIC's
own segmentation costs no CPU.

Limiting cases: :math:`S_{\\mathrm{seg}} = b_{\\mathrm{io}}` (segments of one packet) or
:math:`k_{\\mathrm{msg}} = 1` (every packet a message of its own, the workload
default) gives :math:`n_{\\mathrm{seg}} = n_{\\mathrm{io}}`, the first model, exactly;
a request that is one message of at most one segment
(:math:`k_{\\mathrm{msg}} = n_{\\mathrm{io}}`, :math:`n_{\\mathrm{io}} b_{\\mathrm{io}} \\le
S_{\\mathrm{seg}}`) pays once; packets larger than a segment gain nothing.

Assumptions: continuous (no ceiling): a message of :math:`k` packets is
:math:`\\max(1, k b/S)` segments, exact for a message of at most one segment and,
in the long run, for a stream (a message far larger than a segment), and below the
count :math:`\\lceil k b/S\\rceil` by less than one segment per message otherwise; a
segment carries :math:`S_{\\mathrm{seg}}/b_{\\mathrm{io}}` packets, not the whole number
:math:`\\lfloor S_{\\mathrm{seg}}/b_{\\mathrm{io}}\\rfloor` of MSS-sized packets
(:mod:`virtmodel.simulate.segments` counts segments packet by packet; the tests
hold the closed form to it); a segment costs the path what a packet costs (the
per-I/O costs are per descriptor and notification; payload copies are in no
technique's per-I/O cost); the device interrupts per request (``io_interrupts``)
are the workload's, after coalescing, and do not change; disk block requests
never take the flag (:meth:`SegmentOffload.block_io_view`); a user-space back-end that moves
wire frames (``user_frames="wire"``, :mod:`virtmodel.techniques.user_backend`) never segments.

Which paths segment (:data:`OFFLOAD_PATHS`), from the sources:

- virtio (``virtio``, ``virtio_user``, ``vhost_user``): the virtio-net device and
  driver negotiate ``VIRTIO_NET_F_HOST_TSO4/6`` ("device can receive TSO") and
  ``VIRTIO_NET_F_GUEST_TSO4/6`` ("driver can receive TSO") and carry the segment's
  ``gso_type``/``gso_size`` in the virtio-net header (virtio specification, device
  feature bits; Linux ``include/uapi/linux/virtio_net.h``); vhost-net, QEMU and
  Firecracker pass the segment to a tap device that accepts it whole;
- Xen split drivers (``split``, ``driver_domain``): netfront and netback advertise
  ``feature-gso-tcpv4``/``feature-gso-tcpv6`` in XenStore, "the capability to handle
  large TCP packets" (Xen ``public/io/netif.h``);
- an SR-IOV VF and an offload card's VF (``passthrough``, ``card``): the VF does TCP
  segmentation in hardware (Linux ``Documentation/networking/segmentation-offloads.rst``:
  TSO lets "a device segment a single frame into multiple frames"), so the guest's
  IOMMU work and the card's time are per segment (for the card an assumption: its cores
  may also touch each wire packet);
- not the emulated paths (``emulated``, ``binary_emul``, ``hosted``): an emulated NIC is
  driven register by register per packet, and one that emulates TSO (QEMU's e1000)
  segments in the device model itself, sending one frame per MSS to the host
  (``hw/net/e1000.c``, ``xmit_seg`` once per MSS), so the back-end work stays per wire
  packet; the model keeps these paths per packet whatever the flag.

Which paths segment by default (``segment_offload="auto"``, the default; :data:`DEFAULT_ON`):
the virtio paths (``virtio``, ``virtio_pooled``, ``virtio_user``, ``vhost_user``). Linux's
virtio_net driver turns TSO/GSO on whenever the device offers ``HOST_TSO4/6``, and vhost-net,
QEMU's virtio-net and Firecracker's net device offer those bits by default; the virtio-net
device is younger than Linux's GSO, so no system with a virtio path predates it. The Xen split
drivers keep offload off unless ``"on"``: GSO reached netfront and netback after Xen 1.0, and
the technique carries no year; a VF's TSO depends on its driver. ``"off"`` is the first model
everywhere. The count is computed as :math:`n \\min(1, \\max(1/k, b/S))`, the same number
written so that it is visibly linear in :math:`n`.

Containers (:mod:`virtmodel.techniques.container`): GSO leaves segmentation to the last
moment before the physical driver, so a GSO segment crosses the veth pair, the bridge
and netfilter whole; the container's per-packet cycles are charged per segment too.
The default ``segment_bytes`` is Linux's legacy GSO/TSO maximum, 65536 bytes
(``GSO_LEGACY_MAX_SIZE``; ``ip link`` shows ``gso_max_size 65536``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._backend import SYMBOLIC, as_output, kind_of, ops_for
from .._params import flag, param
from .._validate import positive
from .user_backend import frames_are_segments

OFFLOAD_MODES = ("off", "on", "auto")

#: the paths on which ``segment_offload="auto"`` (the default) segments: every system with them
#: negotiates TSO/GSO by default (module docstring, "Which paths segment by default")
DEFAULT_ON = {
    "virtio": "Linux's virtio_net turns TSO/GSO on when the device offers HOST_TSO4/6, which vhost-net offers",
    "virtio_pooled": "as virtio: the same virtio-net device, its back-end placed on the host's cores",
    "virtio_user": "QEMU's virtio-net and Firecracker's net device offer HOST_TSO4/6 and GUEST_TSO4/6 by default",
    "vhost_user": "virtio-net with a Linux guest: HOST_TSO4/6 offered by the vhost-user back-end and turned on",
}

#: I/O path -> whether segmentation offload applies to it, and why (module docstring)
OFFLOAD_PATHS = {
    "virtio": (True, "virtio-net HOST_TSO/GUEST_TSO feature bits; vhost-net hands the tap whole segments"),
    "virtio_pooled": (True, "as virtio (virtio-style device, back-end on the host's cores)"),
    "virtio_user": (True, "virtio-net HOST_TSO/GUEST_TSO; QEMU or Firecracker hands the tap whole segments"),
    "vhost_user": (True, "virtio-net HOST_TSO/GUEST_TSO negotiated with the vhost-user back-end"),
    "split": (True, "Xen netfront/netback feature-gso-tcpv4/v6"),
    "driver_domain": (True, "Xen netfront/netback feature-gso-tcpv4/v6"),
    "passthrough": (True, "the VF segments in hardware (TSO)"),
    "card": (True, "the card's VF segments in hardware (TSO; the card's time per segment is an assumption)"),
    "emulated": (False, "an emulated NIC is driven per packet; an emulated TSO (QEMU e1000) segments in the "
                        "device model, one frame per MSS"),
    "binary_emul": (False, "an emulated NIC, handled by the VMM per packet"),
    "hosted": (False, "an emulated NIC: each packet a world switch to the host OS"),
    "veth": (True, "a container's veth pair, bridge and NAT: GSO segments cross them whole"),
    "direct": (False, "the paravirtual kernel drives the NIC itself (Xen dom0): the path has no per-I/O term to "
                      "segment; its page-table count is per wire packet (pv_direct_device.py)"),
}


def segments(io_ops, io_bytes, segment_bytes, message_packets=1):
    """Segments per request, :math:`\\min(n, \\max(n/k, n b / S))` (module formula).

    Parameters
    ----------
    io_ops : number, array or SymPy expression
        Packets per request, :math:`n_{\\mathrm{io}} \\ge 0`.
    io_bytes : number, array or SymPy expression
        Bytes per packet, :math:`b_{\\mathrm{io}} \\ge 0`.
    segment_bytes : number, array or SymPy expression
        Largest segment, :math:`S_{\\mathrm{seg}} > 0` bytes.
    message_packets : number, array or SymPy expression
        Packets per application message, :math:`k_{\\mathrm{msg}} > 0` (1: every
        packet a message of its own).

    Returns
    -------
    number, array or expression
        :math:`n_{\\mathrm{seg}}`: ``io_ops`` when ``segment_bytes == io_bytes`` or
        ``message_packets == 1``; 1 for a request that is one message of at most one segment.

    Raises
    ------
    ParameterError
        A negative count or size, a zero ``segment_bytes`` or ``message_packets``, NaN or
        infinity (named).

    Examples
    --------
    >>> round(segments(44, 1500, 65536, message_packets=44), 4)  # a 64 KiB send: one segment (and a bit)
    1.0071
    >>> segments(44, 1500, 65536)          # 44 messages of one packet: no coalescing
    44.0
    >>> segments(44, 1500, 1500, 44)       # segments of one packet: the first model
    44.0
    """
    kind = kind_of(io_ops, io_bytes, segment_bytes, message_packets)
    if kind != SYMBOLIC:  # numbers and arrays from a user; the model's symbols are checked by their domains
        io_ops = positive("io_ops", io_ops, kind, allow_zero=True)
        io_bytes = positive("io_bytes", io_bytes, kind, allow_zero=True)
        segment_bytes = positive("segment_bytes", segment_bytes, kind)
        message_packets = positive("message_packets", message_packets, kind)
    ops = ops_for(kind)
    # n min(1, max(1/k, b/S)): the same number, written as n times a share so that the count is
    # visibly linear in n (a per-I/O metric's n/n cancels, and n = 0 gives 0 without 0/0)
    count = io_ops * ops.minimum(1, ops.maximum(1 / message_packets, io_bytes / segment_bytes))
    return as_output(count, kind)


def offloaded(tech, path_name: str) -> bool:
    """Whether ``tech`` segments on path ``path_name``: ``segment_offload="on"`` and the path segments
    (:data:`OFFLOAD_PATHS`), or ``"auto"`` and the path segments by default (:data:`DEFAULT_ON`); never
    on a user-space back-end that moves wire frames (``user_frames="wire"``,
    :mod:`~virtmodel.techniques.user_backend`)."""
    if not frames_are_segments(tech, path_name):
        return False
    mode = getattr(tech, "segment_offload", "off")
    if mode == "auto":
        return path_name in DEFAULT_ON
    return mode == "on" and OFFLOAD_PATHS.get(path_name, (False,))[0]


def io_count(tech, s, path_name: str):
    """The count the per-packet work of path ``path_name`` is charged on: :math:`n_{\\mathrm{seg}}`
    when ``tech`` segments there (:func:`offloaded`), otherwise the packets, :math:`n_{\\mathrm{io}}`
    (the first model)."""
    if offloaded(tech, path_name):
        return segments(s.io_ops, s.io_bytes, s.segment_bytes, s.message_packets)
    return s.io_ops


def carried_bytes(io_bytes, segment_bytes, message_packets=1):
    """Bytes one segment carries, :math:`g\\, b = \\max(b, \\min(k b, S))` (module formula;
    :math:`n_{\\mathrm{seg}}\\, g b = n_{\\mathrm{io}} b`, with no division, so zero bytes or
    packets stay finite).

    >>> carried_bytes(1500, 65536, 44)   # a 64 KiB send of 1500-byte packets: one 64 KiB segment
    65536.0
    >>> carried_bytes(1500, 65536, 1)    # messages of one packet: the packet
    1500.0
    """
    kind = kind_of(io_bytes, segment_bytes, message_packets)
    ops = ops_for(kind)
    return as_output(ops.maximum(io_bytes, ops.minimum(message_packets * io_bytes, segment_bytes)), kind)


def segment_payload(tech, s, path_name: str):
    """Bytes of each I/O counted by :func:`io_count`: a segment's (:func:`carried_bytes`) when
    ``tech`` segments on the path, otherwise a packet's, :math:`b_{\\mathrm{io}}`."""
    if offloaded(tech, path_name):
        return carried_bytes(s.io_bytes, s.segment_bytes, s.message_packets)
    return s.io_bytes


@dataclass(frozen=True)
class SegmentOffload:
    """Mixin: the ``segment_offload`` flag and ``segment_bytes`` (module docstring).

    Put it first among a technique's bases: its :meth:`block_io_view` turns the flag
    off and then asks the next base for its view (the host switch's).
    """

    segment_offload: str = flag(
        "auto", doc="segmentation offload (TSO/GSO, GRO): auto (on the virtio paths, which negotiate it by "
                    "default; off elsewhere), off (the first model: per-packet work per wire packet), on (per "
                    "segment of up to segment_bytes, on every path that segments)", options=OFFLOAD_MODES)
    segment_bytes: float = param(
        65536.0, unit="B", domain="positive", source="linux_segmentation_offloads",
        latex=r"S_{\mathrm{seg}}",
        doc="largest segment the guest hands its virtual NIC with segmentation offload on "
            "(Linux GSO/TSO legacy maximum, 64 KiB)")

    def block_io_view(self):
        """A disk block request is one I/O whatever the flag: the technique with the flag off
        (and the next base's view, e.g. without the host switch)."""
        view = self.replace(segment_offload="off") if self.segment_offload != "off" else self
        return super(SegmentOffload, view).block_io_view()


__all__ = ["OFFLOAD_MODES", "OFFLOAD_PATHS", "DEFAULT_ON", "segments", "offloaded", "io_count", "carried_bytes",
           "segment_payload", "SegmentOffload"]
