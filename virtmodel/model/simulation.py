"""A model's station network, rebuilt for the discrete-event oracle.

The model decomposes a technique's path into stations fed by Poisson streams
(Jackson-style) and sums their response times. :func:`simulation_network`
rebuilds the *actual* network for :func:`virtmodel.simulate.simulate_open_network`:
one copy per VM of each station a VM has alone (its vCPUs, first; a user-space
device model's I/O thread), then the shared stations (host cores, device,
offload card) in path order, each with the model's mean demand
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
    """The open network of ``model``'s stations, one copy of each per-VM station per VM
    (``splits`` copies per VM of a resource split over its queues, each taking a request with
    probability 1/q: the flow hash, as a random split).

    Stations with zero demand are left out. Every VM sends ``arrival_rate``
    requests per second to its own guest station; each request then visits
    its VM's other per-VM stations (``guest`` first, then the rest in path
    order), then the shared stations once, in path order, and leaves. A
    request's response time is a sum over stations, so the order within the
    path does not change the model's means; per-VM stations go first so the
    routing needs no memory of which VM a request came from.
    """
    from .model import Model

    if not isinstance(model, Model):
        raise ParameterError("model", model, "a virtmodel.model.Model", "e.g. Model(\"sriov\", \"small_packet_rr\")")
    table = model.station_table()
    table = table[table["demand"] > 0]
    sharing = [st.name for st in model._derived.stations if st.discipline != "fcfs" and st.name in table.index]
    if sharing:
        raise ParameterError("model", f"a model with the processor-sharing station {sharing[0]!r}",
                             "a model whose stations are all first come first served",
                             "this oracle simulates FCFS stations; simulate a PS station with "
                             "virtmodel.simulate.simulate_multiclass_network (disciplines='PS')")
    vms = int(model.values()["vms"])
    rate = float(model.values()["arrival_rate"])
    per_vm = {st.name for st in model._derived.stations if not st.shared}
    own = [n for n in table.index if n in per_vm]
    common = [n for n in table.index if n not in per_vm]
    names, entry, rates, servers, scvs = [], [], [], [], []

    def add(name, label, arrivals):
        names.append(label)
        entry.append(arrivals)
        rates.append(1.0 / float(table.loc[name, "demand"]))
        servers.append(int(table.loc[name, "servers"]))
        scvs.append(float(table.loc[name, "service_scv"]))

    # each VM's own stations: a resource split over q queues is q stations, each taking 1/q of the VM's requests
    layers = [[] for _ in range(vms)]  # per VM: the station indices of each of its own resources, in path order
    for name in own:  # guest[0..V-1], then e.g. iothread[0..V-1], vhost[0.0..V-1.q-1]
        q = int(round(float(table.loc[name, "splits"])))
        for copy in range(vms):
            layers[copy].append([len(names) + j for j in range(q)])
            for j in range(q):
                add(name, f"{name}[{copy}]" if q == 1 else f"{name}[{copy}.{j}]", rate if name == "guest" else 0.0)
    first_common = len(names)
    for name in common:
        add(name, name, 0.0)
    k = len(names)
    routing = np.zeros((k, k))
    for chain in layers:  # each VM's chain through its own stations, spread evenly over a split one
        for here, there in zip(chain, chain[1:]):
            for a in here:
                routing[a, there] = 1.0 / len(there)
        if first_common < k:
            routing[chain[-1], first_common] = 1.0  # then the first shared station
    for i in range(first_common, k - 1):
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
