"""scenario_bands: each technique's answers against bare metal with the validation's error band, by hand on a made-up table."""

import math

import numpy as np
import pandas as pd
import pytest

from virtmodel.errors import ParameterError
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.validation.applications import recipes
from virtmodel.validation.error_band import error_band, held_out_coverage
from virtmodel.validation.post_hoc import CHANGED_AFTER_COMPARING
from virtmodel.validation.scenario_bands import COLUMNS, QUESTIONS, scenario_bands
from virtmodel.workload import Workload


def _made_up_table():
    """Twelve rows of each kind the scenario asks, from four sources, on real recipe names (their techniques)."""
    names = [n for n in recipes() if n not in CHANGED_AFTER_COMPARING][:36]
    kinds = [q[2] for q in QUESTIONS for _ in range(12)]
    ratios = np.tile(np.linspace(0.7, 1.6, 12), 3)
    return pd.DataFrame({"row": names, "source": [f"s{i % 4}" for i in range(36)], "kind": kinds,
                         "published": 1.0, "predicted": ratios, "status": "modelled"})


TABLE = _made_up_table()


def test_answers_and_bands_by_hand():
    got = scenario_bands(["sriov", "hardware_assist"], "small_packet_rr", table=TABLE)
    assert list(got.columns) == list(COLUMNS)
    assert list(got["question"]) == [q[0] for q in QUESTIONS] * 2
    native, sriov = Model("native", "small_packet_rr"), Model("sriov", "small_packet_rr")
    want = {"throughput kept": sriov.evaluate("throughput_limit") / native.evaluate("throughput_limit"),
            "p99 ratio": sriov.evaluate("p99") / native.evaluate("p99"),
            "latency added": sriov.evaluate("mean_latency") - native.evaluate("mean_latency")}
    held = held_out_coverage(0.8, table=TABLE).set_index("group")["held_out_coverage"]
    for line in got[got["technique"] == "sriov"].itertuples():
        assert line.model == pytest.approx(want[line.question], rel=1e-12)
        band = error_band(line.model, line.kind, coverage=0.8, table=TABLE)
        assert (line.low, line.high, line.rows, line.sources) == (band.low, band.high, band.rows, band.sources)
        assert line.held_out_coverage == held[line.kind]
        assert line.low <= line.model <= line.high   # the made-up errors straddle 0: the band holds the value


def test_the_reference_and_techniques_that_do_not_apply_are_left_out():
    got = scenario_bands(["native", "sriov"], "small_packet_rr", Platform(vms=500), table=TABLE)
    assert got.empty   # native is the reference; 500 VMs are past SR-IOV's VF limit
    assert set(scenario_bands(["native", "nitro"], "small_packet_rr", table=TABLE)["technique"]) == {"nitro"}


def test_a_closed_workload_asks_the_throughput_question_only():
    closed = Workload(users=4, think_time=1e-3)
    got = scenario_bands(["hardware_assist"], closed, table=TABLE)
    assert list(got["question"]) == ["throughput kept"]
    want = Model("hardware_assist", closed).evaluate("throughput_limit") / Model("native", closed).evaluate("throughput_limit")
    assert got["model"].iloc[0] == pytest.approx(want, rel=1e-12)


def test_weights_reach_the_bands():
    by_rows = scenario_bands(["sriov"], "small_packet_rr", table=TABLE)
    by_sources = scenario_bands(["sriov"], "small_packet_rr", table=TABLE, weights="sources")
    assert list(by_rows["model"]) == list(by_sources["model"])
    band = error_band(by_rows["model"].iloc[0], "relative_throughput", table=TABLE, weights="sources")
    assert by_sources["low"].iloc[0] == band.low and by_sources["high"].iloc[0] == band.high


@pytest.mark.parametrize("kwargs,name", [({"coverage": 1.5}, "coverage"), ({"coverage": math.nan}, "coverage"),
                                         ({"weights": "votes"}, "weights"), ({"techniques": ["xen"]}, "technique")])
def test_bad_input_is_refused_by_name_before_anything_is_computed(kwargs, name):
    args = {"techniques": ["sriov"], "workload": "small_packet_rr", "table": None} | kwargs
    with pytest.raises(ParameterError) as err:
        scenario_bands(**args)
    assert err.value.parameter.startswith(name)
