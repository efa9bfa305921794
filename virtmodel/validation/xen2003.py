"""Barham et al. (SOSP 2003): Xen vs VMware Workstation vs native, lmbench and ttcp.

Situation
---------
Machine: Dell 2650, 2.4 GHz Xeon (2 CPUs), Linux 2.4.21, VMware Workstation 3.2.
Xen is :mod:`~virtmodel.techniques.paravirtual`, VMware Workstation is
:mod:`~virtmodel.techniques.binary_translation`, both with their defaults (cycle
costs converted at 2.4 GHz).

lmbench
    Each operation is a mix of the model's operation kinds (:data:`LMBENCH_MIX`;
    the counts for fork, exec and mmap are illustrative assumptions, not
    fitted). Model latency = native latency of the paper + the model's extra
    guest time for the mix. ``null call``, ``page fault`` and ``ctx switch`` set
    the paravirtual costs (and ``ctx switch`` the binary-translation one): those
    rows are calibrations.
ttcp
    One request = one packet of ``MTU + 38`` bytes on a 1 Gb/s wire carrying
    ``MTU - 40`` bytes of payload. The native CPU time per packet is set from the
    native MTU 500 throughput of each direction (the only calibration); kernel
    share and interrupt coalescing are those of the ``bulk_transfer`` preset.
    Predicted throughput = the model's ``throughput_limit`` (packets/s) x payload
    bits; the bottleneck station tells the regime (``device`` = wire-bound,
    ``guest``/``host`` = CPU-bound).

Source key ``barham2003``; measured values from :mod:`virtmodel.presets`.
"""

from __future__ import annotations

from .. import workloads
from ..model import Model
from ..platform import Platform
from ..presets import measurement
from ..workload import Workload
from ._rows import Row, guest_demand, winner

SOURCE = "barham2003"
CLOCK = 2.4e9
SITUATION = "Dell 2650, 2.4 GHz Xeon, Linux 2.4.21"
SYSTEMS = {"xen": "paravirtual", "vmware": "binary_translation"}
_ZERO = dict(syscalls=0, page_faults=0, pte_updates=0, context_switches=0, register_writes=0,
             interrupts=0, io_ops=0, io_interrupts=0, tlb_misses=0)

#: lmbench operation -> model operation counts (assumptions for fork, exec, mmap, prot_fault)
LMBENCH_MIX = {
    "null_call": dict(syscalls=1),
    "fork": dict(syscalls=1, context_switches=2, page_faults=20, pte_updates=100),
    "exec": dict(syscalls=2, context_switches=2, page_faults=60, pte_updates=300),
    "ctx_switch_2p_0k": dict(context_switches=1),
    "mmap": dict(syscalls=2, page_faults=16, pte_updates=64),
    "prot_fault": dict(syscalls=1, page_faults=1),
    "page_fault": dict(page_faults=1),
}
CALIBRATED = {("null_call", "xen"), ("page_fault", "xen"), ("ctx_switch_2p_0k", "xen"),
              ("ctx_switch_2p_0k", "vmware")}
#: (operation, system) -> relative tolerance of the prediction (None: a noted miss)
LMBENCH_TOLERANCE = {("fork", "xen"): 0.35, ("exec", "xen"): 0.35, ("mmap", "xen"): 0.35}


def lmbench_us(op: str, system: str) -> float:
    """The model's lmbench latency (us): the paper's native value + the model's extra time."""
    platform = Platform(clock_hz=CLOCK, cores=2, vms=1)
    w = Workload(**{**_ZERO, "cpu_time": 1e-9, **LMBENCH_MIX[op]})
    extra = guest_demand(SYSTEMS[system], w, platform) - guest_demand("native", w, platform)
    return round(measurement(f"xen.lmbench.{op}.native").value + extra * 1e6, 3)


