"""A user-space network stack's costs per packet: a time per unit and a time per byte, calibrated from one flow.

Two stacks of the package run TCP/IP in a user-space process and move the
traffic with their own system calls: gVisor's netstack in the Sentry
(:mod:`~virtmodel.techniques.netstack`) and QEMU's slirp in the VMM's main loop
(:mod:`~virtmodel.techniques.vmm_slirp`). Both are calibrated the same way, from
one flow's throughput at two unit sizes, and both charge a request the same
Poisson sum of units and bytes; the two functions here are that shared logic.
"""

from __future__ import annotations

from ._base import Load, count_dispersion


def unit_byte_load(n_io, g, t_u, t_b, dispersion=None) -> Load:
    """A user-space stack's work for :math:`n_{\\mathrm{io}}` packets of :math:`g` units each, :math:`t_u` per unit
    and :math:`t_b` for one packet's bytes (shared by gVisor's netstack and QEMU's slirp,
    :mod:`~virtmodel.techniques.vmm_slirp`), the units' and the packets' counts each of index of dispersion
    :math:`\\kappa_n` (:func:`~._base.count_dispersion`; 1: Poisson):
    :math:`E = n_{\\mathrm{io}} (g t_u + t_b)`, :math:`\\mathrm{Var} = \\kappa_n n_{\\mathrm{io}} (g t_u^2 + t_b^2)`."""
    kappa = count_dispersion(dispersion, n_io, g, t_u, t_b)
    return Load(n_io * (g * t_u + t_b), kappa * n_io * (g * t_u**2 + t_b**2))


def unit_and_byte_times(small_bytes, small_rate, large_bytes, large_rate):
    """Per-unit and per-byte times of a stack from one flow's rate (bit/s) at two unit sizes (bytes), each rate
    taken as the stack's time per unit, :math:`t_m = 8 m / r_m`, and a line through the two
    (netstack's and slirp's calibrations):

    .. math:: t_B = \\frac{t_{m_2} - t_{m_1}}{m_2 - m_1}, \\qquad t_u = t_{m_1} - m_1 t_B

    >>> t_u, t_b = unit_and_byte_times(1500, 1.214e9, 65536, 10.825e9)   # gVisor's tcp_benchmark
    >>> round(t_u * 1e6, 2), round(t_b * 1e9, 3)
    (8.98, 0.602)
    """
    t_small, t_large = 8 * small_bytes / small_rate, 8 * large_bytes / large_rate
    t_b = (t_large - t_small) / (large_bytes - small_bytes)
    return t_small - small_bytes * t_b, t_b


__all__ = ["unit_byte_load", "unit_and_byte_times"]
