"""The simulation oracle: discrete-event simulations of the closed-form models.

Every simulator is seeded, discards a warm-up and returns means with batch-means
confidence intervals (:class:`Estimate`), under the field names of
:mod:`virtmodel.queueing`.
"""

from .distributions import Distribution, distribution
from .estimates import Estimate
from .lindley import simulate_gg1
from .result import NetworkSimulationResult, SimulationResult

__all__ = [
    "Distribution",
    "distribution",
    "Estimate",
    "SimulationResult",
    "NetworkSimulationResult",
    "simulate_gg1",
]
