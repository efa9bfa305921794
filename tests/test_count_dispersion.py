"""A request's operation counts of index of dispersion kappa (``count_dispersion``) and a disk access's
SCV (``disk_access_scv``): the defaults are the compound Poisson model exactly, the other values the
variance a hand computation gives, and the mean never moves."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from virtmodel import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.techniques import get, names
from virtmodel.techniques._base import events
from virtmodel.workload import Workload

READS = dict(arrival_rate=1.0, cpu_time=10e-6, cpu_scv=0.0, kernel_fraction=0.5, syscalls=0, page_faults=0,
             pte_updates=0, context_switches=0, register_writes=0, exceptions=0, tlb_misses=0, io_ops=0,
             io_interrupts=0, interrupts=0, file_reads=1, file_read_bytes=4096, page_cache_hit_ratio=0.0)


def test_events_variance_is_the_count_and_the_events_spread():
    """Var = E[n] Var(t) + Var(n) t^2 = n t^2 (kappa + c^2): Poisson (1), fixed (0), overdispersed (3)."""
    n, t, c2 = 4.0, 2e-6, 0.5
    for kappa in (1.0, 0.0, 3.0):
        load = events(n, t, c2, dispersion=kappa)
        assert load.mean == pytest.approx(n * t)
        assert load.var == pytest.approx(n * t**2 * (kappa + c2))


@pytest.mark.parametrize("technique", names())
@pytest.mark.parametrize("workload", ["small_packet_rr", "web_serving"])
def test_the_defaults_are_the_compound_poisson_model(technique, workload):
    m = Model(technique, workload, Platform(disk="flash"))
    rate = 0.3 * m.evaluate("throughput_limit")
    default = m.evaluate_all(arrival_rate=rate)
    spelled = m.evaluate_all(arrival_rate=rate, count_dispersion=1.0, disk_access_scv=0.0)
    for metric, value in default.items():
        assert spelled[metric] == value, metric


@pytest.mark.parametrize("technique", ["native", "hardware_assist", "paravirtual"])
def test_fixed_counts_narrow_the_spread_and_leave_the_mean(technique):
    m = Model(technique, "small_packet_rr", Platform())
    rate = 0.5 * m.evaluate("throughput_limit")
    poisson, fixed = (m.evaluate_all(arrival_rate=rate, count_dispersion=k) for k in (1.0, 0.0))
    assert fixed["throughput_limit"] == poisson["throughput_limit"]
    assert fixed["latency_variance"] < poisson["latency_variance"]
    assert fixed["p99"] < poisson["p99"]
    lone = [m.evaluate("mean_latency", arrival_rate=1e-9, count_dispersion=k) for k in (1.0, 0.0)]
    assert lone[0] == pytest.approx(lone[1], rel=1e-12)


def test_one_flash_read_at_qd1_by_hand():
    """One 4 KiB read per request, the CPU time constant: the lone request's variance is the disk
    access's alone, t_rd^2 (kappa + c^2_acc) (the transfer b/B_d is constant); kappa = 0 and c^2 = 0:
    a constant response."""
    platform = Platform(disk="flash")
    m = Model(get("native"), Workload(**READS), platform)
    t = platform.disk_read_latency
    transfer = READS["file_read_bytes"] / platform.disk_bandwidth
    for kappa, c2 in ((1.0, 0.0), (0.0, 0.0165), (0.0, 0.0), (1.0, 0.5)):
        var = m.evaluate("latency_variance", arrival_rate=1e-9, count_dispersion=kappa, disk_access_scv=c2)
        # the channel's transfer: a Poisson count of constant transfers adds kappa b^2/B^2
        assert var == pytest.approx(t**2 * (kappa + c2) + kappa * transfer**2, rel=1e-6)


@pytest.mark.parametrize("name, value", [("count_dispersion", -0.5), ("count_dispersion", np.nan),
                                         ("disk_access_scv", -1.0)])
def test_bad_values_are_named(name, value):
    m = Model("native", "small_packet_rr", Platform(disk="flash"))
    with pytest.raises(ParameterError, match=name):
        m.evaluate("p99", arrival_rate=100.0, **{name: value})


@settings(max_examples=40, deadline=None)
@given(technique=st.sampled_from(["native", "paravirtual", "hardware_assist", "sriov", "emulation", "nitro"]),
       workload=st.sampled_from(["small_packet_rr", "web_serving", "bulk_transfer"]),
       load=st.floats(0.05, 0.9), low=st.floats(0.0, 2.0), extra=st.floats(0.01, 2.0))
def test_more_dispersed_counts_never_narrow_the_spread_nor_shorten_the_wait(technique, workload, load, low, extra):
    """Law: the variance of every station's service grows with kappa, so the response's variance and its
    mean wait (M/G/c: the wait grows with the service variance) do not fall; the throughput limit and a
    lone request's mean do not depend on it."""
    m = Model(technique, workload, Platform())
    rate = load * m.evaluate("throughput_limit")
    a = m.evaluate_all(arrival_rate=rate, count_dispersion=low)
    b = m.evaluate_all(arrival_rate=rate, count_dispersion=low + extra)
    assert b["latency_variance"] >= a["latency_variance"] * (1 - 1e-12)
    assert b["mean_latency"] >= a["mean_latency"] * (1 - 1e-12)
    assert b["throughput_limit"] == a["throughput_limit"]
    lone = [m.evaluate("mean_latency", arrival_rate=1e-9, count_dispersion=k) for k in (low, low + extra)]
    assert lone[1] == pytest.approx(lone[0], rel=1e-9)
