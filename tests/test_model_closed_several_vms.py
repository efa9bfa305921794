"""The closed model with several VMs (shadow servers, model/closed.py) against an independent event
simulation of every VM's users (tests/several_vms_oracle.py): mean, variance and p99 of one VM's
response time, with declared bands of (model / simulation - 1).

The simulation takes the model's own network at its operating point (the stations, their demands at
the loop's throughput, servers and service SCVs, the path delay) and runs ``vms`` copies of it that
share the shared stations, each request crossing the stations in order (one of a split resource's
stations at random): what the shadow servers and the residences' covariance approximate.

Measured 2026-12-07 (60,000 passages, seeds 1 and 2; the bands below hold both), with the shaped
product form of the variance (virtmodel/queueing/mva_response_variance.py, step 1b: each station's
queue-length distribution shaped by the SCVs of its service and of the stream reaching it, QNA's
linking equations around the cycle):

- **No shared bottleneck** (the shared stations' inflation below 2.4, the VM's own guest the
  bottleneck): mean 0..+6%, variance -2%..+6%, p99 -1%..+5%.
- **A split resource** (two vhost workers a request visits one of, two VMs): mean 0..+1%, variance
  -1%..+9%, p99 -1%..+5%: the covariance of an alternative group, which has no exact result.
- **A shared station that is the bottleneck of several VMs** (the host's cores under four or eight
  paravirtual VMs; inflation 2-8): mean 0..+12%, variance -16%..+11%, p99 -3%..+4%. With the
  shared station's SCV kept under the inflation (before ``_shared_scv``) the variance was +12% to
  +340% and the p99 +5% to +21%: the shadow server turned the other VMs' many small requests into a
  few large ones of the tagged VM.
- **A near-deterministic bottleneck** (the wire, SCV 0.02: bulk transfer, one or two VMs): variance
  +1%..+241%, p99 +1%..+23%, mean up to +15% (MVA's, whose exponential service the shaping does not
  touch), already with one VM. Before the shaping (2026-12-07) the variance was +21% to 18x and the
  p99 +1% to +45%: the product form's queue-length spread is a random service's, wider than a
  constant-time bottleneck's and than the regular stream it sends round the cycle.

Before the shaping the other kinds measured: no shared bottleneck variance -2%..+9%; split 0..+13%;
shared bottleneck -3%..+36%, p99 -1%..+4%.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

from virtmodel.model import Model
from virtmodel.model.closed import _load_dependent, _solve_loaded, _station_spread
from virtmodel.platform import Platform
from virtmodel.techniques import get

sys.path.insert(0, str(Path(__file__).parent))
from several_vms_oracle import simulate_vms  # noqa: E402


def _network(m, users):
    """The model's per-VM network at its operating point: stations, delay, service SCVs, inflation."""
    v = m.values()
    result, stations, delay, inflation, _ = _solve_loaded(m.key, v, users)
    at = {**v, "arrival_rate": float(result.system_throughput)} if _load_dependent(m.key) else v
    scv = _station_spread(m.key, at)[0]
    return stations, delay, scv, np.asarray(inflation)


def errors(technique, params, workload, platform, users, think_factor, seed=1):
    """(mean, variance, p99) of model / simulation - 1, and the largest inflation."""
    base = Model(get(technique, **params), workload, platform)
    probe = Model(base.technique, base.workload.replace(users=users, think_time=0.0), platform)
    think = think_factor * sum(s[1] for s in _network(probe, users)[0])
    m = Model(base.technique, base.workload.replace(users=users, think_time=think), platform)
    stations, delay, scv, inflation = _network(m, users)
    r = simulate_vms(stations, delay, scv, platform.vms, users, think, passages=60_000, seed=seed)
    model = (m.evaluate("mean_latency"), m.evaluate("latency_variance"), m.evaluate("p99"))
    sim = (r.mean(), r.var(), float(np.quantile(r, 0.99)))
    return tuple(float(a) / b - 1 for a, b in zip(model, sim)), float(inflation.max())


LOADS = [(2, 0.0), (4, 1.0), (8, 0.0), (32, 0.0)]  # (users per VM, think time / the demands)

