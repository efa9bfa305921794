"""Where it pays off: comparisons, break-even points, win regions, sweeps, history.

Compute, then present: each function returns data (pandas, xarray or a result
object); :mod:`virtmodel.plotting` draws it.

==========================  ======================================================
:func:`compare`             techniques x metrics at one point (pandas DataFrame)
:func:`break_even`          where two techniques tie on a metric (closed form or
                            numeric root; a curve over a second parameter)
:func:`win_regions`         the best technique over a 2-D grid, with the margin
:func:`sweep`               metrics x techniques over a grid (xarray; dask-chunked)
:func:`compute`             a lazy (dask) sweep computed with a progress bar
:func:`exit_cost_history`   exit cost by processor generation vs binary translation
:func:`sensitivity`         which parameter drives a metric: elasticities at a point
==========================  ======================================================
"""

from .break_even import BreakEven, break_even
from .compare import compare
from .history import exit_cost_history
from .regions import win_regions
from .sensitivity import sensitivity
from .sweep import compute, sweep

__all__ = ["BreakEven", "break_even", "compare", "compute", "exit_cost_history", "sensitivity", "sweep",
           "win_regions"]
