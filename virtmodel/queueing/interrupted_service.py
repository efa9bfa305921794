"""Completion time of a service interrupted at Poisson instants (preemptive-resume breakdowns)."""

from __future__ import annotations


def interrupted_service(mean_service, service_variance, interruption_rate, mean_interruption,
                        interruption_second_moment) -> tuple:
    """Mean and variance of the completion time :math:`C` of work :math:`S` interrupted at rate :math:`\\eta`.

    While the work is being served, interruptions arrive as a Poisson process of
    rate :math:`\\eta` per second of *service*; each holds the server for an
    independent time :math:`D`, and the service resumes where it stopped
    (preemptive-resume). With :math:`N \\mid S \\sim \\mathrm{Poisson}(\\eta S)`,
    :math:`C = S + \\sum_{i \\le N} D_i` is a compound sum, and

    .. math::
        E[C] = E[S](1 + \\eta E[D]),\\qquad
        \\mathrm{Var}(C) = \\mathrm{Var}(S)(1 + \\eta E[D])^2 + \\eta E[S] E[D^2]

    (Gaver 1962; exact). The shared-host model uses it for a vCPU whose running
    time is cut into scheduler slices (:math:`\\eta = 1/Q` for a quantum
    :math:`Q`, :math:`D` the other vCPUs' slices). With :math:`\\eta = 0` or
    :math:`E[D] = 0`, :math:`C = S`. Any kind (numbers, arrays, SymPy); every
    input must be >= 0 (:class:`~virtmodel.errors.ParameterError` names the one that is not).

    >>> [float(x) for x in interrupted_service(1.0, 0.0, 0.5, 2.0, 4.0)]   # E[C] = 1 + 0.5 * 2, Var = 0.5 * 4
    [2.0, 2.0]

    References
    ----------
    D. P. Gaver, "A waiting line with interrupted service, including priorities",
    J. Royal Statistical Society B 24 (1962) 73-90; H. Takagi, *Queueing Analysis,
    Vol. 1*, North-Holland 1991, section 3.3 (the completion time).
    """
    from .._backend import kind_of
    from .._validate import nonnegative, same_shape

    names = ("mean_service", "service_variance", "interruption_rate", "mean_interruption",
             "interruption_second_moment")
    given = (mean_service, service_variance, interruption_rate, mean_interruption, interruption_second_moment)
    kind = kind_of(*given)
    same_shape(**dict(zip(names, given)))
    mean_service, service_variance, interruption_rate, mean_interruption, interruption_second_moment = (
        nonnegative(n, v, kind) for n, v in zip(names, given))
    return completion_moments(mean_service, service_variance, interruption_rate, mean_interruption,
                              interruption_second_moment)


def completion_moments(mean_service, service_variance, interruption_rate, mean_interruption,
                       interruption_second_moment) -> tuple:
    """The formula of :func:`interrupted_service` for checked inputs (no validation: the inner loop of a
    composed model)."""
    stretch = 1 + interruption_rate * mean_interruption
    mean = mean_service * stretch
    variance = service_variance * stretch**2 + interruption_rate * mean_service * interruption_second_moment
    return mean, variance


__all__ = ["interrupted_service", "completion_moments"]
