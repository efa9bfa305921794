"""A user-space back-end's receive bounce buffer: QEMU's tap copies each received frame twice (flag ``user_rx_copy``).

On the ``virtio_user`` path (:mod:`~virtmodel.techniques.io_paths`) the package counts
one payload copy per frame (:mod:`~virtmodel.techniques.payload_copy`): the kernel's,
when the device model hands the tap the guest's own memory as the ``iovec`` of its
``readv``/``writev``. Read in the sources (facts only):

* QEMU ``net/tap.c`` ``tap_send`` (``qemu_net_tap``): the tap's read handler reads one
  frame per ``read()`` into the netdev's own buffer (``s->buf``, 4 KiB + 64 KiB, room
  for a GSO frame) and hands that buffer to the NIC model; ``hw/net/virtio-net.c``
  ``virtio_net_receive_rcu`` (``qemu_virtio_net_rx``) pops the guest's receive buffers
  one by one and copies the frame into them (``iov_from_buf``). A received byte is
  copied twice: by the kernel into QEMU's buffer, then by QEMU into the guest.
  Transmit is one copy (``virtio_net_flush_tx`` passes the popped descriptors' iovec to
  the tap's ``writev``);
* Firecracker before v1.10: one read per frame into the device's frame buffer, then a
  copy into the guest (two); from v1.10 a ``readv`` into the guest's memory (one)
  (``firecracker_net_versions``); Cloud Hypervisor: one ``readv`` per frame straight
  into the guest's memory (one; ``chv_net_src``).

Flag ``user_rx_copy`` (default ``direct``, the previous model exactly):

* ``direct``: the path's copies as :data:`~virtmodel.techniques.payload_copy.COPIES`
  gives them (one on ``virtio_user``);
* ``bounce``: on ``virtio_user``, one more copy of each counted I/O's bytes on the I/O
  thread, :math:`k_{\\mathrm{rx}} = 1`:

.. math::
    t_{\\mathrm{copy}} = (k_{\\mathrm{cp}} + k_{\\mathrm{rx}})\\, t_{\\mathrm{cp}}\\, b_{\\mathrm{I/O}}, \\qquad
    \\Delta D_{\\mathrm{iothread}} = n_{\\mathrm{I/O}}\\, t_{\\mathrm{cp}}\\, b_{\\mathrm{I/O}}
    = n_{\\mathrm{io}} b_{\\mathrm{io}}\\, t_{\\mathrm{cp}}

(per request: every byte the request moves, copied once more at the model's copy cost;
the count of I/Os and the per-I/O work do not change, so the cost does not depend on
segmentation). No new parameter: :math:`t_{\\mathrm{cp}}` is ``copy_time_per_byte``.

Assumptions (named): the model has no direction, and the package's network recipes let
one VM stand for both ends of a stream; the receiving end, whose thread copies twice, is
the slower, and a stream moves at its slower end's rate, so every counted I/O pays the
receive side's second copy (an over-charge for a VM that only transmits, whose I/O thread
copies once per frame it sends and twice only per frame it receives, ACKs included). The
second copy costs what the first does (a ``memcpy`` of a buffer larger than the last-level
cache), although QEMU's buffer is reused and may stay in cache. Left out: the per-buffer
work of ``virtqueue_pop``/``virtqueue_fill`` for each of the guest's (at most one page)
mergeable receive buffers a 64 KiB frame fills (vhost-net walks the same descriptors,
inside ``backend_time``; no source gives QEMU's time per pop); ``tap_send``'s 50 frames per
call and ``tx_burst`` (256) per bottom half; the BQL the main loop holds while it runs.
Disk block requests never take it (their view drops the payload copies); slirp
(:mod:`~virtmodel.techniques.vmm_slirp`) has its own calibrated copies and does not
take it either.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag
from .user_backend import USER_PATHS
from .vmm_slirp import slirp_serves

#: flag value -> how the user-space back-end receives a frame
RX_COPY_MODES = {
    "direct": "readv straight into the guest's buffers: one copy (Cloud Hypervisor, Firecracker from v1.10; "
              "the previous model)",
    "bounce": "read into the device model's own buffer, then copied into the guest's buffers: two copies "
              "(QEMU's tap, Firecracker before v1.10)",
}


def extra_rx_copies(tech, path_name: str) -> int:
    """Copies the receive bounce buffer adds per counted I/O on path ``path_name`` of ``tech``:
    1 with ``user_rx_copy="bounce"`` on a user-space back-end's path (not served by slirp), else 0."""
    if path_name not in USER_PATHS or slirp_serves(tech, path_name):
        return 0
    return 1 if getattr(tech, "user_rx_copy", "direct") == "bounce" else 0


@dataclass(frozen=True)
class UserRxCopy:
    """Mixin: the ``user_rx_copy`` flag of a user-space virtio-net back-end (module docstring)."""

    user_rx_copy: str = flag("direct", doc="how a user-space virtio-net back-end (virtio_user path) receives a "
                                           "frame: direct (readv into the guest's memory, one copy; the previous "
                                           "model) or bounce (read into its own buffer, then copied into the "
                                           "guest: QEMU's tap, two copies)", options=tuple(RX_COPY_MODES))


__all__ = ["RX_COPY_MODES", "extra_rx_copies", "UserRxCopy"]
