"""Hypothesis: break_even on any pair, parameter, metric and workload gives a true root or a clear answer.

For every draw the outcome is one of: a value at which both techniques'
metric agree (relative difference <= 1e-6, both stable there; for a whole-number
parameter such as ``vms``, the difference changes sign between the neighbouring
whole numbers); "no crossing"
(``value`` None); or a :class:`~virtmodel.errors.ParameterError` /
:class:`~virtmodel.errors.UnstableError` with a message. Never an exception from
inside SymPy or NumPy (this test found ``Min(zoo, ...)`` raising from SymPy's
substitution for a workload without I/O, now a numeric fallback, and hundreds
of "crossings" of rounding noise where two metrics are equal, now a tie).
"""

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from virtmodel.analysis import break_even
from virtmodel.errors import ParameterError, UnstableError
from virtmodel.model import Model
from virtmodel.symbols import info
from virtmodel.techniques import names
from virtmodel.workloads import PRESETS

PARAMETERS = ["arrival_rate", "io_bytes", "syscalls", "exit_cycles", "vms", "cpu_time", "io_ops",
              "page_faults", "backend_time", "hypercall_cycles", "context_switches", "tlb_misses"]
METRICS = ["mean_latency", "p99", "overhead", "host_cores", "cpu_per_request", "throughput_limit", "guest_cores"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=st.permutations(names()).map(lambda p: p[:2]), parameter=st.sampled_from(PARAMETERS),
       metric=st.sampled_from(METRICS), workload=st.sampled_from(sorted(PRESETS)))
def test_break_even_is_a_true_root_or_a_clear_answer(pair, parameter, metric, workload):
    a, b = pair
    try:
        result = break_even(a, b, parameter, metric, workload=workload)
    except (ParameterError, UnstableError) as error:
        event(f"error: {type(error).__name__}")
        assert str(error)
        return
    # two smooth metrics cross a few times at most: many roots would be rounding noise of a tie
    assert len(result.roots) <= 4, result
    if result.value is None:
        event("no crossing" if result.status == "none" else "several crossings")
        return
    event(f"root ({result.method})")
    x = float(result.value)
    assert np.isfinite(x)
    models = [Model(name, workload) for name in pair]
    count = info(parameter).domain in ("count", "count0")
    points = sorted({np.floor(x), np.ceil(x)}) if count else [x]
    diffs = []
    for at in points:
        va, vb = (m.evaluate(metric, **({parameter: at} if parameter in m.values() else {})) for m in models)
        assert np.isfinite(va) and np.isfinite(vb), (result, at, va, vb)
        diffs.append((va - vb) / max(abs(va), abs(vb), 1e-300))
    if count and len(diffs) == 2:  # a crossing between two whole numbers: the sign changes there
        assert diffs[0] * diffs[1] <= 1e-12, (result, diffs)
    else:
        assert abs(diffs[0]) <= 1e-6, (result, diffs)
