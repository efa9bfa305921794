"""Measurements from common benchmark tools, as tables :func:`virtmodel.analysis.fit` reads.

Each reader takes the tool's output (a file path, the text itself, or a list
of either: one row per run or job) and returns a pandas DataFrame whose
columns are the package's names, in seconds and per second: metric columns
(``mean_latency``, ``p50``, ``p99``, ``p99.9`` ...) and the model parameters
the run sets (``arrival_rate``: the achieved request rate; ``io_bytes``: bytes
per I/O). The index names the run (file, job, direction); drop the columns a
fit should not see.

=======================  =========================================================
:func:`read_fio`         ``fio --output-format=json``: per job and direction
                         (read, write), ``lat_ns`` mean, ``clat_ns`` percentiles
                         (completion latency: submission left out), ``iops``,
                         block size (fio 3 units: ns; fio 2 ``lat``/``clat`` in us)
:func:`read_netperf`     ``TCP_RR``/``UDP_RR`` classic table (transactions/s:
                         mean latency = 1/rate, one transaction in flight),
                         omni ``-k`` ``KEY=value`` lines or ``-o`` CSV
                         (``MEAN_LATENCY``, ``P50/P90/P99_LATENCY``, in us)
:func:`read_wrk`         wrk's text summary: latency average, the ``--latency``
                         distribution, Requests/sec
:func:`read_sockperf`    sockperf ping-pong summary: average and percentiles,
                         which sockperf reports as half the round trip (doubled
                         here unless ``round_trip=False``)
=======================  =========================================================

A rate is the rate the tool achieved, which equals the offered load of an
open model only when nothing saturated; a closed-loop tool (netperf RR, wrk)
sets its own rate (see :mod:`virtmodel.model.closed` for ``users``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParameterError

_US, _NS, _MS = 1e-6, 1e-9, 1e-3
_WRK_UNITS = {"ns": _NS, "us": _US, "ms": _MS, "s": 1.0, "m": 60.0, "h": 3600.0}


def _texts(source, tool):
    """``[(label, text)]`` from a path, the text itself or a list of either."""
    items = list(source) if isinstance(source, (list, tuple)) else [source]
    if not items:
        raise ParameterError("source", source, f"{tool} output: a path, the text, or a list of them")
    out = []
    for i, item in enumerate(items):
        if isinstance(item, Path) or (isinstance(item, str) and "\n" not in item and len(item) < 4096
                                      and Path(item).is_file()):
            path = Path(item)
            if not path.is_file():
                raise ParameterError("source", str(item), f"the path of an existing {tool} output file")
            out.append((path.stem, path.read_text(encoding="utf-8", errors="replace")))
        elif isinstance(item, str):
            out.append((f"run{i}" if len(items) > 1 else "run", item))
        else:
            raise ParameterError("source", type(item).__name__, f"{tool} output: a path or its text")
    return out


def _frame(rows, tool) -> pd.DataFrame:
    if not rows:
        raise ParameterError("source", f"no {tool} results", f"{tool} output with at least one result")
    frame = pd.DataFrame(rows).set_index("run")
    return frame.dropna(axis=1, how="all")


def _percentile_name(level: float) -> str:
    """``p99``, ``p99.9``: the package's percentile metric name of a level in percent."""
    text = f"{level:.6f}".rstrip("0").rstrip(".")
    return f"p{text}"


# -- fio ---------------------------------------------------------------------
def read_fio(source) -> pd.DataFrame:
    """fio JSON output: one row per job and direction that did I/O (see the module docstring)."""
    rows = []
    for label, text in _texts(source, "fio"):
        try:
            data = json.loads(text[text.index("{"):])  # fio may print notes before the JSON
        except ValueError:
            raise ParameterError("source", label, "fio JSON output (--output-format=json)") from None
        jobs = data.get("jobs") if isinstance(data, dict) else None
        if not isinstance(jobs, list):
            raise ParameterError("source", label, "fio JSON output with a 'jobs' list")
        options = data.get("global options", {})
        for job in jobs:
            job_options = {**options, **job.get("job options", {})}
            for direction in ("read", "write", "trim"):
                stats = job.get(direction)
                if not isinstance(stats, dict) or not stats.get("total_ios", stats.get("io_bytes", 0)):
                    continue
                rows.append({"run": f"{label}:{job.get('jobname', 'job')}:{direction}",
                             **_fio_direction(stats, job_options, direction)})
    return _frame(rows, "fio")


