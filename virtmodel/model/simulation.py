"""A model's station network, rebuilt for the discrete-event oracle.

The model decomposes a technique's path into stations fed by Poisson streams
(Jackson-style) and sums their response times. :func:`simulation_network`
rebuilds the *actual* network for :func:`virtmodel.simulate.simulate_open_network`:
one guest station per VM (each VM's own vCPUs), then the shared stations (host
cores, device, offload card) in path order, each with the model's mean demand
as its mean service time and the model's service-time SCV. The simulation uses
none of the model's formulas, so it checks them: in particular the Poisson
decomposition (departures of a non-exponential station are not Poisson) and the
gamma two-moment fit behind the percentiles.

The path's pure delay (fixed device latency) is not a station; it is returned
separately and must be added to simulated times (or taken out of the model's).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError


@dataclass(frozen=True)
class SimulationNetwork:
    """Inputs of :func:`~virtmodel.simulate.simulate_open_network` for one model."""

    arrival_rates: list
    routing: np.ndarray
    service_rates: list
    servers: list
    service_scv: list
    stations: list  # station name of each simulated station ("guest[0]", "host", ...)
    delay: float    # fixed path delay (s), not simulated

    def as_kwargs(self) -> dict:
        """The keyword arguments for ``simulate_open_network``."""
        return {"arrival_rates": self.arrival_rates, "routing": self.routing, "service_rates": self.service_rates,
                "servers": self.servers, "service_scv": self.service_scv}


def simulation_network(model) -> SimulationNetwork:
    """The open network of ``model``'s stations, one guest station per VM.

    Stations with zero demand are left out. Every VM sends ``arrival_rate``
    requests per second to its own guest station; each request then visits
    the shared stations once, in path order, and leaves.
    """
    from .model import Model

    if not isinstance(model, Model):
        raise ParameterError("model", model, "a virtmodel.model.Model", "e.g. Model(\"sriov\", \"small_packet_rr\")")
    table = model.station_table()
    table = table[table["demand"] > 0]
    vms = int(model.values()["vms"])
    rate = float(model.values()["arrival_rate"])
    names, entry, rates, servers, scvs = [], [], [], [], []
    for name in table.index:
        copies = vms if name == "guest" else 1
        for copy in range(copies):
            names.append(f"guest[{copy}]" if name == "guest" else name)
            entry.append(rate if name == "guest" else 0.0)
            rates.append(1.0 / float(table.loc[name, "demand"]))
            servers.append(int(table.loc[name, "servers"]))
            scvs.append(float(table.loc[name, "service_scv"]))
    k = len(names)
    guests = vms  # cpu_time > 0, so every model has a guest station
    routing = np.zeros((k, k))
    if guests < k:
        routing[:guests, guests] = 1.0  # every VM's guest feeds the first shared station
    for i in range(guests, k - 1):
        routing[i, i + 1] = 1.0
    return SimulationNetwork(entry, routing, rates, servers, scvs, names, float(table.attrs["delay"]))


def simulate_model(model, *, customers: int = 100_000, seed: int = 0, **kwargs):
    """Simulate ``model``'s station network; returns ``(result, delay)``.

    ``result`` is a :class:`~virtmodel.simulate` network result (times exclude
    the fixed path ``delay``, which is returned so it can be added back).
    Further keyword arguments go to ``simulate_open_network`` (``percentiles``,
    ``confidence``, ``batches`` ...).
    """
    from ..simulate import simulate_open_network
    from .model import Model

    if not isinstance(model, Model):
        raise ParameterError("model", model, "a virtmodel.model.Model", "e.g. Model(\"sriov\", \"small_packet_rr\")")
    network = simulation_network(model)
    result = simulate_open_network(**network.as_kwargs(), customers=customers, seed=seed, **kwargs)
    return result, network.delay
