"""The VMM's own user-mode network stack (QEMU's ``-netdev user``, libslirp): flag ``vmm_network``.

With ``-netdev user`` QEMU does not hand the guest's frames to a tap: its
virtio-net device's peer is libslirp, a TCP/IP stack inside the QEMU process,
which terminates the guest's TCP connections and relays their bytes through
ordinary host sockets. Read in the sources (facts only):

* QEMU ``net/slirp.c`` (master): the netdev's ``NetClientInfo`` gives only
  ``receive`` (``net_slirp_receive`` calls ``slirp_input`` with one flat frame;
  no ``receive_iov``, so the net layer flattens the device's iovec into a buffer
  first), and ``slirp_output``'s callback ``net_slirp_send_packet`` hands each frame
  slirp builds to ``qemu_send_packet`` (the device copies it into the guest's
  descriptors). Slirp's sockets are polled from the main loop's poll notifier
  (``slirp_pollfds_fill`` / ``slirp_pollfds_poll``), so its protocol work, its
  copies and its socket system calls run in QEMU's main loop, the thread that
  already serves the device's virtqueues (:data:`~virtmodel.techniques.io_paths.IOTHREAD`);
* QEMU ``hw/net/virtio-net.c`` ``virtio_net_get_features``: a peer without a
  virtio-net header (slirp has none) makes the device clear ``CSUM``,
  ``HOST_TSO4/6``, ``GUEST_CSUM``, ``GUEST_TSO4/6`` (and UFO): no segmentation
  offload, every frame the ring carries is a wire frame (libslirp's MTU 1500,
  ``IF_MTU`` in ``src/if.h``; every preset's packets are at most one MTU);
* libslirp (read at v4.0-era source, utmapp/libslirp mirror, 2020-03):
  ``slirp_input`` copies each guest frame into an mbuf (``memcpy``; QEMU has already
  flattened the device's iovec into one buffer); ``sbappend`` (``sbuf.c``) writes a
  TCP segment's data straight to the host socket (``slirp_send``) when the socket's
  buffer toward the host (``so_rcv``) is empty, and copies into that buffer only what
  the host socket did not take (``sbappendsb``; later written by ``sowrite``). Host
  bytes are read with ``recv`` into the buffer toward the guest (``so_snd``,
  ``soread``), copied out by ``tcp_output`` into MSS-sized mbufs (``sbcopy``), and
  each frame is copied once more into an Ethernet frame buffer (``if_encap``) before
  the ``send_packet`` callback hands it to QEMU (``qemu_send_packet``; the device
  copies it into the guest's descriptors). So a guest-bound byte is copied three
  times in user space, a host-bound one once (twice when QEMU flattens a
  multi-element iovec), plus the kernel's copy of each socket call: all of it inside
  the calibration below, which measured slirp's whole loop.

Flag ``vmm_network`` (default ``tap``, the previous model exactly):

* ``tap``: the ``virtio_user`` path as before (the tap's system calls, the host
  switch, the back-end's payload copy per frame);
* ``slirp``: on ``virtio_user``, each frame is a wire frame (the offloads are not
  offered: :func:`~virtmodel.techniques.user_backend.frames_are_segments`, the same
  rule as ``user_frames="wire"``), and the I/O thread pays per frame the device
  model's ring work :math:`t_{\\mathrm{be}}` plus slirp's per-frame and per-byte
  times in place of the tap's :math:`k_{\\mathrm{usys}}` system calls, the host
  switch and the path's payload copy:

.. math::
    D_{\\mathrm{iothread}} = n_{\\mathrm{fr}} \\big(t_{\\mathrm{be}} + t_{\\mathrm{sl}}
      + b_{\\mathrm{io}} t_{\\mathrm{slB}}\\big), \\qquad n_{\\mathrm{fr}} = n_{\\mathrm{io}},
    \\qquad \\Delta D_{\\mathrm{guest}} = n_{\\mathrm{fr}}\\, x_{\\mathrm{pv}} t_x

(variance as :func:`~virtmodel.techniques.stack_costs.unit_byte_load`, the helper
gVisor's netstack uses, with one unit per frame).

Calibration (``published_iopaths.json``, ``slirp4netns_bench2018``): slirp4netns
(QEMU's slirp code forked from QEMU commit c447afd, one process, one poll loop)
measured with iperf3 from a network namespace to the host through its tap, on
RootlessKit's Travis CI (2018-08-28): 1.07 Gbit/s at MTU 1500 and 9.21 Gbit/s at
MTU 65520 (also 2.78 at 4000 and 4.55 at 16384, not used in the fit). Each rate
taken as slirp's time per frame, :math:`m \\cdot 8 / r`, and a line through the two
ends (:func:`~virtmodel.techniques.stack_costs.unit_and_byte_times`, the derivation of
netstack's two times):

.. math::
    t_{1500} = 11.215\\,\\mu s, \\quad t_{65520} = 56.911\\,\\mu s, \\quad
    t_{\\mathrm{slB}} = 0.714\\,\\mathrm{ns/B}, \\quad t_{\\mathrm{sl}} = 10.144\\,\\mu s.

Assumptions (named): the slowest stage of that benchmark is slirp4netns's one
thread (its per-frame tap read stands for QEMU's hand-off of the frame from
virtio-net, which flattens it into a buffer: so the path's own copy is not charged
again); the CI machine's times are taken as they are on the modelled host; the
guest-bound direction costs per frame what the measured host-bound one did (as
for netstack); headers counted as payload; the line through the ends stands for
the middle points (it gives 2.46 Gbit/s at 4000 and 6.0 at 16384 against the
measured 2.78 and 4.55: -12% and +32%). A disk block request never goes through
slirp (:meth:`VmmNetwork.block_io_view`). Left out: slirp's timers (delayed ACK,
fast timer), its window and socket buffer limits, the host kernel's own loopback
work for the host sockets (on other cores, as the native side has it), and the
port forwarding's accept.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag, param
from .stack_costs import unit_byte_load

#: flag value -> what serves the guest's frames on the user-space back-end
VMM_NETWORKS = {
    "tap": "a tap device (and the host's switch): the back-end's tap system calls per frame (previous model)",
    "slirp": "QEMU's user-mode stack (-netdev user, libslirp) in the main loop: wire frames, slirp's per-frame "
             "and per-byte times on the I/O thread in place of the tap's system calls, switch and copy",
}

#: the path slirp can serve: a user-space device model's (QEMU without vhost)
SLIRP_PATH = "virtio_user"


def slirp_serves(tech, path_name: str) -> bool:
    """Whether slirp serves path ``path_name`` of ``tech``: ``vmm_network="slirp"`` on :data:`SLIRP_PATH`."""
    return path_name == SLIRP_PATH and getattr(tech, "vmm_network", "tap") == "slirp"


def slirp_load(tech, s, n_frames, frame_bytes):
    """Slirp's work per request for ``n_frames`` frames of ``frame_bytes`` bytes (module formula)."""
    return unit_byte_load(n_frames, 1, s.slirp_frame_time, frame_bytes * s.slirp_byte_time)