def _fio_direction(stats, options, direction) -> dict:
    lat, clat, unit = _fio_latencies(stats)
    row = {"arrival_rate": float(stats["iops"]) if "iops" in stats else np.nan,
           "io_bytes": _fio_block_size(stats, options, direction)}
    if lat and "mean" in lat:
        row["mean_latency"] = float(lat["mean"]) * unit
    for key, value in (clat or {}).get("percentile", {}).items():
        row[_percentile_name(float(key))] = float(value) * unit
    return row


def _fio_latencies(stats):
    if "lat_ns" in stats or "clat_ns" in stats:
        return stats.get("lat_ns"), stats.get("clat_ns"), _NS
    return stats.get("lat"), stats.get("clat"), _US  # fio 2: microseconds


def _fio_block_size(stats, options, direction) -> float:
    """Bytes per I/O: measured (bytes / ios) if fio gives both, else the ``bs`` option."""
    if stats.get("total_ios") and stats.get("io_bytes"):
        return float(stats["io_bytes"]) / float(stats["total_ios"])
    bs = options.get(f"bs_{direction}") or options.get("bs")
    return _size(bs) if bs else np.nan


def _size(text) -> float:
    """``4k`` -> 4096 (fio's sizes are powers of two by default)."""
    match = re.fullmatch(r"\s*([\d.]+)\s*([kmgt]?)i?b?\s*", str(text).lower())
    if not match:
        raise ParameterError("bs", text, "a fio block size such as 4k or 65536")
    return float(match[1]) * 1024 ** "-kmgt".index(match[2] or "-")


# -- netperf -----------------------------------------------------------------
_NETPERF_KEYS = {"MEAN_LATENCY": "mean_latency", "P50_LATENCY": "p50", "P90_LATENCY": "p90",
                 "P99_LATENCY": "p99", "MIN_LATENCY": None, "MAX_LATENCY": None}
_NETPERF_CSV = {"Mean Latency Microseconds": "MEAN_LATENCY", "50th Percentile Latency Microseconds": "P50_LATENCY",
                "90th Percentile Latency Microseconds": "P90_LATENCY",
                "99th Percentile Latency Microseconds": "P99_LATENCY", "Throughput": "THROUGHPUT",
                "Throughput Units": "THROUGHPUT_UNITS", "Request Size Bytes": "REQUEST_SIZE"}


def read_netperf(source) -> pd.DataFrame:
    """netperf request/response output (classic table, omni ``-k`` or ``-o``): see the module docstring."""
    rows = []
    for label, text in _texts(source, "netperf"):
        keys = _netperf_keys(text)
        row = _netperf_row(keys) if keys else _netperf_classic(text, label)
        rows.append({"run": label, **row})
    return _frame(rows, "netperf")


def _netperf_keys(text) -> dict:
    """``{KEY: text}`` from ``-k`` lines or an ``-o`` CSV header and value line."""
    pairs = dict(re.findall(r"^\s*([A-Z][A-Z0-9_]+)=(.*?)\s*$", text, flags=re.M))
    if pairs:
        return pairs
    lines = [line for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines[:-1]):
        header = next(csv.reader(io.StringIO(line)))
        if any(h.strip() in _NETPERF_CSV for h in header):
            values = next(csv.reader(io.StringIO(lines[i + 1])))
            return {_NETPERF_CSV[h.strip()]: v for h, v in zip(header, values) if h.strip() in _NETPERF_CSV}
    return {}


