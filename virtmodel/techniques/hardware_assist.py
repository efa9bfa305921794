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

plus the device-interrupt exits in both. Defaults: exits per netperf round trip
from Agesen et al. (USENIX ATC 2012: vmxnet 1.3, e1000 2.6); the extra cost of
an exit handled in user space from Dall et al. (USENIX ATC 2017: 6732 vs 2565
cycles); vhost at about 0.7-1 us of host CPU per packet (Linux vhost batching
commits: 0.9-1.5 Mpps per queue). Exit cost by processor generation:
:mod:`virtmodel.techniques.generations`. Interrupts and wake-ups (flag
``wakeups``, default off): :mod:`virtmodel.techniques.notifications`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag, param
from ._base import Demands
from ._hwassist import HardwareAssistCPU, emulated_io, virtio_io
from .notifications import Wakeups


@dataclass(frozen=True)
class HardwareAssist(Wakeups, HardwareAssistCPU):
    """VT-x/AMD-V with nested paging on/off and virtio or emulated I/O."""

    name = "hardware_assist"
    label = "Hardware-assisted (VT-x/AMD-V)"

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
    io_path: str = flag("virtio", doc="paravirtual virtio (vhost) or an emulated device",
                        options=("virtio", "emulated"))

    def first_model(self, s):
        """The first model's demands and the interrupt exits an idle vCPU pays (notifications)."""
        path = virtio_io if self.io_path == "virtio" else emulated_io
        return self.cpu_demands(s).add(**path(self, s)), self.interrupt_exits(s)

    def demands(self, s) -> Demands:
        return self.with_wakeups(s)
