"""virtmodel: what virtualization costs, in closed-form queueing models.

Import is light: SymPy is only imported when a symbolic result is asked for.
"""

from .errors import ParameterError, SymbolicUnsupportedError, UnstableError

__version__ = "0.1.0"

__all__ = ["ParameterError", "UnstableError", "SymbolicUnsupportedError", "__version__"]
