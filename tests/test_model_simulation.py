"""The composed station network against the discrete-event oracle, one check per technique.

The model decomposes the network into stations with Poisson arrivals (Jackson-
style); the simulation runs the actual tandem (each VM's guest vCPUs, then the
shared host cores, device and card, in path order) with gamma service times of
each station's mean and SCV. Departures of a non-exponential station are not
Poisson, so a small stated slack (``rtol``) is allowed on top of the interval.
"""

import numpy as np
import pytest

from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.simulate import simulate_open_network
from virtmodel.techniques import names

VMS = 2
RTOL = 0.03  # Poisson-decomposition slack on the mean (measured error at 1e5 customers: <= 1.7%)
P99_RTOL = 0.10  # the p99 is a gamma two-moment fit (measured error: <= 7%)


def _network(model):
    table = model.station_table()
    table = table[table["demand"] > 0]
    per_vm = VMS if "guest" in table.index else 0
    stations = list(table.index)
    k = per_vm + len(stations) - 1
    rates, servers, scvs, entry = [], [], [], []
    for name in stations:
        copies = per_vm if name == "guest" else 1
        for _ in range(copies):
            rates.append(1.0 / table.loc[name, "demand"])
            servers.append(int(table.loc[name, "servers"]))
            scvs.append(table.loc[name, "service_scv"])
            entry.append(model.values()["arrival_rate"] if name == "guest" else 0.0)
    routing = np.zeros((k, k))
    nxt = per_vm  # every guest copy goes to the first shared station, then along the path
    for i in range(per_vm):
        if nxt < k:
            routing[i, nxt] = 1.0
    for i in range(per_vm, k - 1):
        routing[i, i + 1] = 1.0
    return entry, routing, rates, servers, scvs, table.attrs["delay"]


@pytest.mark.slow
@pytest.mark.parametrize("technique", names())
def test_network_agrees_with_simulation(technique):
    base = Model(technique, "web_serving", Platform(vms=VMS, cores=4))
    rate = 0.6 * base.evaluate("throughput_limit")
    model = Model(base.technique, base.workload.replace(arrival_rate=rate), base.platform)
    entry, routing, rates, servers, scvs, delay = _network(model)
    sim = simulate_open_network(entry, routing, rates, servers, service_scv=scvs, customers=60_000,
                                seed=7, percentiles=(0.99,))
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=RTOL), (
        sim.system_response_time, model.evaluate("mean_latency") - delay)
    p99 = sim.response_time_percentile(0.99)
    assert p99.contains(model.evaluate("p99") - delay, 0.99, rtol=P99_RTOL), (p99, model.evaluate("p99") - delay)
