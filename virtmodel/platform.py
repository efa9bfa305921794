"""The machine: host cores and clock, the VMs sharing it, the shared device.

Published virtualization costs come in cycles; ``clock_hz`` converts them to
seconds (:math:`t = \\text{cycles}/f`). All ``vms`` run the same workload and
share the host's cores (for hypervisor and back-end work) and one device.

The device is modelled as a single server whose busy time per I/O is
``io_bytes / device_bandwidth`` (SCV ``device_scv``) plus a fixed, pipelined
``device_latency`` per I/O that delays the request but does not occupy the
device (wire and propagation time, flash access at queue depth > 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._params import ParameterSet, param
from .resources import PLATFORM_RESOURCES


@dataclass(frozen=True)
class Platform(ParameterSet):
    """A virtualization host and its shared device (see the module docstring)."""

    cores: int = param(32, unit="count", domain="count", latex=r"c_{\mathrm{host}}",
                       doc="host CPU cores (hardware threads) shared by hypervisor and back-ends")
    clock_hz: float = param(3.0e9, unit="Hz", domain="positive", latex="f",
                            doc="host clock rate (converts cycles to seconds)")
    vms: int = param(8, unit="count", domain="count", latex="V", doc="VMs sharing the host and the device")
    vcpus: int = param(1, unit="count", domain="count", latex=r"c_{\mathrm{vcpu}}",
                       doc="vCPUs per VM serving its requests")
    device_bandwidth: float = param(1.25e9, unit="B/s", domain="positive", latex="B",
                                    doc="device bandwidth (10 Gb/s = 1.25e9 B/s)")
    device_latency: float = param(5e-6, unit="s", latex=r"t_{\mathrm{dev}}",
                                  doc="fixed pipelined device latency per I/O (does not occupy the device)")
    device_scv: float = param(0.0, unit="1", latex=r"c^2_{\mathrm{dev}}",
                              doc="squared coefficient of variation of the device time per I/O")
    card_cores: int = param(4, unit="count", domain="count", latex=r"c_{\mathrm{card}}",
                            doc="cores of an offload card (used by the Nitro-style technique only)")

    def resources(self) -> tuple:
        """The host's named queues (:mod:`virtmodel.resources`): guest vCPUs, host cores, device, card.

        A platform with more (a second device) is a subclass that adds its
        parameters and returns more resources here.
        """
        return PLATFORM_RESOURCES
