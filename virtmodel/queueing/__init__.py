"""Closed-form queueing models: single stations, open and closed networks.

Every function takes numbers, NumPy arrays (broadcast together) or SymPy
expressions, and returns results of the same kind, from one formula written
once (see :mod:`virtmodel._backend`).
"""

from ._result import StationResult
from .mm1 import mm1
from ._network_result import NetworkResult
from .erlang import erlang_b, erlang_c
from .gg1 import gg1
from .ggc import ggc
from .md1 import md1
from .mg1 import mg1
from .mg1_ps import mg1_ps
from .mmc import mmc
from .mmck import mmck
from .open_network import open_network
from ._closed_network_result import ClosedNetworkResult
from .mva import mva
from .mva_approx import mva_approx
from .mva_multiclass import mva_multiclass
from ._multiclass_result import MulticlassNetworkResult
from .open_multiclass import open_multiclass
from .mixed_network import mixed_network
from .closed_bounds import ClosedBounds, closed_bounds
from .normalizing_constant import NormalizingConstant, normalizing_constant
from .routing import visits_from_routing
from .engset import engset
from .mminf import mminf
from .mmc_waiting import mmc_service_level
from .staffing import staffing
from .state_probabilities import mm1_state_probability, mmc_state_probability, mmck_state_probability
from ._multiclass import MultiClassResult
from .mg1_multiclass import mg1_multiclass
from .mg1_priority import mg1_priority
from .mg1_vacations import mg1_vacations

__all__ = ["StationResult", "mm1",
           "NetworkResult", "erlang_b", "erlang_c", "gg1", "ggc", "md1", "mg1", "mg1_ps", "mmc", "mmck",
           "open_network",
           "ClosedNetworkResult", "mva", "mva_approx", "mva_multiclass",
           "MulticlassNetworkResult", "open_multiclass", "mixed_network",
           "ClosedBounds", "closed_bounds", "NormalizingConstant", "normalizing_constant",
           "visits_from_routing",
           "engset", "mminf", "mmc_service_level", "staffing",
           "mm1_state_probability", "mmc_state_probability", "mmck_state_probability",
           "MultiClassResult", "mg1_multiclass", "mg1_priority", "mg1_vacations"]

from .mg1_exceptional import mg1_exceptional  # noqa: E402

__all__ += ["mg1_exceptional"]

from .mgc_multiclass import mgc_multiclass  # noqa: E402

__all__ += ["mgc_multiclass"]