def lmbench_rows() -> list:
    """lmbench latencies of Xen and VMware Workstation, model vs measured."""
    rows = []
    for op, mix in LMBENCH_MIX.items():
        measured = {s: measurement(f"xen.lmbench.{op}.{s}").value for s in SYSTEMS}
        model = {s: lmbench_us(op, s) for s in SYSTEMS}
        rows.append(Row("xen2003.lmbench", SITUATION, f"lmbench {op}: faster", winner(measured), winner(model),
                        "", SOURCE, "the model's VMware costs are Adams & Agesen's BT (ESX-style), not "
                        "Workstation's hosted world switches"))
        for system in SYSTEMS:
            calibrated = (op, system) in CALIBRATED
            tol = 1e-3 if calibrated else LMBENCH_TOLERANCE.get((op, system))
            mix_text = ", ".join(f"{k}={v}" for k, v in mix.items())
            rows.append(Row("xen2003.lmbench", SITUATION, f"lmbench {op}, {system}",
                            measured[system], model[system], "us",
                            SOURCE, f"mix: {mix_text}", "calibration" if calibrated else "prediction", tol))
    return rows


WIRE_BPS = 1e9
FRAMING = 38      # Ethernet header, FCS, preamble and inter-frame gap (bytes)
HEADERS = 40      # TCP/IP headers (bytes)


def _packet_workload(mtu: int, cpu_time: float) -> Workload:
    bulk = workloads.get("bulk_transfer")
    return Workload(**{**_ZERO, "cpu_time": cpu_time, "cpu_scv": 0.0, "kernel_fraction": bulk.kernel_fraction,
                       "io_ops": 1, "io_bytes": mtu + FRAMING,
                       "io_interrupts": bulk.io_interrupts / bulk.io_ops})


def native_cpu_per_packet(direction: str) -> float:
    """Native CPU seconds per packet from the native MTU 500 throughput (CPU-bound there)."""
    rate = measurement(f"xen.ttcp.mtu500.native.{direction}").value * 1e6
    return (500 - HEADERS) * 8 / rate


def ttcp_model(mtu: int, direction: str, system: str) -> tuple:
    """(throughput in Mb/s, bottleneck station) the model predicts for one ttcp stream."""
    technique = "native" if system == "native" else SYSTEMS[system]
    platform = Platform(clock_hz=CLOCK, cores=2, vms=1, vcpus=1, device_bandwidth=WIRE_BPS / 8,
                        device_scv=0.0)
    model = Model(technique, _packet_workload(mtu, native_cpu_per_packet(direction)), platform)
    pps = model.evaluate("throughput_limit")
    return round(pps * (mtu - HEADERS) * 8 / 1e6, 1), model.bottleneck()


def _regime(station: str) -> str:
    return "wire-bound" if station == "device" else "CPU-bound"


def ttcp_rows() -> list:
    """ttcp throughput at MTU 1500 and 500, TX and RX, and the regime of each system."""
    rows = []
    for mtu in (1500, 500):
        for direction in ("tx", "rx"):
            for system in ("native", "xen", "vmware"):
                measured = measurement(f"xen.ttcp.mtu{mtu}.{system}.{direction}").value
                mbps, station = ttcp_model(mtu, direction, system)
                calibrated = system == "native" and mtu == 500
                tol = 1e-3 if calibrated else (0.15 if system != "vmware" else None)
                situation = f"{SITUATION}; ttcp {direction.upper()}, MTU {mtu}"
                rows.append(Row("xen2003.ttcp", situation, f"throughput, {system}", measured, mbps, "Mb/s",
                                SOURCE, f"model bottleneck: {station}",
                                "calibration" if calibrated else "prediction", tol))
                line = measurement(f"xen.ttcp.mtu1500.native.{direction}").value
                published = "wire-bound" if measured >= 0.95 * line else "CPU-bound"
                rows.append(Row("xen2003.ttcp", situation, f"regime, {system}", published, _regime(station), "",
                                SOURCE, "finding xen.ttcp.regimes (wire-bound: within 5% of native MTU 1500)"))
    return rows


def rows() -> list:
    """Every Barham et al. row: lmbench, then ttcp."""
    return lmbench_rows() + ttcp_rows()
