"""Widgets that feel instant: an interactive comparison of the techniques.

:func:`dashboard` builds latency-vs-load curves with sliders for the
workload and platform, a technique picker, a metric picker and a readout of
the winner, its margin and the leaders' break-even. It works with the inline
backend, with ipympl (``%matplotlib widget``), in Voila and from a script
(``d.controls["vms"].value = 16`` moves the curves; ``d.fig`` is the figure).
"""

from .dashboard import SIX, Dashboard, dashboard

__all__ = ["SIX", "Dashboard", "dashboard"]
