"""The flows' SCVs around a closed cycle (virtmodel/queueing/flow_scv.py): QNA's limits, the
exponential cycle, and the convex-hull law of single servers and delays."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtmodel.queueing.flow_scv import cycle_arrival_scvs, delay_departure_scv, queue_departure_scv


def test_a_busy_server_passes_on_its_service_and_an_idle_one_its_arrivals():
    assert queue_departure_scv(3.0, 1.0, 0.02, 1) == pytest.approx(0.02)
    assert queue_departure_scv(3.0, 0.0, 0.02, 1) == pytest.approx(3.0)
    assert queue_departure_scv(0.5, 0.6, 1.0, 1) == pytest.approx(0.64 * 0.5 + 0.36)  # convex combination
    # several servers: a busy station's own pattern counts 1/sqrt(c) (QNA eq. 4.10)
    assert queue_departure_scv(1.0, 1.0, 0.0, 4) == pytest.approx(0.5)


def test_equal_delays_keep_a_stream_and_spread_ones_make_it_poisson():
    assert delay_departure_scv(0.05, 10.0, 2.0, 0.0) == pytest.approx(0.05)
    assert delay_departure_scv(0.05, 10.0, 1e6, 1.0) == pytest.approx(1.0, abs=1e-6)
    assert delay_departure_scv(1.0, 10.0, 2.0, 4.0) == 1.0


def test_an_exponential_cycle_is_poisson_everywhere():
    arrivals, to_think = cycle_arrival_scvs([1.0, 0.5, 0.8, 2.0], [1, 2, 1, np.inf], 1.0, 0.9, think_time=3.0)
    assert np.allclose(arrivals, 1.0, atol=1e-12) and to_think == pytest.approx(1.0, abs=1e-12)


def test_a_saturated_constant_time_bottleneck_sets_the_stream_after_it():
    # the first station nearly saturated with constant service; the others light: the stream leaving
    # it, through a constant delay, reaches the next queue nearly as regular as its service
    arrivals, _ = cycle_arrival_scvs([1.0, 0.1, 5.0], [1, 1, np.inf], [0.0, 1.0, 0.0], 0.999)
    assert arrivals[1] < 0.01
    assert arrivals[2] == pytest.approx(queue_departure_scv(arrivals[1], 0.0999, 1.0, 1))


def test_alternatives_split_at_random_and_merge():
    # a Poisson stream split at random stays Poisson; so does the merge of Poisson pieces
    arrivals, _ = cycle_arrival_scvs([1.0, 1.0, 1.0], [1, 1, 1], 1.0, 0.4, visits=[1.0, 0.5, 0.5],
                                     groups=["a", "b", "b"])
    assert np.allclose(arrivals, 1.0)
    # a regular stream split in two: each half has SCV v c^2 + 1 - v
    arrivals, _ = cycle_arrival_scvs([1.0, 0.2, 0.2], [1, 1, 1], [0.0, 1.0, 1.0], 0.999, visits=[1.0, 0.5, 0.5],
                                     groups=["a", "b", "b"])
    reaching = arrivals[1]
    assert reaching == pytest.approx(arrivals[2])
    assert reaching > 0.5 and reaching < 0.6  # 0.5 * (near 0) + 0.5


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0.01, 5.0), st.floats(0.0, 6.0), st.booleans()), min_size=1, max_size=5),
       st.floats(0.01, 0.99), st.floats(0.0, 10.0))
def test_single_servers_and_delays_keep_every_scv_in_the_hull_of_the_services_and_one(stages, load, think):
    """A single server's departure is a convex combination of its arrivals' and its service's SCV, a
    delay's of its arrivals' and 1, random splitting and merging too: so every arrival SCV of the
    cycle lies between the smallest and the largest of 1 and the queues' service SCVs."""
    means = np.array([m for m, _, _ in stages])
    scv = np.array([s for _, s, _ in stages])
    servers = np.array([1.0 if q else np.inf for _, _, q in stages])
    queues = servers == 1
    X = load / means[queues].max() if queues.any() else 1.0
    arrivals, to_think = cycle_arrival_scvs(means, servers, scv, X, think_time=think)
    hull = np.concatenate(([1.0], scv[queues]))
    for a in np.append(arrivals, to_think):
        assert hull.min() - 1e-9 <= a <= hull.max() + 1e-9


@pytest.mark.parametrize("bad, named", [
    (dict(means=[1.0, -0.5]), "means"), (dict(means=[1.0, float("nan")]), "means"),
    (dict(servers=[1, 0.5]), "servers"), (dict(scv=[1.0, -1.0]), "scv"),
    (dict(throughput=float("nan")), "throughput"), (dict(throughput=-1.0), "throughput"),
    (dict(visits=[1.0, 0.0]), "visits"), (dict(visits=[1.0, 1.5]), "visits"),
    (dict(groups=["a"]), "groups"), (dict(think_time=-2.0), "think_time"),
])
def test_bad_input_is_refused_by_name(bad, named):
    from virtmodel.errors import ParameterError

    args = {**dict(means=[1.0, 0.5], servers=[1, 1], scv=[1.0, 0.5], throughput=0.5), **bad}
    with pytest.raises(ParameterError, match=named):
        cycle_arrival_scvs(args.pop("means"), args.pop("servers"), args.pop("scv"), args.pop("throughput"), **args)
