"""Units a reader sees: engineering prefixes and units in headers, numbers kept numeric."""

import math

import numpy as np
import pandas as pd
import pytest

from virtmodel import ParameterError
from virtmodel.analysis import compare
from virtmodel.units import engineering_unit, header, readable


def test_engineering_prefixes():
    assert engineering_unit([2.9e-5, 4.0e-5, 1e-3], "s") == (1e-6, "µs")
    assert engineering_unit([0.2], "s") == (1e-3, "ms")
    assert engineering_unit([3.0], "s") == (1.0, "s")
    assert engineering_unit([1e-10], "s") == (1e-9, "ns")
    assert engineering_unit([66600.0], "1/s per VM") == (1e3, "k/s per VM")
    assert engineering_unit([math.inf, np.nan], "s") == (1.0, "s")
    assert engineering_unit([1.26], "1") == (1.0, "")
    assert engineering_unit([3.0], "cores") == (1.0, "cores")
    assert header("mean_latency", "µs") == "mean latency [µs]" and header("note", "") == "note"


def test_compare_with_units_in_the_header():
    plain = compare(
        ["native", "hardware_assist"], "small_packet_rr", metrics=["mean_latency", "overhead", "p99"]
    )
    shown = compare(
        ["native", "hardware_assist"],
        "small_packet_rr",
        metrics=["mean_latency", "overhead", "p99"],
        units="header",
    )
    assert list(shown.columns) == [
        "mean latency [µs]",
        "latency overhead vs native at this load",
        "99th-percentile latency [µs]",
        "note",
    ]
    assert shown["mean latency [µs]"].dtype.kind == "f"
    assert np.allclose(shown["mean latency [µs]"] * 1e-6, plain["mean_latency"], rtol=1e-12)
    assert shown.attrs["scales"]["mean latency [µs]"] == ("mean_latency", 1e-6)
    assert plain["mean_latency"].dtype.kind == "f" and plain.attrs["units"]["mean_latency"] == "s"
    with pytest.raises(ParameterError, match="units"):
        compare(["native"], "small_packet_rr", units="si")


def test_readable_keeps_other_columns_and_rounds():
    t = pd.DataFrame({"mean_latency": [2.91234e-5, np.inf], "bottleneck": ["guest", "host"]})
    r = readable(t, digits=3)
    assert r["mean latency [µs]"].tolist() == [29.1, np.inf] and r["bottleneck"].tolist() == ["guest", "host"]
