"""A virtual function's own data path: the latency an SR-IOV VF adds per message over a physical function.

Device assignment hands the guest either a whole device (the physical
function, PCI passthrough) or one SR-IOV virtual function of it. The guest
drives both the same way (its own driver, DMA through the IOMMU, no exits per
message), so the first model cannot tell them apart. Measured on one testbed,
they differ: with a virtual function of a Mellanox ConnectX-3 FDR InfiniBand
HCA, a KVM guest's verbs send latency at 8 bytes is 1.20 us, with the HCA
passed through 0.91 us (Zhang, Lu & Panda, IPDPSW 2016, Section IV.B,
perftest ``ib_send_lat``; Xeon E5-2670 2.3 GHz, CentOS 7.1, MLNX OFED 3.0).
With the flag ``assignment="vf"`` each message pays that difference as a delay:

.. math::
    \\Delta\\,\\text{delay} = [\\text{vf}]\\; n_{\\mathrm{msg}}\\, t_{\\mathrm{VF}},
    \\qquad t_{\\mathrm{VF}} = 1.20 - 0.91 = 0.29\\ \\mu\\mathrm{s}

with :math:`n_{\\mathrm{msg}}` the messages (work requests) per request: the
workload's ``io_ops``, or its segments with ``segment_offload="on"``
(:func:`~virtmodel.techniques.offload.io_count`). Nothing else changes: no
station gains work, so the throughput limit, the CPU metrics and the queueing
terms are the physical function's, and :math:`t_{\\mathrm{VF}} = 0` or
``assignment="pf"`` (the default) gives the first model exactly.

Why a pure delay and not work on a station: in the same paper's bandwidth tests
the VF, the passed-through HCA and a container reach the same peak ("similar
performance", about 6 GB/s in IB-Send-BW, within 8% of native), while the gap in
latency is largest at small messages. A cost that occupied the device or a CPU
per message would lower the message rate too. The same paper's MPI-level
latencies at 8 bytes are a check, not an input: two-sided 1.41 vs 1.09 us
(+0.32 us), one-sided put 1.88 vs 1.49 us (+0.39 us), Section IV.C.

Assumptions: the extra time is the same for every message size (the paper gives
the 8-byte point and says the VF's latency gap is largest "in the range of small
message sizes", which a fixed time per message gives); it is wall-clock
time on the message's path, not CPU time of the guest or the host (the verbs
latency test polls; the source does not say where the time goes); it is a
property of that device's virtual function (ConnectX-3 with the MLNX OFED 3.0
SR-IOV driver), so ``assignment="vf"`` is set only where a source describes a
virtual function of such a device, and the parameter must be re-measured for
another device.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag, param
from .offload import io_count

ASSIGNMENTS = ("pf", "vf")


@dataclass(frozen=True)
class VirtualFunctionPath:
    """Mixin: the ``assignment`` flag and the VF's extra latency per message (module docstring).

    The technique using it has a ``path`` (a row of :data:`~virtmodel.techniques.io_paths.PATHS`)
    and adds :meth:`vf_delay` to its demands' delay.
    """

    assignment: str = flag(
        "pf", doc="what is assigned to the guest: pf (the device's physical function, or a VF as fast; "
                  "the first model), vf (an SR-IOV virtual function whose data path adds vf_message_time "
                  "per message)", options=ASSIGNMENTS)
    vf_message_time: float = param(
        0.29e-6, unit="s", source="zhang2016_hpc_virt", latex=r"t_{\mathrm{VF}}",
        doc="extra latency per message through an SR-IOV virtual function over the passed-through device "
            "(ConnectX-3 FDR InfiniBand, verbs send at 8 B: 1.20 - 0.91 us, Section IV.B; "
            "assignment='vf' only)")

    def vf_delay(self, s):
        """The delay the virtual function adds per request: :math:`n_{\\mathrm{msg}} t_{\\mathrm{VF}}`
        with ``assignment="vf"``, 0 otherwise."""
        if self.assignment != "vf":
            return 0
        return io_count(self, s, self.path) * s.vf_message_time


__all__ = ["ASSIGNMENTS", "VirtualFunctionPath"]
