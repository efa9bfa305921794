"""The model layer: compose a technique, a workload and a platform; derive the metrics.

:class:`Model` is the entry point; :func:`metric_names` lists the metrics (and
any latency percentile ``p<P>`` is one too: :func:`percentile_level`). SymPy
is imported on first use of a model, not when :mod:`virtmodel` is imported.
The closed model's and the simulation's names are imported when first used
(:mod:`virtmodel._lazy`): an open model's first call needs neither.
"""

from .._lazy import lazy_names
from ..percentile_names import PERCENTILES, is_percentile, percentile_level
from .model import Model, metric_names

__all__ = ["Model", "metric_names", "PERCENTILES", "is_percentile", "percentile_level", "ClosedResult",
           "closed_metric_names", "SimulationNetwork", "simulate_model", "simulation_network"]

__getattr__, __dir__ = lazy_names(__name__, {"ClosedResult": "closed", "closed_metric_names": "closed",
                                             "SimulationNetwork": "simulation", "simulate_model": "simulation",
                                             "simulation_network": "simulation"})
