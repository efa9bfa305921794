"""Input checks shared by the simulators (numbers only; no arrays, no symbols)."""

from __future__ import annotations

import numpy as np

from .._backend import SCALAR
from .._validate import positive, probability, whole
from ..errors import ParameterError, UnstableError
from ._number import number
from .distributions import distribution


def vector(name: str, value, size: int | None = None, *, allow_zero: bool = False, allow_inf=False):
    """A 1-d float array of finite values > 0 (or >= 0), of length ``size`` if given."""
    if type(value).__module__.startswith("sympy"):
        raise ParameterError(name, value, "numbers", "the simulation takes numbers only")
    arr = np.atleast_1d(positive(name, value, SCALAR, allow_zero=allow_zero, allow_inf=allow_inf))
    if size is not None and np.ndim(value) == 0:
        arr = np.full(size, float(arr[0]))
    if arr.ndim != 1 or (size is not None and arr.size != size):
        want = f"a 1-d array of {size} values" if size is not None else "a 1-d array"
        raise ParameterError(name, value, want, f"got shape {np.shape(value)}")
    return arr.astype(float)


def servers_vector(name: str, value, size: int) -> np.ndarray:
    """Per-station server counts: whole numbers >= 1 or ``inf`` (a delay station)."""
    values = np.broadcast_to(np.asarray(value, dtype=object), (size,)) if np.ndim(value) == 0 else value
    if np.ndim(values) != 1 or len(values) != size:
        raise ParameterError(name, value, f"a whole number or a 1-d array of {size} of them")
    return np.array([whole(name, v, allow_inf=True) for v in values], dtype=float)


#: the longest run a simulator takes (its arrays grow with the run: about 100 bytes a customer)
MAX_CUSTOMERS = 10**8


def run_lengths(customers, warmup, batches):
    """Check the run length; ``warmup=None`` means ``customers // 10``."""
    customers = whole("customers", customers, minimum=1, maximum=MAX_CUSTOMERS)
    if not isinstance(customers, int):
        raise ParameterError("customers", customers, "a whole number (the simulation takes numbers only)")
    if customers > MAX_CUSTOMERS:
        raise ParameterError("customers", customers, f"at most {MAX_CUSTOMERS:.0e}",
                             "a run's arrays grow with its length; pool several seeded runs instead")
    batches = whole("batches", batches, minimum=2)
    if customers < 10 * batches:
        raise ParameterError("customers", customers, f">= 10 x batches = {10 * batches}")
    warmup = customers // 10 if warmup is None else whole("warmup", warmup, minimum=0, maximum=MAX_CUSTOMERS)
    if not isinstance(warmup, int):
        raise ParameterError("warmup", warmup, "a whole number (the simulation takes numbers only)")
    return customers, warmup, batches


def confidence_level(value) -> float:
    return float(probability("confidence", value, SCALAR))


def quantile_levels(values) -> tuple:
    levels = tuple(float(probability("percentiles", p, SCALAR)) for p in np.atleast_1d(values))
    return levels


def generator(seed) -> np.random.Generator:
    """A NumPy Generator from an int, a SeedSequence or a Generator (``None`` is refused)."""
    if seed is None:
        raise ParameterError("seed", seed, "an int, a numpy SeedSequence or Generator",
                             "a simulation must be reproducible")
    if isinstance(seed, (bool, float, str)):
        raise ParameterError("seed", seed, "an int >= 0, a numpy SeedSequence or Generator")
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError):
        raise ParameterError("seed", seed, "an int >= 0, a numpy SeedSequence or Generator") from None


def check_stable(utilization, station: str, allow_unstable: bool) -> None:
    """Raise :class:`UnstableError` for a utilization >= 1 unless the user allows it."""
    rho = np.atleast_1d(utilization)
    if allow_unstable or not (rho >= 1).any():
        return
    k = int(np.argmax(rho >= 1))
    name = station if rho.size == 1 else f"{station} station {k}"
    raise UnstableError(float(rho[k]), name, "no steady state exists to estimate; "
                        "pass allow_unstable=True to simulate the transient anyway")


def station_inputs(arrival_rate, mean_service_time, arrival_scv, service_scv, arrival_family,
                   service_family, customers, warmup, batches, confidence, percentiles):
    """Check the arguments common to the single-station simulators."""
    from types import SimpleNamespace

    lam = number("arrival_rate", arrival_rate)
    es = number("mean_service_time", mean_service_time)
    customers, warmup, batches = run_lengths(customers, warmup, batches)
    return SimpleNamespace(
        arrival_rate=lam,
        mean_service_time=es,
        arrivals=distribution(1.0 / lam, arrival_scv, arrival_family),
        services=distribution(es, service_scv, service_family),
        customers=customers,
        warmup=warmup,
        batches=batches,
        confidence=confidence_level(confidence),
        percentiles=quantile_levels(percentiles),
    )
