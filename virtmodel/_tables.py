"""One pandas table from rows, in the order they were built.

``pandas.DataFrame.from_dict(rows, orient="index")`` sorts the index in some
pandas releases (2.0 does when the rows have one column), which reordered the
techniques of a comparison; every table of rows in the package goes through
:func:`table_from_rows` instead.
"""

from __future__ import annotations


def table_from_rows(rows: dict, index_name: str | None = None, columns=None, dtype=None):
    """``DataFrame`` with one row per key of ``rows`` (a dict of dicts), keys in insertion order.

    ``columns`` selects and orders the columns (default: the keys of the rows, in
    the order they first appear); ``dtype`` as for ``pandas.DataFrame``.
    """
    import pandas as pd

    return pd.DataFrame(list(rows.values()), index=pd.Index(list(rows), name=index_name),
                        columns=columns, dtype=dtype)
