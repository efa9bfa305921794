"""Simulation oracle for the virtio transport: a vCPU's requests built register access by register access.

The closed form of :mod:`virtmodel.techniques.virtio_transport` charges each device interrupt
:math:`k_{\\mathrm{mmio}}` exits handled in user space on virtio-MMIO and none on PCI with
MSI-X. This module walks the guest driver's accesses instead. Each request brings a Poisson
number of I/Os and, independently, a Poisson number of device interrupts. Each I/O kicks the
device (``kicks_per_io`` writes to ``QueueNotify``); each interrupt is delivered with its own
exits (``exits_per_interrupt``, in the host kernel) and then runs the transport's handler,
listed in :data:`HANDLER_ACCESSES` as the register offsets the Linux driver touches (PCI
MSI-X: none, the handler reads the rings in guest memory; MMIO: read ``InterruptStatus``,
write ``InterruptACK``). An access is an exit handled in the host kernel when the VMM
registered an ioeventfd at its offset (:data:`FIRECRACKER_IOEVENTFDS`: ``QueueNotify`` only)
and an exit that returns to the VMM in user space otherwise. The vCPU serves the requests
first come, first served (the Lindley recursion). Nothing here is shared with the closed form:
the exits come from the walk, not from a count.
"""

from __future__ import annotations

import numpy as np

from .lindley import lindley_waits
from ._number import number

#: virtio-MMIO register offsets (virtio specification, MMIO Device Register Layout)
QUEUE_NOTIFY, INTERRUPT_STATUS, INTERRUPT_ACK = 0x050, 0x060, 0x064
#: the registers a Linux guest's interrupt handler reads or writes, by transport
HANDLER_ACCESSES = {"pci": (), "mmio": (("read", INTERRUPT_STATUS), ("write", INTERRUPT_ACK))}
#: the offsets for which Firecracker registers an ioeventfd (device_manager/mmio.rs)
FIRECRACKER_IOEVENTFDS = frozenset({QUEUE_NOTIFY})


def exits_of(offsets, ioeventfds=FIRECRACKER_IOEVENTFDS) -> tuple:
    """``(in-kernel exits, user-space exits)`` of a sequence of register offsets accessed by the guest."""
    kernel = sum(1 for off in offsets if off in ioeventfds)
    return kernel, len(offsets) - kernel


def interrupt_offsets(transport: str) -> tuple:
    """The register offsets one device interrupt's handler accesses under ``transport``."""
    return tuple(off for _, off in HANDLER_ACCESSES[transport])


def vcpu_services(rng, requests: int, cpu_time: float, mean_ios: float, mean_interrupts: float, transport: str,
                  kernel_exit: float, user_extra: float, exits_per_interrupt: int = 2, kicks_per_io: int = 1):
    """Service times of ``requests`` requests on the vCPU (module docstring): ``cpu_time`` of work, then each
    kick and interrupt walked access by access; ``kernel_exit`` seconds per in-kernel exit, plus
    ``user_extra`` for an exit that returns to user space."""
    ios = rng.poisson(mean_ios, requests)
    irqs = rng.poisson(mean_interrupts, requests)
    handler = interrupt_offsets(transport)
    services = np.empty(requests)
    for i in range(requests):
        t = cpu_time
        for _ in range(ios[i]):
            kernel, user = exits_of((QUEUE_NOTIFY,) * kicks_per_io)
            t += kernel * kernel_exit + user * (kernel_exit + user_extra)
        for _ in range(irqs[i]):
            t += exits_per_interrupt * kernel_exit  # delivery and EOI, in the host kernel
            kernel, user = exits_of(handler)
            t += kernel * kernel_exit + user * (kernel_exit + user_extra)
        services[i] = t
    return services


def simulate_vcpu(arrival_rate, cpu_time, mean_ios, mean_interrupts, transport, kernel_exit, user_extra, *,
                  exits_per_interrupt=2, kicks_per_io=1, customers=200_000, warmup=20_000, seed=0):
    """``(mean response time, mean service time)`` of one FCFS vCPU fed Poisson requests (module docstring).

    Examples
    --------
    >>> _, s = simulate_vcpu(1.0, 0.0, 0.0, 1.0, "mmio", 1e-6, 1e-6, customers=4000, warmup=0)
    >>> round(s / 6e-6, 1)   # one interrupt per request: 2 in-kernel exits + 2 user-space exits of 2 us
    1.0
    """
    rate = number("arrival_rate", arrival_rate)
    rng = np.random.default_rng(seed)
    services = vcpu_services(rng, customers + warmup, cpu_time, mean_ios, mean_interrupts, transport, kernel_exit,
                             user_extra, exits_per_interrupt, kicks_per_io)
    gaps = rng.exponential(1.0 / rate, customers + warmup)
    waits = lindley_waits(gaps, np.concatenate(([0.0], services[:-1])))
    response = (waits + services)[warmup:]
    return float(response.mean()), float(services[warmup:].mean())


__all__ = ["QUEUE_NOTIFY", "INTERRUPT_STATUS", "INTERRUPT_ACK", "HANDLER_ACCESSES", "FIRECRACKER_IOEVENTFDS",
           "exits_of", "interrupt_offsets", "vcpu_services", "simulate_vcpu"]
