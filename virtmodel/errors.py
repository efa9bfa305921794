"""Exception classes of virtmodel.

Every error a user can provoke with bad input is a :class:`ValueError` subclass
whose message names the parameter, the offending value and the valid range, so a
notebook user sees what to change instead of a traceback from deep inside SymPy
or NumPy.
"""

from __future__ import annotations

import difflib

__all__ = ["ParameterError", "UnstableError", "SymbolicUnsupportedError", "unknown_name"]


class ParameterError(ValueError):
    """A parameter is outside its valid range, of the wrong type or shape.

    Attributes
    ----------
    parameter : str
        The name of the parameter, as the user passed it.
    value : object
        The offending value (for arrays: the first offending element).
    valid : str
        A human-readable statement of the valid range.
    """

    def __init__(self, parameter: str, value: object, valid: str, detail: str = ""):
        self.parameter = parameter
        self.value = value
        self.valid = valid
        msg = f"{parameter} = {value!r} is invalid: {parameter} must be {valid}"
        if detail:
            msg += f" ({detail})"
        super().__init__(msg)


class UnstableError(ValueError):
    """An open queue is offered a load it cannot serve (utilization >= 1).

    Raised for scalar inputs only; array sweeps mark unstable points with ``inf``
    instead (see :mod:`virtmodel.queueing`).

    Attributes
    ----------
    utilization : float
        The per-server utilization that was found to be >= 1.
    station : str
        Which model or station saturated.
    """

    def __init__(self, utilization: float, station: str = "queue", detail: str = ""):
        self.utilization = utilization
        self.station = station
        msg = (
            f"{station} is unstable: utilization = {utilization:.6g} >= 1 "
            "(the arrival rate must be below the service capacity)"
        )
        if detail:
            msg += f"; {detail}"
        super().__init__(msg)


class SymbolicUnsupportedError(ValueError):
    """A quantity has no closed form for symbolic input (use numbers instead)."""


_LISTED = 12
"""Up to this many valid names are all listed in the message; past it, the first few."""


def unknown_name(parameter: str, value: object, choices, what: str, more: str = "") -> ParameterError:
    """The :class:`ParameterError` for a name that is not one of ``choices``, suggesting close matches.

    The one helper for every look-up by name (citation keys, published
    measurements, EC2 generations, techniques, metrics ...). The caller raises it.

    Parameters
    ----------
    parameter : str
        The argument the user passed (e.g. ``"key"``).
    value : object
        The unknown name (a non-string gets no suggestions).
    choices : iterable of str
        The valid names, in the order to show them.
    what : str
        What a valid value is, for the message (``"a known citation key"``).
    more : str, optional
        A hint appended to the message.

    Returns
    -------
    ParameterError
        Its message names the value, says ``did you mean ...?`` when
        :func:`difflib.get_close_matches` finds close names, and lists the
        valid names (the first few when there are more than twelve).

    Examples
    --------
    >>> error = unknown_name("key", "adams2007", ["adams2006", "dong2010"], "a known citation key")
    >>> print(error)
    key = 'adams2007' is invalid: key must be a known citation key (did you mean 'adams2006'?
    valid names: adams2006, dong2010)
    """
    choices = [str(c) for c in choices]
    close = difflib.get_close_matches(value, choices, n=3) if isinstance(value, str) else []
    if len(choices) <= _LISTED:
        detail = "valid names: " + ", ".join(choices)
    else:
        detail = f"{len(choices)} valid names, e.g. " + ", ".join(choices[:5])
    if close:
        detail = "did you mean " + " or ".join(repr(c) for c in close) + "? " + detail
    if more:
        detail += " " + more
    return ParameterError(parameter, value, what, detail)
