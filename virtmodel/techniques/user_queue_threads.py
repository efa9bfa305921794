"""A user-space back-end's threads per queue pair: one thread for the device, or one per queue pair.

On the ``virtio_user`` path (:mod:`~virtmodel.techniques.io_paths`) the VM's
device model serves its virtqueues from threads of the VMM process. How many
serve one device's queue pairs is the VMM's layout, read in the sources:

* Cloud Hypervisor, ``virtio-devices/src/net.rs``: ``Net::activate`` spawns one
  epoll thread per queue pair (``for i in 0..queues.len() / 2``, each thread
  named ``<id>_qp<i>`` and given its own tap, its RX and TX queues and their
  eventfds; tag v48.0). The layout came with the multiqueue commit 652e7b9
  (2020-01-10, first in v0.5.0: "Multiple threads will be created, one thread
  will be responsible to handle one queue pair separately"), the pull request
  behind the ``chv_netmq_pr2019`` rows. The default is one queue pair
  (``DEFAULT_NET_NUM_QUEUES = 2`` queues, ``vmm/src/vm_config.rs``);
* Firecracker, ``src/vmm/src/devices/virtio/net``: one queue pair per device
  (``NET_NUM_QUEUES = 2``, RX and TX, no ``VIRTIO_NET_F_MQ``), whose events are
  handled by the VMM thread's one event manager, as every device's are
  (``add_subscriber`` in the device manager; v1.16.1): one thread, one queue;
* QEMU without vhost, ``hw/net/virtio-net.c``: with ``-netdev tap,queues=N`` each
  queue pair's handlers (``virtio_net_handle_rx``, the transmit bottom half made
  by ``qemu_bh_new`` in ``virtio_net_add_queue``) and each tap's read handler
  (``qemu_set_fd_handler`` in ``net/tap.c``) are in the main loop's context:
  one thread serves every queue pair (the main loop; ``qemu_iothreads``).

Flag ``user_queue_threads`` (default ``one``, the previous model exactly):

* ``one``: one thread serves every queue pair of the VM's device (QEMU, Firecracker):
  the I/O thread :data:`~virtmodel.techniques.io_paths.IOTHREAD`, one one-server
  station per VM fed :math:`\\lambda`, whatever ``queues`` is;
* ``per_queue``: one thread per queue pair (Cloud Hypervisor): :data:`IOTHREAD_PER_QUEUE`,
  the same helper (:func:`~virtmodel.techniques.io_paths.back_end_thread`) and the same
  split as the vhost workers (:data:`~virtmodel.techniques.io_paths.VHOST`),
  :math:`q = \\min(\\text{queues}, \\text{cores})` one-server stations, each fed
  :math:`\\lambda / q` (the flows hashed evenly over the queue pairs, a random split
  of a Poisson stream):

.. math::
    R_{\\mathrm{thr}} = \\mathrm{M/G/1}\\big(\\lambda / q,\\; S_{\\mathrm{thr}}\\big), \\qquad
    S_{\\mathrm{thr}} = n_{\\mathrm{io}} \\big(t_{\\mathrm{be}} + k_{\\mathrm{usys}} c_{\\mathrm{hsys}}/f
      + t_{\\mathrm{sw}} + k_{\\mathrm{cp}} t_{\\mathrm{cp}} b_{\\mathrm{io}}\\big), \\qquad
    X_{\\max} \\le \\frac{q}{S_{\\mathrm{thr}}}

(the station formula is the queueing core's, :func:`virtmodel.queueing.mgc.mgc_terms`
with one server). At ``queues=1`` both layouts are the same station. The thread's
busy time stays host CPU (``host_cores``), and its per-request work does not change:
what changes is that the VM's I/O can use up to :math:`q` host cores at once. With
wake-ups on, a request wakes the thread of its own queue pair, idle with that
thread's own probability (:func:`~virtmodel.techniques.io_paths.backend_receiver`).

Assumptions, as for the vhost workers: the flows spread evenly over the queue pairs (a
single flow uses one whatever ``queues`` is); each thread has a host core when it
runs (the threads of all VMs are not checked against ``cores``); the receive and
transmit rings of a pair share its thread. A disk's block requests on the
``virtio_user`` path take the same layout (Cloud Hypervisor's virtio-block also
runs one thread per queue, ``num_queues``); no recipe sets ``queues`` > 1 for a disk.
Left out: the guest's side of multiqueue (which vCPU sends on which queue, the
steering of interrupts; the guest's vCPUs stay one station of ``vcpus`` servers),
the nested L1 back-end's threads (:mod:`~virtmodel.techniques.nested_io` keeps its
one ``l1_iothread``), and QEMU's virtio-blk ``iothread-vq-mapping`` (several
IOThreads for one block device's queues; a block layout this flag could name later).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag
from .io_paths import IOTHREAD, back_end_thread

#: flag value -> the VMM layout it stands for (module docstring)
LAYOUTS = {
    "one": "one thread serves every queue pair of the device (QEMU's main loop or IOThread; Firecracker's "
           "VMM thread, one queue pair)",
    "per_queue": "one thread per queue pair (Cloud Hypervisor's virtio-net: an epoll thread per queue pair)",
}

#: the user-space device model's threads with one per queue pair: min(queues, cores) one-server stations
IOTHREAD_PER_QUEUE = back_end_thread("iothread", "queues", "the user-space device model's threads, one per queue "
                                                           "pair (Cloud Hypervisor): min(queues, cores) one-server "
                                                           "stations, each fed lambda/queues, on host cores")


def thread_layout(tech) -> str:
    """The layout of ``tech``'s user-space back-end threads (``one`` for a technique without the flag)."""
    return getattr(tech, "user_queue_threads", "one")


#: the flag's documentation
FLAG_DOC = ("threads of a user-space device model (virtio_user path) per queue pair: one (a single thread serves "
            "every queue pair: QEMU's main loop, Firecracker; the previous model) or per_queue (one thread per queue "
            "pair, min(queues, cores) stations each fed lambda/queues: Cloud Hypervisor)")


@dataclass(frozen=True)
class UserQueueThreads:
    """Mixin: the ``user_queue_threads`` flag, the VMM's back-end threads per queue pair (module docstring)."""

    user_queue_threads: str = flag("one", doc=FLAG_DOC, options=tuple(LAYOUTS))

    def own_resources(self) -> tuple:
        """The class's resources with the I/O thread split per queue pair when ``per_queue``."""
        base = super().own_resources()
        if thread_layout(self) != "per_queue":
            return base
        return tuple(IOTHREAD_PER_QUEUE if r == IOTHREAD else r for r in base)


__all__ = ["LAYOUTS", "IOTHREAD_PER_QUEUE", "thread_layout", "UserQueueThreads"]
