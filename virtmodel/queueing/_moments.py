"""Moments of a service time known by its mean and SCV, and the ratio a wait's shape is made of.

The variances of the queueing core need a third moment that two numbers (the mean
:math:`m` and the SCV :math:`c_s^2`) do not fix; every formula here takes the
service time as gamma-distributed, the one assumption behind all of them (the M/G/1
family's Takacs variances, the time-sliced vCPU of :mod:`virtmodel.shared_host`,
Allen-Cunneen's conditional wait in :mod:`.mgc`). It is exact for exponential
(:math:`c_s^2 = 1`) and deterministic (:math:`c_s^2 = 0`) service.
"""

from __future__ import annotations


def second_moment(m, scv):
    """:math:`E[S^2] = m^2(1 + c_s^2)`."""
    return m**2 * (1 + scv)


def third_moment(m, scv):
    """:math:`E[S^3] = m^3(1 + c_s^2)(1 + 2c_s^2)` of a gamma-distributed service time (exact for
    exponential and deterministic service; the assumption behind every variance here)."""
    return m**3 * (1 + scv) * (1 + 2 * scv)


def excess_ratio(m, second, third):
    """:math:`E[S_e^2]/E[S_e]^2 = 4\\,m\\,E[S^3] / (3\\,E[S^2]^2)` of the stationary excess :math:`S_e`.

    :math:`S_e` is the residual service an arrival finds (density :math:`P(S > x)/m`), with
    :math:`E[S_e] = E[S^2]/(2m)` and :math:`E[S_e^2] = E[S^3]/(3m)`. It is 2 for exponential
    service (the excess is then exponential too), 4/3 for deterministic service, and at
    least 1 always (it is one plus the SCV of :math:`S_e`).
    """
    return 4 * m * third / (3 * second**2)


def gamma_excess_ratio(scv):
    """:func:`excess_ratio` of a gamma-distributed service time, :math:`4(1 + 2c_s^2)/(3(1 + c_s^2))`
    (:func:`third_moment`'s assumption): written as that ratio, it stays a number (between 4/3 and
    8/3) for an SCV whose moments overflow a float (beyond about 1e154)."""
    return (1 + 2 * scv) / (1 + scv) * 4 / 3
