"""Shared fixtures: a pure privileged-operation workload where the break-even is linear in the exit cost."""

import pytest

from virtmodel.techniques import get
from virtmodel.workload import Workload

#: one context switch per request and nothing else privileged; no I/O, no kernel time
PURE_CS = Workload(arrival_rate=1e-3, cpu_time=10e-6, kernel_fraction=0.0, syscalls=0, page_faults=0,
                   pte_updates=0, context_switches=1.0, register_writes=0, interrupts=0, io_ops=0,
                   io_interrupts=0, tlb_misses=0)


@pytest.fixture
def shadow_hw():
    """First-generation VT-x: shadow page tables, so a context switch is one exit."""
    return get("hardware_assist", nested_paging=False)


@pytest.fixture
def pure_cs():
    return PURE_CS
