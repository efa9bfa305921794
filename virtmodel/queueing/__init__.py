"""Closed-form queueing models: single stations, open and closed networks.

Every function takes numbers, NumPy arrays (broadcast together) or SymPy
expressions, and returns results of the same kind, from one formula written
once (see :mod:`virtmodel._backend`).

Each name below is imported from its module when first used (:mod:`virtmodel._lazy`):
a model's first call loads only the stations it needs.
"""

from .._lazy import lazy_names

_SOURCES = {
    "StationResult": "_result", "NetworkResult": "_network_result", "erlang_b": "erlang", "erlang_c": "erlang",
    "ClosedNetworkResult": "_closed_network_result", "MulticlassNetworkResult": "_multiclass_result",
    "ClosedBounds": "closed_bounds", "NormalizingConstant": "normalizing_constant",
    "visits_from_routing": "routing", "mmc_service_level": "mmc_waiting",
    "mm1_state_probability": "state_probabilities", "mmc_state_probability": "state_probabilities",
    "mmck_state_probability": "state_probabilities", "MultiClassResult": "_multiclass",
}

__all__ = ["StationResult", "mm1",
           "NetworkResult", "erlang_b", "erlang_c", "gg1", "ggc", "md1", "mg1", "mg1_ps", "mmc", "mmck",
           "open_network",
           "ClosedNetworkResult", "mva", "mva_approx", "mva_multiclass",
           "MulticlassNetworkResult", "open_multiclass", "mixed_network",
           "ClosedBounds", "closed_bounds", "NormalizingConstant", "normalizing_constant",
           "visits_from_routing",
           "engset", "mminf", "mmc_service_level", "staffing",
           "mm1_state_probability", "mmc_state_probability", "mmck_state_probability",
           "MultiClassResult", "mg1_multiclass", "mg1_priority", "mg1_vacations",
           "mg1_exceptional", "mgc_multiclass"]

# every other name is a function in the module of its own name (mm1.mm1, ...)
__getattr__, __dir__ = lazy_names(__name__, {name: _SOURCES.get(name, name) for name in __all__})
