"""A scalar call's shape is () without broadcasting its values (model/_evaluate.py, perf11): same results.

``Model._resolve`` calls a call scalar when no value (the model's own or an override) has a
dimension; ``evaluate_metrics`` then takes the shape ``()`` instead of broadcasting every value.
A 0-d array, a NumPy scalar and a float must give the same float; one array among the values, the
model's own or an override, still gives its shape, percentiles and the variance included (each point
as the scalar call gives it, to 1e-12).
"""

import numpy as np
import pytest

from virtmodel.model import Model

METRICS = ["mean_latency", "p99", "latency_variance", "overhead", "bottleneck"]


@pytest.mark.parametrize("metric", METRICS)
def test_a_zero_d_array_a_numpy_scalar_and_a_float_agree(metric):
    m = Model("sriov", "small_packet_rr")
    rate = m.values()["arrival_rate"] * 0.5
    plain = m.evaluate(metric, arrival_rate=float(rate))
    for value in (np.float64(rate), np.array(rate)):
        got = m.evaluate(metric, arrival_rate=value)
        assert type(got) is type(plain) and got == plain


@pytest.mark.parametrize("metric", METRICS)
def test_one_array_gives_its_shape(metric):
    m = Model("hardware_assist", "small_packet_rr")
    rate = m.values()["arrival_rate"]
    rates = np.array([[0.25], [0.5], [0.75]]) * rate
    got = m.evaluate(metric, arrival_rate=rates, vms=np.array([1, 2]))
    assert np.shape(got) == (3, 2)
    one = m.evaluate(metric, arrival_rate=float(rates[1, 0]), vms=1)
    # (the array and scalar stages round alike to 1e-12, not always to the last bit: as on the base)
    assert got[1, 0] == one if metric == "bottleneck" else got[1, 0] == pytest.approx(one, rel=1e-12)
