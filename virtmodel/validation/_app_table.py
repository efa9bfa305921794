"""The checks and columns shared by the functions that read an application table.

:func:`~virtmodel.validation.error_summary.error_summary` and
:func:`~virtmodel.validation.error_band.error_band` both take a table of
:func:`~virtmodel.validation.applications.recompute` (default: computed now with the
reported model), refuse anything else with a :class:`~virtmodel.errors.ParameterError`,
and may group its rows by the recipe's technique.
"""

from __future__ import annotations

from ..errors import ParameterError


def check_share(value, name: str) -> None:
    """A confidence level or a coverage: a number strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise ParameterError(name, value, "a number strictly between 0 and 1")


def application_table(table, needed: set):
    """``table``, checked to be a non-empty recompute() table with the ``needed`` columns; recompute() if None."""
    import pandas as pd

    if table is None:
        from .applications import recompute

        table = recompute()
    if not isinstance(table, pd.DataFrame):
        raise ParameterError("table", table, "a pandas DataFrame of recompute()")
    missing = set(needed) - set(table.columns)
    if missing:
        raise ParameterError("table", f"a table without {', '.join(sorted(missing))}",
                             f"a table of recompute() (columns {', '.join(sorted(needed))})")
    if len(table) == 0:
        raise ParameterError("table", "an empty table", "a table of recompute() with at least one row")
    return table


def with_technique(table):
    """``table`` with a ``technique`` column: each row's recipe's technique, ``"(no recipe)"`` where it has none."""
    from .applications import recipes

    known = recipes()
    return table.assign(technique=[known[row]["technique"] if row in known else "(no recipe)"
                                   for row in table["row"]])
