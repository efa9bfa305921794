"""The model layer: compose a technique, a workload and a platform; derive the metrics.

:class:`Model` is the entry point; :func:`metric_names` lists the metrics (and
any latency percentile ``p<P>`` is one too: :func:`percentile_level`). SymPy
is imported on first use of a model, not when :mod:`virtmodel` is imported.
"""

from .closed import ClosedResult, closed_metric_names
from .model import Model, metric_names
from ..percentile_names import PERCENTILES, is_percentile, percentile_level
from .simulation import SimulationNetwork, simulate_model, simulation_network

__all__ = ["Model", "metric_names", "PERCENTILES", "is_percentile", "percentile_level", "ClosedResult",
           "closed_metric_names", "SimulationNetwork", "simulate_model", "simulation_network"]
