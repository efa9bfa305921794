"""Readers of benchmark tools' output: fixtures written from the tools' documented formats."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from virtmodel.analysis import fit
from virtmodel.analysis.readers import read_fio, read_netperf, read_sockperf, read_wrk
from virtmodel.errors import ParameterError
from virtmodel.model import Model

HERE = Path(__file__).parent / "fixtures"


def test_fio_json_gives_total_latency_mean_completion_percentiles_rate_and_block_size():
    table = read_fio(HERE / "fio_randread.json")
    assert list(table.index) == ["fio_randread:randread:read"]  # the write side did no I/O
    row = table.iloc[0]
    assert row["mean_latency"] == pytest.approx(46000.75e-9)
    assert row["p50"] == pytest.approx(41e-6) and row["p99"] == pytest.approx(88e-6)
    assert row["p99.9"] == pytest.approx(160e-6) and row["p99.99"] == pytest.approx(420e-6)
    assert row["arrival_rate"] == 20000.0 and row["io_bytes"] == 4096.0


def test_fio_2_units_are_microseconds_and_bs_comes_from_the_options():
    text = ('{"global options": {"bs": "64k"}, "jobs": [{"jobname": "w", "write": {"iops": 500.0, '
            '"lat": {"mean": 120.0}, "clat": {"mean": 110.0, "percentile": {"99.000000": 300}}, "io_bytes": 1}}]}')
    row = read_fio(text).iloc[0]
    assert row["mean_latency"] == pytest.approx(120e-6) and row["p99"] == pytest.approx(300e-6)
    assert row["io_bytes"] == 65536.0


def test_netperf_classic_keys_and_csv():
    classic = read_netperf(HERE / "netperf_tcp_rr.txt").iloc[0]
    assert classic["arrival_rate"] == 31250.0 and classic["mean_latency"] == pytest.approx(32e-6)
    assert classic["io_bytes"] == 1.0
    keys = read_netperf(HERE / "netperf_omni_keys.txt").iloc[0]
    assert keys["mean_latency"] == pytest.approx(32.5e-6) and keys["p90"] == pytest.approx(38e-6)
    assert keys["p99"] == pytest.approx(61e-6) and keys["io_bytes"] == 64.0
    assert keys["arrival_rate"] == pytest.approx(30769.23)
    csv_row = read_netperf(HERE / "netperf_omni.csv").iloc[0]
    assert csv_row[["mean_latency", "p50", "p90", "p99"]].tolist() == pytest.approx([32.5e-6, 30e-6, 38e-6, 61e-6])


def test_wrk_summary_in_seconds():
    row = read_wrk(HERE / "wrk.txt").iloc[0]
    assert row["mean_latency"] == pytest.approx(812.35e-6)
    assert row["p50"] == pytest.approx(744e-6) and row["p75"] == pytest.approx(0.93e-3)
    assert row["p99"] == pytest.approx(2.21e-3) and row["arrival_rate"] == pytest.approx(78413.93)


def test_sockperf_half_round_trip_is_doubled_unless_asked_not_to():
    row = read_sockperf(HERE / "sockperf_pingpong.txt").iloc[0]
    assert row["mean_latency"] == pytest.approx(2 * 11.905e-6) and row["p99.999"] == pytest.approx(2 * 61.002e-6)
    assert row["p50"] == pytest.approx(2 * 11.702e-6)
    half = read_sockperf(HERE / "sockperf_pingpong.txt", round_trip=False).iloc[0]
    assert half["p99"] == pytest.approx(16.020e-6)


def test_several_runs_are_rows_and_a_reader_table_feeds_fit():
    text = (HERE / "netperf_tcp_rr.txt").read_text()
    table = read_netperf([text, text.replace("31250.00", "25000.00")])
    assert list(table.index) == ["run0", "run1"] and len(table) == 2
    model = Model("sriov", "small_packet_rr")
    data = read_netperf(HERE / "netperf_omni_keys.txt")[["arrival_rate", "mean_latency", "p99"]]
    result = fit(model, data, ["cpu_time"])
    assert result.values["cpu_time"] > 0 and result.dof == 1


@pytest.mark.parametrize("reader, text", [
    (read_fio, "not json"), (read_fio, '{"no_jobs": 1}'), (read_netperf, "nothing here\n"),
    (read_wrk, "nothing\n"), (read_sockperf, "nothing\n"), (read_fio, []), (read_wrk, 3),
    (read_netperf, "THROUGHPUT=12.5\nTHROUGHPUT_UNITS=10^6bits/s\n"), (read_netperf, "MEAN_LATENCY=abc\n"),
])
def test_bad_output_is_a_parameter_error(reader, text):
    with pytest.raises(ParameterError):
        reader(text)


def test_sockperf_round_trip_must_be_a_bool():
    with pytest.raises(ParameterError, match="round_trip"):
        read_sockperf(HERE / "sockperf_pingpong.txt", round_trip="yes")


def test_tables_are_dataframes_with_named_runs():
    assert isinstance(read_wrk(str(HERE / "wrk.txt")), pd.DataFrame)
    assert read_wrk(str(HERE / "wrk.txt")).index.name == "run"
