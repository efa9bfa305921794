"""The machine: host cores and clock, the VMs sharing it, the shared device.

Published virtualization costs come in cycles; ``clock_hz`` converts them to
seconds (:math:`t = \\text{cycles}/f`). All ``vms`` run the same workload and
share the host's cores (for hypervisor and back-end work) and one device.

The device is modelled as a single server whose busy time per I/O is
``io_bytes / device_bandwidth`` (SCV ``device_scv``) plus a fixed, pipelined
``device_latency`` per I/O that delays the request but does not occupy the
device (wire and propagation time, flash access at queue depth > 1).

The memory's bandwidth (``memory="dram"``; ``"none"``, the default, is the
first model): ``memory_bandwidth`` and the station it gives are in
:mod:`virtmodel.memory`.

A second device, the disk (``disk="flash"`` or ``"rotating"``; ``"none"``,
the default, is the first model): the ``disk_*`` fields, its resource and
its service time are in :mod:`virtmodel.disk`. The defaults are an NVMe flash
disk's (``virtmodel.disk.DISKS``), the seek and rotation a 7200 rpm disk's.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._params import ParameterSet, flag, param
from .disk import MEDIA, disk_resources
from .memory import MEMORY_KINDS, memory_resources
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
    disk: str = flag("none", doc="the disk: none (first model), flash or rotating (virtmodel.disk)",
                     options=MEDIA)
    disk_servers: int = param(32, unit="count", domain="count", latex=r"c_{\mathrm{disk}}",
                              doc="flash: requests the disk serves at once (internal parallelism, ~QD32)")
    disk_bandwidth: float = param(3.5e9, unit="B/s", domain="positive", latex=r"B_{\mathrm{d}}",
                                  source="samsung970_spec", doc="disk transfer rate")
    disk_read_latency: float = param(50e-6, unit="s", latex=r"t_{\mathrm{rd}}", source="samsung970_spec",
                                     doc="fixed time of a disk read (flash: QD1 4 KiB read ~19K IOPS)")
    disk_write_latency: float = param(16e-6, unit="s", latex=r"t_{\mathrm{wr}}", source="samsung970_spec",
                                      doc="fixed time of a disk write (flash: into the drive's cache, ~60K IOPS)")
    disk_flush_time: float = param(50e-6, unit="s", latex=r"t_{\mathrm{fl}}", source="engineered_plp_fsync",
                                   doc="disk busy time per cache flush (flash with power-loss protection)")
    disk_seek_time: float = param(8.2e-3, unit="s", latex=r"T_{\mathrm{s}}", source="hgst_7k4000_spec",
                                  doc="rotating disk: mean seek time (7200 rpm: 8.2 ms)")
    disk_access_scv: float = param(0.0, unit="1", latex=r"c^2_{\mathrm{acc}}",
                                   doc="disk: squared coefficient of variation of an operation's fixed access time "
                                       "(0: constant; flash QD1 reads measure about 0.02, "
                                       "docs/background/service-time-spread.md)")
    disk_seek_scv: float = param(0.25, unit="1", latex=r"c^2_{\mathrm{s}}",
                                 doc="rotating disk: squared coefficient of variation of the seek (assumption)")
    disk_rotation_time: float = param(60 / 7200, unit="s", latex=r"T_{\mathrm{rot}}", source="hgst_7k4000_spec",
                                      doc="rotating disk: time of one revolution (7200 rpm)")

    memory: str = flag("none", doc="the memory's bandwidth: none (memory traffic does not queue; the first model) "
                                   "or dram (one station every CPU shares, virtmodel.memory)", options=MEMORY_KINDS)
    memory_bandwidth: float = param(1.536e11, unit="B/s", domain="positive", latex=r"B_{\mathrm{mem}}",
                                    doc="memory bandwidth of the host (assumption: 6 channels of DDR4-3200 at their "
                                        "peak, 6 x 3200 MT/s x 8 B = 153.6 GB/s; a STREAM run reaches less)")

    def resources(self) -> tuple:
        """The host's named queues (:mod:`virtmodel.resources`): guest vCPUs, host cores, device, card.

        With a disk (``disk`` not ``"none"``), also ``disk`` (:mod:`virtmodel.disk`); with
        ``memory="dram"``, also ``memory`` (:mod:`virtmodel.memory`).
        """
        disk = () if self.disk == "none" else disk_resources(self.disk)
        return PLATFORM_RESOURCES + disk + memory_resources(self.memory)