@dataclass(frozen=True)
class VmmNetwork:
    """Mixin: the ``vmm_network`` flag and slirp's per-frame and per-byte times (module docstring)."""

    vmm_network: str = flag("tap", doc="what serves a user-space back-end's (virtio_user) frames: tap (the tap's "
                                       "system calls; the previous model) or slirp (QEMU's -netdev user stack in "
                                       "the main loop: wire frames, slirp_frame_time + bytes x slirp_byte_time "
                                       "per frame on the I/O thread)", options=tuple(VMM_NETWORKS))
    slirp_frame_time: float = param(
        10.14e-6, unit="s", source="slirp4netns_bench2018", latex=r"t_{\mathrm{sl}}",
        doc="slirp's time per frame beyond its bytes (protocol work, socket and tap system calls, poll): "
            "slirp4netns iperf3 1.07 Gbit/s at MTU 1500 less the bytes' share (derived)")
    slirp_byte_time: float = param(
        0.714e-9, unit="s", source="slirp4netns_bench2018", latex=r"t_{\mathrm{slB}}",
        doc="slirp's time per byte (its copies): the difference of slirp4netns's MTU 65520 (9.21 Gbit/s) and "
            "MTU 1500 times per frame over the difference of their bytes (derived)")

    def block_io_view(self):
        """A disk block request does not go through slirp: the technique with the tap."""
        view = self.replace(vmm_network="tap") if self.vmm_network != "tap" else self
        return super(VmmNetwork, view).block_io_view()


__all__ = ["VMM_NETWORKS", "SLIRP_PATH", "slirp_serves", "slirp_load", "VmmNetwork"]
