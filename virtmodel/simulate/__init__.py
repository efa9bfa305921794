"""The simulation oracle: discrete-event simulations of the closed-form models.

Every simulator is seeded, discards a warm-up and returns means with
batch-means Student-t confidence intervals (:class:`Estimate`, 95% by
default), under the field names of :mod:`virtmodel.queueing`:

===================================  =====================================================
:func:`simulate_gg1`                 G/G/1 FCFS, vectorized Lindley recursion (NumPy)
:func:`simulate_ggc`                 G/G/c FCFS, optional finite capacity (Kiefer-Wolfowitz)
:func:`simulate_ps`                  G/G/1 processor sharing (virtual-time event loop)
:func:`simulate_priority`            multi-class M/G/1: FCFS or priority (event loop)
:func:`simulate_vacations`           M/G/1 with server vacations (recursion)
:func:`simulate_open_network`        open network, Markov routing (event loop)
:func:`simulate_closed_network`      closed network with think time (event loop)
:func:`simulate_multiclass_network`  open and closed classes, FCFS/PS/delay (event loop)
===================================  =====================================================
"""

from .closed_network import simulate_closed_network
from .distributions import Distribution, distribution
from .estimates import Estimate
from .lindley import simulate_gg1
from .multiclass_network import simulate_multiclass_network
from .multiserver import simulate_ggc
from .open_network import simulate_open_network
from .processor_sharing import simulate_ps
from .priority import simulate_priority
from .vacations import simulate_vacations
from .result import NetworkSimulationResult, SimulationResult

__all__ = [
    "Distribution",
    "distribution",
    "Estimate",
    "SimulationResult",
    "NetworkSimulationResult",
    "simulate_gg1",
    "simulate_ggc",
    "simulate_ps",
    "simulate_open_network",
    "simulate_closed_network",
    "simulate_multiclass_network",
    "simulate_priority",
    "simulate_vacations",
]

from .time_slices import simulate_time_slices  # noqa: E402

__all__ += ["simulate_time_slices"]
