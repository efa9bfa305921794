"""Record and compare the model's values at every technique x workload preset x metric.

``python tests/golden_values.py`` writes ``tests/data/golden_metrics.json`` from the code as it
is; :mod:`tests.test_golden_values` compares the current code against that file (rel 1e-12).
The file was written before the "one engine" refactor, so the test says the refactor kept
every preset's results. Points: each preset's own load, the same at half and 1.9x load (a
sweep with a saturated point), the closed form at 4 users, and the variant settings of the
techniques (flags) that select another formula.
"""

from __future__ import annotations

import json
import math
import pathlib

import numpy as np

PATH = pathlib.Path(__file__).parent / "data" / "golden_metrics.json"

#: technique variants: (name, {flag: value}) - every formula the flags select
VARIANTS = (
    ("native", {}), ("binary_translation", {}), ("emulation", {}), ("emulation", {"tcg_mode": "user"}), ("paravirtual", {}),
    ("hardware_assist", {}), ("hardware_assist", {"nested_paging": False}),
    ("hardware_assist", {"io_path": "emulated"}), ("sriov", {}), ("sriov", {"posted_interrupts": True}), ("sriov", {"nested_paging": False}),
    ("nitro", {}), ("nitro", {"posted_interrupts": False}),
    # the first model's interrupts without halts or wake-ups (the default was "off" until the switch)
    ("paravirtual", {"wakeups": "off"}), ("hardware_assist", {"wakeups": "off"}), ("sriov", {"wakeups": "off"}),
    ("nitro", {"wakeups": "off"}),
)
EXTRA_METRICS = ("p99.9",)


def _technique(name, flags):
    from virtmodel import techniques

    return techniques.get(name, **flags)


def _encode(value):
    if isinstance(value, str):
        return value
    arr = np.asarray(value)
    if arr.dtype.kind in "US":
        return arr.tolist()
    arr = arr.astype(float)
    return [None if math.isnan(v) else ("inf" if v == math.inf else "-inf" if v == -math.inf else v)
            for v in arr.ravel().tolist()] if arr.ndim else (
        None if math.isnan(arr) else "inf" if arr == math.inf else "-inf" if arr == -math.inf else float(arr))


def record() -> dict:
    """``{key: value}`` for every case (see the module docstring)."""
    from virtmodel import workloads
    from virtmodel.model import Model, metric_names
    from virtmodel.model.closed import closed_metric_names

    out = {}
    for name, flags in VARIANTS:
        tech = _technique(name, flags)
        label = name + "".join(f"[{k}={v}]" for k, v in flags.items())
        for wname in workloads.PRESETS:
            try:
                m = Model(tech, wname)
            except Exception as exc:  # a combination the technique rejects is recorded as such
                out[f"{label}|{wname}|error"] = type(exc).__name__
                continue
            lam = m.values()["arrival_rate"]
            for metric in metric_names() + EXTRA_METRICS:
                out[f"{label}|{wname}|{metric}|sweep"] = _encode(
                    m.evaluate_many([metric], arrival_rate=np.array([0.5 * lam, lam, 1.9 * lam]))[metric])
            for metric, value in m.evaluate_all().items():
                out[f"{label}|{wname}|{metric}|point"] = _encode(value)
            for metric in closed_metric_names():
                try:
                    v = m.evaluate(metric, users=4, think_time=0.01)
                except Exception as exc:
                    v = type(exc).__name__
                out[f"{label}|{wname}|{metric}|closed"] = _encode(v)
    return out


if __name__ == "__main__":
    PATH.parent.mkdir(exist_ok=True)
    PATH.write_text(json.dumps(record(), indent=0, sort_keys=True) + "\n")
    print(f"wrote {PATH}")
