"""SR-IOV: a virtual function of the device assigned to each VM.

The CPU path is hardware-assisted (nested paging); I/O goes from the guest's
driver straight to its virtual function, DMA through the IOMMU
(:func:`~virtmodel.techniques._hwassist.passthrough_io`):

.. math::
    \\Delta D_{\\mathrm{guest}} = n_{\\mathrm{io}} c_{\\mathrm{iommu}}/f
      + [\\text{not posted}]\\, n_{\\mathrm{ioirq}} k_{\\mathrm{irq}} t_x,
    \\qquad D_{\\mathrm{host}} = 0

There is no host station on the path and no exits per packet, so the mean
*and* the variance of the path are smaller than virtio's: lower and more
consistent latency follows from the model.

Virtual function or physical function (flag ``assignment``): by default
(``"pf"``, the first model) the assigned function's own data path costs what the
whole device's does; ``"vf"`` adds a virtual function's extra latency per
message, :math:`n_{\\mathrm{msg}} t_{\\mathrm{VF}}`, as a delay
(:mod:`~virtmodel.techniques.vf_path`; measured on a ConnectX-3 InfiniBand HCA).

Virtual-function limit: a device has ``max_vfs`` VFs (64 per port on the
Intel 82599, Dong et al. HPCA 2010). A platform with more VMs than VFs is
rejected with a :class:`~virtmodel.errors.ParameterError` naming ``vms`` and the
limit (also for any point of a sweep): the model never silently shares a VF.
Hosts with more VMs must give the excess VMs a paravirtual path; model them
as a separate ``hardware_assist`` model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._params import param
from ..errors import ParameterError
from ._hwassist import AssignedIO
from .vf_path import VirtualFunctionPath


@dataclass(frozen=True)
class SRIOV(VirtualFunctionPath, AssignedIO):
    """SR-IOV with hardware-assisted CPU (see the module docstring)."""

    name = "sriov"
    label = "SR-IOV"

    max_vfs: int = param(64, unit="count", domain="count", source="dong2010", latex=r"N_{\mathrm{VF}}",
                         doc="virtual functions per device port (Intel 82599: 64)")

    def first_model(self, s):
        """The assigned function's demands (:class:`~virtmodel.techniques._hwassist.AssignedIO`) and,
        with ``assignment="vf"``, the virtual function's delay per message."""
        demands, suppressed = AssignedIO.first_model(self, s)
        if self.assignment == "vf":
            demands = demands.add(delay=self.vf_delay(s))
        return demands, suppressed

    def check(self, values: dict) -> None:
        vms, limit = np.asarray(values["vms"]), np.asarray(values["max_vfs"])
        over = vms > limit
        if np.any(over):
            bad = vms[over] if vms.ndim else vms
            raise ParameterError(
                "vms", np.max(bad).item(), f"<= max_vfs = {np.min(limit).item()}",
                "SR-IOV gives each VM its own virtual function; put the excess VMs on "
                "another technique (e.g. hardware_assist with virtio) or raise max_vfs")
