"""Where it pays off: comparisons, break-even points, win regions, sweeps, history.

Compute, then present: each function returns data (pandas, xarray or a result
object); :mod:`virtmodel.plotting` draws it.

==========================  ========================================================
:func:`compare`             techniques x metrics at one point (pandas DataFrame)
:func:`break_even`          where two techniques tie on a metric (closed form or
                            numeric root; a curve over a second parameter)
:func:`win_regions`         the best technique over a 2-D grid, with the margin
:func:`winner`              the best technique at every point of a sweep (lazy too)
:func:`sweep`               metrics x techniques over a grid (xarray; dask-chunked)
:func:`compute`             a lazy (dask) sweep computed with a progress bar
:func:`exit_cost_history`   exit cost by processor generation vs binary translation
:func:`sensitivity`         which parameter drives a metric: elasticities at a point
:func:`fit`                 parameters fitted to measurements (:class:`FitResult`)
:mod:`.readers`             fio, netperf, wrk and sockperf output as tables for fit
:func:`uncertainty`         a metric's spread over parameter uncertainty (Monte Carlo, Sobol)
:func:`preset_ranges`       the published ranges of the presets' costs
==========================  ========================================================
"""

from .break_even import BreakEven, break_even
from .compare import compare
from .fit import fit
from .fit_result import FitResult
from .readers import read_fio, read_netperf, read_sockperf, read_wrk
from .history import exit_cost_history
from .regions import win_regions
from .sensitivity import sensitivity
from .sweep import compute, sweep
from .parameter_ranges import Range, preset_ranges
from .uncertainty import UncertaintyResult, uncertainty
from .winner import winner

__all__ = ["BreakEven", "break_even", "compare", "compute", "exit_cost_history", "sensitivity", "sweep",
           "win_regions", "winner"]
__all__ += ["FitResult", "fit", "read_fio", "read_netperf", "read_sockperf", "read_wrk"]
__all__ += ["Range", "UncertaintyResult", "preset_ranges", "uncertainty"]