def _netperf_row(keys) -> dict:
    row = {}
    for key, name in _NETPERF_KEYS.items():
        if name and key in keys:
            row[name] = _number(keys[key], key) * _US
    if "THROUGHPUT" in keys:
        units = keys.get("THROUGHPUT_UNITS", "Trans/s")
        if "trans" not in units.lower():
            raise ParameterError("THROUGHPUT_UNITS", units, "Trans/s (a request/response test)")
        row["arrival_rate"] = _number(keys["THROUGHPUT"], "THROUGHPUT")
    if "REQUEST_SIZE" in keys:
        row["io_bytes"] = _number(keys["REQUEST_SIZE"], "REQUEST_SIZE")
    if "mean_latency" not in row and row.get("arrival_rate"):
        row["mean_latency"] = 1.0 / row["arrival_rate"]
    return row


def _netperf_classic(text, label) -> dict:
    """The classic RR table: the first line of six numbers (sizes, request, response, time, rate)."""
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 6 and all(re.fullmatch(r"[\d.]+", f) for f in fields):
            rate = float(fields[5])
            if rate <= 0:
                raise ParameterError("transaction rate", rate, "a positive rate", label)
            return {"arrival_rate": rate, "io_bytes": float(fields[2]), "mean_latency": 1.0 / rate}
    raise ParameterError("source", label, "netperf TCP_RR/UDP_RR output (classic table, -k or -o keys)")


def _number(text, name) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ParameterError(name, text, "a number") from None
    if not np.isfinite(value):
        raise ParameterError(name, text, "a finite number")
    return value


# -- wrk ---------------------------------------------------------------------
def read_wrk(source) -> pd.DataFrame:
    """wrk's text summary: ``Latency`` average, ``--latency`` percentiles, ``Requests/sec``."""
    rows = []
    for label, text in _texts(source, "wrk"):
        row = {}
        rate = re.search(r"Requests/sec:\s*([\d.]+)", text)
        if rate:
            row["arrival_rate"] = float(rate[1])
        mean = re.search(r"^\s*Latency\s+([\d.]+)(ns|us|ms|s|m|h)\s", text, flags=re.M)
        if mean:
            row["mean_latency"] = _wrk_time(mean[1], mean[2])
        for level, value, unit in re.findall(r"^\s*([\d.]+)%\s+([\d.]+)(ns|us|ms|s|m|h)\s*$", text, flags=re.M):
            row[_percentile_name(float(level))] = _wrk_time(value, unit)
        if not row:
            raise ParameterError("source", label, "wrk's summary (Latency ..., Requests/sec: ...)")
        rows.append({"run": label, **row})
    return _frame(rows, "wrk")


def _wrk_time(value, unit) -> float:
    return float(value) * _WRK_UNITS[unit]


# -- sockperf ----------------------------------------------------------------
def read_sockperf(source, *, round_trip: bool = True) -> pd.DataFrame:
    """sockperf ping-pong/under-load summary; ``round_trip`` doubles its half-round-trip latencies."""
    if not isinstance(round_trip, bool):
        raise ParameterError("round_trip", round_trip, "True or False")
    factor = (2.0 if round_trip else 1.0) * _US
    rows = []
    for label, text in _texts(source, "sockperf"):
        row = {}
        mean = re.search(r"avg-lat(?:ency)?=\s*([\d.]+)", text) or re.search(r"Latency is\s*([\d.]+)\s*usec", text)
        if mean:
            row["mean_latency"] = float(mean[1]) * factor
        for level, value in re.findall(r"percentile\s+([\d.]+)\s*=\s*([\d.]+)", text):
            row[_percentile_name(float(level))] = float(value) * factor
        rate = re.search(r"Rate\s*=\s*([\d.]+)\s*\[msg/sec\]", text) or re.search(r"mps=\s*([\d.]+)", text)
        if rate:
            row["arrival_rate"] = float(rate[1])
        if "mean_latency" not in row:
            raise ParameterError("source", label, "sockperf's summary (avg-lat= ... and percentile lines)")
        rows.append({"run": label, **row})
    return _frame(rows, "sockperf")


__all__ = ["read_fio", "read_netperf", "read_sockperf", "read_wrk"]
