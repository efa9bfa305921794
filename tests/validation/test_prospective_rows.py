"""tools/prospective_rows.py: which rows count as prospective for a registered rule, and the rule itself."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from repo_scripts import load_script

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    return load_script("tools/prospective_rows.py")


def _full_history():
    try:
        out = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and out.stdout.strip() == "false"


needs_history = pytest.mark.skipif(not _full_history(), reason="no full git history here (not a checkout, or a shallow one)")


@needs_history
def test_decision_one_saw_exactly_the_rows5_batch():
    """Decision 1 (docs/preregistered.md) was taken at 03:25 UTC on the 17 rows of the rows5 batch;
    the rows4 batch (committed 38 s before the rule) is not prospective."""
    tool = _tool()
    rows = tool.prospective_rows(until=tool._parse_time("2026-12-06T03:25Z"))
    assert len(rows) == 17
    assert all(r.startswith(("chv_writers2024.", "chv_indirect2024.")) for r in rows)
    everything = tool.prospective_rows()
    assert set(rows) <= set(everything)
    assert not any(r.startswith(("actiond.", "docker_loop2019.", "primes_seccomp2021.")) for r in everything)


@needs_history
def test_after_a_later_section_excludes_the_rows_before_it():
    tool = _tool()
    later = tool.prospective_rows(after="## 1. Interrupts and wake-ups on by default?")
    assert set(later) == set(tool.prospective_rows())  # the section came with the file
    with pytest.raises(SystemExit, match="no commit"):
        tool.prospective_rows(after="a text no commit of the rule file ever held 7f3a")


def _table(predicted, within, error):
    rows = [f"r{i}" for i in range(len(predicted))]
    return pd.DataFrame({"row": rows, "predicted": predicted, "within": within, "error": error})


@pytest.mark.parametrize("on_within, on_error, outcome", [
    ([True] * 5, [0.05] * 5, "structural"),            # more hits, smaller errors
    ([True, True, True, False, False], [0.05] * 5, "flag"),   # fewer hits
    ([True, True, True, True, False], [0.3] * 5, "flag"),     # same hits, larger median error
])
def test_the_rule(monkeypatch, on_within, on_error, outcome):
    tool = _tool()
    off = _table([1.0] * 5, [True, True, True, True, False], [0.2] * 5)
    on = _table([1.1] * 5, on_within, on_error)
    import virtmodel.validation.applications as apps

    monkeypatch.setattr(apps, "recompute", lambda flags=None: on if flags == {"wakeups": "on"} else off)
    verdict = tool.wakeup_verdict([f"r{i}" for i in range(5)])
    assert verdict["affected"] == [f"r{i}" for i in range(5)]
    assert verdict["outcome"].startswith(outcome)


def test_fewer_than_five_affected_rows_leave_it_open(monkeypatch):
    tool = _tool()
    off = _table([1.0, 1.0, 1.0, 2.0, 2.0, 2.0], [True] * 6, [0.1] * 6)
    on = _table([1.0, 1.0, 1.0, 2.5, 2.5, 2.5], [True] * 6, [0.05] * 6)  # three rows move
    import virtmodel.validation.applications as apps

    monkeypatch.setattr(apps, "recompute", lambda flags=None: on if flags == {"wakeups": "on"} else off)
    verdict = tool.wakeup_verdict([f"r{i}" for i in range(6)])
    assert verdict["affected"] == ["r3", "r4", "r5"]
    assert verdict["outcome"].startswith("open")


@pytest.mark.parametrize("n_sources, on_error, outcome", [
    (1, [0.05] * 8, "open"),        # eight rows of one source leave decision 1 standing
    (2, [0.05] * 8, "kept"),
    (2, [0.2] * 8, "kept"),         # equal median error is enough to keep it
    (2, [0.3] * 8, "reverted"),
])
def test_the_revisit_rule(monkeypatch, tmp_path, n_sources, on_error, outcome):
    tool = _tool()
    rows = [f"r{i}" for i in range(8)]
    off = _table([1.0] * 8, [True] * 6 + [False] * 2, [0.2] * 8)
    on = _table([1.1] * 8, [True] * 6 + [False] * 2, on_error)
    import virtmodel.validation.applications as apps

    monkeypatch.setattr(apps, "recompute", lambda flags=None: on if flags == {"wakeups": "on"} else off)
    fake = {"rows": [{"id": r, "source": f"s{i % n_sources}"} for i, r in enumerate(rows)]}
    monkeypatch.setattr(tool, "ROWS_FILE", "rows.json")
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    (tmp_path / "rows.json").write_text(json.dumps(fake))
    verdict = tool.revisit_verdict(rows)
    assert verdict["outcome"].startswith(outcome)
    assert len(verdict["sources"]) == n_sources


def _band_table(old_ratios, new_ratios, new_sources):
    """A recompute()-shaped table: old rows o0.. (one source each), new rows n0.. of ``new_sources``."""
    old = [f"o{i}" for i in range(len(old_ratios))]
    new = [f"n{i}" for i in range(len(new_ratios))]
    return pd.DataFrame({
        "row": old + new, "source": [f"so{i}" for i in range(len(old))] + list(new_sources),
        "kind": "relative_throughput", "published": 2.0, "status": "modelled",
        "predicted": [2.0 * r for r in old_ratios + new_ratios]}), new


# old rows: one source of ten rows at ratio 1, ten sources of one row each spread 0.5..3
_OLD = [1.0] * 10 + [0.5, 0.8, 0.9, 1.0, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0]


def _old_sources(table):
    table.loc[:9, "source"] = "big"
    return table


@pytest.mark.parametrize("new_ratios, new_sources, outcome", [
    ([0.85, 1.3, 1.7, 0.7, 2.5, 1.05, 1.15, 0.95, 1.4, 0.75], [f"a{i % 4}" for i in range(10)], "adopted"),
    ([1.0] * 10, [f"a{i % 4}" for i in range(10)], "not adopted"),        # both bands hold all: a tie keeps rows
    ([0.85, 1.3, 1.7, 0.7, 2.5, 1.05, 1.15, 0.95, 1.4], [f"a{i % 4}" for i in range(9)], "open"),   # 9 rows
    ([0.85, 1.3, 1.7, 0.7, 2.5, 1.05, 1.15, 0.95, 1.4, 0.75], ["a0", "a1"] * 5, "open"),          # 2 sources
])
def test_the_band_rule(new_ratios, new_sources, outcome):
    tool = _tool()
    table, new = _band_table(_OLD, new_ratios, new_sources)
    table = _old_sources(table)
    verdict = tool.band_verdict(new, table)
    assert verdict["outcome"].startswith(outcome)
    assert verdict["checked_rows"] == len(new_ratios)
    rows80, sources80 = verdict["rows_80%"], verdict["sources_80%"]
    assert rows80["rows"] == sources80["rows"] == len(new_ratios)
    if outcome == "adopted":
        assert abs(sources80["coverage"] - 0.8) < abs(rows80["coverage"] - 0.8)
