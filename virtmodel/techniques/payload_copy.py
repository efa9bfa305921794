"""Payload copies: a per-byte cost on the software back-ends that copy each packet's bytes.

Every other per-I/O cost of an I/O path (:mod:`~virtmodel.techniques.io_paths`) is
per packet or descriptor. A software back-end also copies the payload: vhost-net
between the guest's buffers and the tap's socket buffers, a user-space device
model through the tap's ``readv``/``writev``, Xen's netback by grant copy, a hosted
monitor through the host OS. With :math:`k_{\\mathrm{cp}}` copies of the payload on
path ``p`` (:data:`COPIES`) and :math:`t_{\\mathrm{cp}}` seconds per byte copied
(``copy_time_per_byte``, the inverse of one core's memory-copy bandwidth), each
counted I/O of :math:`b_{\\mathrm{I/O}}` bytes costs the path's back-end station (the
vhost worker, the I/O thread, the polling cores, the driver domain, the host's cores,
for a hosted monitor the VM's own CPU) besides its per-packet work:

.. math::
    t_{\\mathrm{copy}} = k_{\\mathrm{cp}}\\, t_{\\mathrm{cp}}\\, b_{\\mathrm{I/O}}, \\qquad
    D_{\\mathrm{back}} = n_{\\mathrm{I/O}} \\big(t_{\\mathrm{be}} + t_{\\mathrm{sw}} + t_{\\mathrm{copy}}\\big) + \\dots

where :math:`n_{\\mathrm{I/O}}` and :math:`b_{\\mathrm{I/O}}` are the packets and their
bytes, or, with segmentation offload, the segments and the bytes a segment carries
(:func:`~virtmodel.techniques.offload.segment_payload`), so the bytes copied per request,
:math:`n_{\\mathrm{I/O}} b_{\\mathrm{I/O}} = n_{\\mathrm{io}} b_{\\mathrm{io}}`, do not depend on
how they are cut. A stream whose back-end is busy with copies alone moves at most
:math:`1 / (k_{\\mathrm{cp}} t_{\\mathrm{cp}})` bytes per second per back-end server: the
copy bandwidth (one copy).

Limiting cases: :math:`t_{\\mathrm{cp}} = 0` is the model without payload copies exactly;
a path with :math:`k_{\\mathrm{cp}} = 0` (device DMA, page flipping) never pays it.

The copies per path, from the sources:

- ``virtio``, ``virtio_pooled``: one. vhost-net's transmit handler copies the guest's
  buffers into the socket buffer it hands the tap, its receive handler copies the socket
  buffer into the guest's buffers (the transmit zero-copy mode is an opt-in module
  parameter, off by default);
- ``virtio_user``: one. The device model hands the tap the guest's own memory as the
  ``iovec`` of ``readv``/``writev``, and the kernel copies it once (Cloud Hypervisor both
  ways, Firecracker from v1.10, QEMU on transmit). QEMU's tap receive path and
  Firecracker's before v1.10 copy a second time, from the device model's own frame buffer
  into the guest's memory (``tap_send`` reads into ``s->buf``, ``virtio_net_receive_rcu``
  copies it out; Firecracker's ``write_slice`` of ``rx_frame_buf``): counted only with the
  flag ``user_rx_copy="bounce"`` (:mod:`~virtmodel.techniques.user_rx_copy`);
- ``vhost_user``: one (a DPDK back-end copies between the guest's descriptors and its own
  packet buffers; assumption);
- ``emulated``: two. QEMU's emulated NIC reads the frame out of guest memory into the
  device model's buffer by DMA emulation and then writes that buffer to the tap
  (``hw/net/e1000.c``); receive is the mirror image;
- ``binary_emul``: one (the VMM's emulated NIC hands the frame to the host's driver;
  assumption);
- ``hosted``: one (the host OS's system call copies the frame between the monitor's
  buffer and its own; on the VM's CPU, which runs the host world);
- ``driver_domain``: one, netback's grant copy between the guest's granted page and the
  driver domain's buffer (``grant_copy_cycles`` stays the per-operation part);
- ``split``: none. Xen's split network driver avoids copying the payload: the backend returns
  received packets by exchanging the guest's unused pages for pages holding the data, and reads
  transmitted ones from the guest's pages (Xen 3.0 interface guide, section 8.1.2, "a zero-copy
  approach"; taken to hold for Xen 1.0's rings too, an assumption);
- ``passthrough``, ``card``: none (the device reads and writes guest memory by DMA).

Assumptions: one copy costs what a single-threaded ``memcpy`` of a buffer larger than
the last-level cache costs (the value's source measures that), whatever the size of
the copy; the per-packet costs measured before (``backend_time`` and the rest) were
measured with small or MTU-sized packets and may already hold a small part of one
packet's copy (at 1,500 bytes a copy is about 0.25 us at 6 GB/s); disk block requests
do not take the cost (:meth:`PayloadCopy.block_io_view`: their data moves by DMA to
and from the guest's pages).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag, param
from .user_rx_copy import extra_rx_copies

#: I/O path -> (copies of the payload on the path's back-end, why; module docstring)
COPIES = {
    "virtio": (1, "vhost-net copies between the guest's buffers and the socket buffer (zero-copy transmit is off "
                  "by default)"),
    "virtio_pooled": (1, "as virtio: the same back-end work, pooled on the host's cores"),
    "virtio_user": (1, "the tap's readv/writev copies the guest memory the device model passes as its iovec"),
    "vhost_user": (1, "a DPDK back-end copies between the guest's descriptors and its packet buffers (assumption)"),
    "emulated": (2, "QEMU's emulated NIC copies the frame into its own buffer by DMA emulation, then through the tap"),
    "binary_emul": (1, "the VMM's emulated NIC hands the frame to the host's driver (assumption)"),
    "hosted": (1, "the host OS's system call copies the frame between the monitor's buffer and its own"),
    "driver_domain": (1, "netback grant-copies the payload between the guest's page and the driver domain"),
    "split": (0, "Xen 1.0's rings flip received pages and send by scatter-gather DMA: no payload copy"),
    "passthrough": (0, "the device reads and writes guest memory by DMA"),
    "card": (0, "the card reads and writes guest memory by DMA"),
    "direct": (0, "the paravirtual kernel's own driver: the NIC writes its buffers by DMA, no back-end"),
}


def copy_time(tech, s, path_name: str, payload):
    """Seconds of payload copying per counted I/O of ``payload`` bytes on path ``path_name``,
    :math:`k_{\\mathrm{cp}} t_{\\mathrm{cp}} b_{\\mathrm{I/O}}`; 0 for a technique without the
    ``copy_time_per_byte`` parameter, a view with ``payload_copy="off"`` (disk block requests) or a path
    that does not copy (module docstring)."""
    copies = COPIES.get(path_name, (0, ""))[0] + extra_rx_copies(tech, path_name)  # user_rx_copy.py
    if copies == 0 or getattr(tech, "payload_copy", "off") != "on":
        return 0
    return copies * s.copy_time_per_byte * payload


def copy_time_param(default: float = 1.0 / 6.07e9):
    """The ``copy_time_per_byte`` parameter, :math:`t_{\\mathrm{cp}}` (one definition for every
    technique that copies payload: the back-ends here, Docker's port proxy): seconds per byte
    copied, the inverse of one core's memory-copy bandwidth (Benson 2014: 6.07 GB/s)."""
    return param(
        default, unit="s/B", source="benson2014_copy_bandwidth", latex=r"t_{\mathrm{cp}}",
        doc="seconds per byte a core (a back-end's, Docker's port proxy's) spends copying payload: the inverse of one core's memory-copy "
            "bandwidth (single-threaded copy of 64 MiB buffers on dual-socket Xeon E5 servers, 5,896 and "
            "6,249 MB/s: 6.07 GB/s)")


@dataclass(frozen=True)
class PayloadCopy:
    """Mixin: ``copy_time_per_byte``, the per-byte cost of a back-end's payload copies (module docstring).

    Put it before :class:`~virtmodel.techniques.io_paths.HostSwitch` among a technique's bases: its
    :meth:`block_io_view` drops the copies and then asks the next base for its view.
    """

    payload_copy: str = flag("on", doc="the back-end's payload copies: on (copy_time_per_byte per byte copied), "
                                       "off (no copy term: the view a disk block request takes)",
                             options=("on", "off"))
    copy_time_per_byte: float = copy_time_param()

    def block_io_view(self):
        """A disk block request's data moves by DMA: the technique without payload copies
        (and the next base's view)."""
        view = self.replace(payload_copy="off") if self.payload_copy != "off" else self
        return super(PayloadCopy, view).block_io_view()


__all__ = ["COPIES", "copy_time", "copy_time_param", "PayloadCopy"]
