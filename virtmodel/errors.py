"""Exception classes of virtmodel.

Every error a user can provoke with bad input is a :class:`ValueError` subclass
whose message names the parameter, the offending value and the valid range, so a
notebook user sees what to change instead of a traceback from deep inside SymPy
or NumPy.
"""

from __future__ import annotations

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


def unknown_name(parameter: str, value: object, choices, what: str, more: str = "") -> ParameterError:
    """The :class:`ParameterError` for a name that is not one of ``choices``, with close matches.

    The one "unknown name" message of the package: ``parameter = value is invalid:
    parameter must be <what> (did you mean 'x'? valid names: a, b, c <more>)``;
    a long list of choices is shortened to a few examples. Returned, not raised.
    """
    import difflib

    choices = [str(c) for c in choices]
    close = difflib.get_close_matches(value, choices, n=3, cutoff=0.6) if isinstance(value, str) else []
    shown = choices if len(choices) <= 20 else sorted(choices)[:8] + [f"... ({len(choices)} in all)"]
    detail = "valid names: " + ", ".join(shown) + (" " + more if more else "")
    if close:
        detail = "did you mean " + " or ".join(repr(c) for c in close) + "? " + detail
    return ParameterError(parameter, value, what, detail)
