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
from virtmodel.model.simulation import simulate_model, simulation_network
from virtmodel.techniques import names

VMS = 2
RTOL = 0.03  # Poisson-decomposition slack on the mean (measured error at 1e5 customers: <= 1.7%)
P99_RTOL = 0.10  # the p99 is a gamma two-moment fit (measured error: <= 7%)


@pytest.mark.slow
@pytest.mark.parametrize("technique", names())
def test_network_agrees_with_simulation(technique):
    base = Model(technique, "web_serving", Platform(vms=VMS, cores=4))
    rate = 0.6 * base.evaluate("throughput_limit")
    model = Model(base.technique, base.workload.replace(arrival_rate=rate), base.platform)
    sim, delay = simulate_model(model, customers=60_000, seed=7, percentiles=(0.99,))
    assert sim.system_response_time.contains(model.evaluate("mean_latency") - delay, 0.99, rtol=RTOL), (
        sim.system_response_time, model.evaluate("mean_latency") - delay)
    p99 = sim.response_time_percentile(0.99)
    assert p99.contains(model.evaluate("p99") - delay, 0.99, rtol=P99_RTOL), (p99, model.evaluate("p99") - delay)


def test_simulation_network_has_one_guest_per_vm_then_the_shared_path():
    model = Model("paravirtual", "small_packet_rr", Platform(vms=3, cores=4))
    net = simulation_network(model)
    assert net.stations[:3] == ["guest[0]", "guest[1]", "guest[2]"]
    assert net.stations[3:] == [n for n in model.station_table().index if n != "guest"
                                and model.station_table().loc[n, "demand"] > 0]
    assert net.arrival_rates[:3] == [model.values()["arrival_rate"]] * 3 and not any(net.arrival_rates[3:])
    assert np.allclose(net.routing[:3, 3], 1.0)  # each VM's guest feeds the first shared station
    assert np.allclose(net.routing.sum(axis=1)[:-1], 1.0) and net.routing[-1].sum() == 0  # then out