NO_SHARED_BOTTLENECK = [
    ("hardware_assist", {}, "web_serving", dict(vms=3, cores=1)),
    ("emulation", {}, "small_packet_rr", dict(vms=3, cores=1)),
    ("sriov", {}, "small_packet_rr", dict(vms=4, cores=2)),
    ("paravirtual", {}, "small_packet_rr", dict(vms=4, cores=2)),
    ("nitro", {}, "small_packet_rr", dict(vms=4, cores=2, card_cores=1)),
]
SPLIT = [("hardware_assist", {"queues": 2}, "small_packet_rr", dict(vms=2, cores=4, vcpus=2))]
SHARED_BOTTLENECK = [
    ("paravirtual", {}, "small_packet_rr", dict(vms=4, cores=1)),
    ("paravirtual", {}, "small_packet_rr", dict(vms=8, cores=2)),
]
DETERMINISTIC_BOTTLENECK = [("hardware_assist", {}, "bulk_transfer", dict(vms=v, cores=4)) for v in (1, 2)]

#: declared bands (low, high) of model / simulation - 1 for (mean, variance, p99)
BANDS = {
    "no shared bottleneck": [(-0.04, 0.08), (-0.06, 0.15), (-0.05, 0.09)],
    "split": [(-0.04, 0.06), (-0.06, 0.18), (-0.05, 0.09)],
    "shared bottleneck": [(-0.04, 0.18), (-0.25, 0.2), (-0.05, 0.08)],
    "deterministic bottleneck": [(-0.04, 0.2), (-0.05, 3.0), (-0.02, 0.3)],
}
CASES = ([("no shared bottleneck", c) for c in NO_SHARED_BOTTLENECK] + [("split", c) for c in SPLIT]
         + [("shared bottleneck", c) for c in SHARED_BOTTLENECK]
         + [("deterministic bottleneck", c) for c in DETERMINISTIC_BOTTLENECK])


@pytest.mark.slow
@pytest.mark.parametrize("kind, case", CASES, ids=[f"{k}-{c[0]}-{c[3]}" for k, c in CASES])
def test_several_vms_against_the_simulation_within_the_declared_bands(kind, case):
    technique, params, workload, platform = case
    for users, think in LOADS:
        errs, inflation = errors(technique, params, workload, Platform(**platform), users, think)
        for name, e, (low, high) in zip(("mean", "variance", "p99"), errs, BANDS[kind]):
            assert low <= e <= high, (users, think, name, e, inflation)
        if kind == "shared bottleneck" and users >= 8:
            assert inflation >= 2   # the case is what it says: the others take half the station or more


def test_one_vm_keeps_every_stations_scv():
    """The shared station's SCV divided by its inflation is no change with one VM (inflation 1), and
    with several VMs only at the inflated shared stations."""
    from virtmodel.model.closed import _shared_scv

    scv = np.array([0.7, 0.5, 0.02])
    assert np.array_equal(_shared_scv(scv, np.ones(3)), scv)
    assert np.allclose(_shared_scv(scv, np.array([1.0, 4.0, 1.0])), [0.7, 0.125, 0.02])
    one = Model(get("paravirtual"), "small_packet_rr", Platform(vms=1, cores=1))
    m = Model(one.technique, one.workload.replace(users=8, think_time=0.0), one.platform)
    stations, delay, scv_seen, inflation = _network(m, 8)
    assert np.all(inflation == 1)


def test_the_shared_bottleneck_tail_falls_with_the_many_pieces():
    """At a shared bottleneck the spread of the tagged VM's wait is that of many small services: its
    variance below what the inflated station's own SCV would give, its mean the same."""
    import virtmodel.model.closed as closed_module

    base = Model(get("paravirtual"), "small_packet_rr", Platform(vms=4, cores=1))
    m = Model(base.technique, base.workload.replace(users=8, think_time=0.0), base.platform)
    now = (m.evaluate("mean_latency"), m.evaluate("latency_variance"))
    kept = closed_module._shared_scv
    closed_module._shared_scv = lambda scv, inflation: scv
    closed_module._remembered_moments.cache_clear()
    try:
        before = (m.evaluate("mean_latency"), m.evaluate("latency_variance"))
    finally:
        closed_module._shared_scv = kept
        closed_module._remembered_moments.cache_clear()
    assert now[0] == pytest.approx(before[0], rel=1e-12)
    assert now[1] < 0.7 * before[1]
