"""Hypothesis: the laws of the composed model hold for any workload and technique."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtmodel.model import Model
from virtmodel.queueing.mgc import mgc_terms
from virtmodel.queueing import ggc
from virtmodel.techniques import Load, names
from virtmodel.workload import Workload

TECHS = [t for t in names() if t != "native"]

workloads = st.builds(
    Workload,
    cpu_time=st.floats(1e-6, 1e-2),
    cpu_scv=st.floats(0, 4),
    syscalls=st.floats(0, 100),
    page_faults=st.floats(0, 20),
    pte_updates=st.floats(0, 100),
    context_switches=st.floats(0, 10),
    io_ops=st.floats(0, 50),
    io_bytes=st.floats(64, 9000),
    io_interrupts=st.floats(0, 10),
    tlb_misses=st.floats(0, 1e4),
)


@settings(max_examples=40, deadline=None)
@given(tech=st.sampled_from(TECHS), w=workloads, f1=st.floats(0.0, 0.95), f2=st.floats(0.0, 0.95))
def test_latency_grows_with_the_arrival_rate(tech, w, f1, f2):
    m = Model(tech, w)
    limit = m.evaluate("throughput_limit")
    lo, hi = sorted((f1, f2))
    # (not the overhead: R/R_native can fall with load when virtualization adds
    # low-variance work that makes the guest's service time less variable)
    for metric in ("mean_latency", "p99"):
        a, b = m.evaluate(metric, arrival_rate=np.array([lo, hi]) * limit)
        assert b >= a * (1 - 1e-9), metric


@settings(max_examples=40, deadline=None)
@given(tech=st.sampled_from(TECHS), w=workloads)
def test_no_load_latency_is_the_sum_of_the_demands(tech, w):
    m = Model(tech, w)
    table = m.station_table(arrival_rate=0.0)
    assert m.evaluate("mean_latency", arrival_rate=0.0) == pytest.approx(
        table["demand"].sum() + table.attrs["delay"], rel=1e-10)
    native = Model("native", w)
    # at the same lambda = 0: the load-dependent wake-up work (b p, p = 1 there) is then the setup delay b
    extra_cpu = m.evaluate("cpu_per_request", arrival_rate=0.0) - native.evaluate("cpu_per_request", arrival_rate=0.0)
    extra_latency = m.evaluate("mean_latency", arrival_rate=0.0) - native.evaluate("mean_latency", arrival_rate=0.0)
    assert extra_latency == pytest.approx(extra_cpu, rel=1e-9, abs=1e-15)


@settings(max_examples=60, deadline=None)
@given(c=st.integers(1, 64), rho=st.floats(0.01, 0.97), s=st.floats(1e-7, 1.0), scv=st.floats(0, 5))
def test_each_station_obeys_little_and_agrees_with_the_core(c, rho, s, scv):
    lam = rho * c / s
    terms = mgc_terms(lam, s, scv * s**2, c)
    core = ggc(lam, s, c, 1.0, scv)
    from virtmodel.model._compile import Compiled

    response, utilization = Compiled((terms.response_time, terms.utilization))({})
    assert float(utilization) == pytest.approx(core.utilization, rel=1e-9)
    # Little: L = lambda R, and the core's L is its own lambda R
    assert lam * float(response) == pytest.approx(core.number_in_system, rel=1e-8)
