"""Apply a rule registered in docs/preregistered.md to the rows committed after it.

Usage::

    python tools/prospective_rows.py                          # every row committed after the rule file
    python tools/prospective_rows.py --until 2026-12-06T03:25Z  # decision 1 as it was taken
    python tools/prospective_rows.py --rule 2                 # decision 2, on the rows after its section
    python tools/prospective_rows.py --rule 4                 # decision 4 (a request of one type), likewise
    python tools/prospective_rows.py --rule 5                 # decision 5 (the error band's weights), likewise

A *prospective row* is a row of ``virtmodel/data/published_apps.json`` whose first commit (the
earliest commit time of any commit in the history of the current branch whose version of the
file holds the row) is later than the commit that added ``docs/preregistered.md`` (with
``--after TEXT``: later than the first commit whose version of that file contains ``TEXT``, a
section registered after the file) and, with ``--until``, not later than the given time. For the
wake-up rule, the *affected rows* are the prospective rows whose prediction ``wakeups="on"``
changes (relative change above 1e-9). The rule: with at least 5 affected rows, the flag becomes
structural when, on them, its hit rate is at least the reported model's and its median absolute
error is lower; with fewer, the question stays open. The script prints the rows and the verdict;
it changes nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROWS_FILE = "virtmodel/data/published_apps.json"
RULE_FILE = "docs/preregistered.md"
MINIMUM_AFFECTED = 5
REVISIT_SECTION = "## 2. Revisit of decision 1"
ONE_TYPE_SECTION = "## 4. A request of one type"
BAND_SECTION = "## 5. The error band"
#: decision 5: the fewest checked rows and sources, and the coverage the bands are judged at
BAND_MINIMUM_ROWS, BAND_MINIMUM_SOURCES, BAND_COVERAGE = 10, 3, 0.8


def _git(*args) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def registered_at(text: str | None = None) -> int:
    """Commit time (Unix seconds) of the commit that added the rule file, or (``text``) of the
    first commit whose rule file contains ``text``."""
    if text is None:
        return int(_git("log", "--diff-filter=A", "--format=%ct", "--", RULE_FILE).split()[-1])
    times = _git("log", f"-S{text}", "--reverse", "--format=%ct", "--", RULE_FILE).split()
    if not times:
        raise SystemExit(f"--after: no commit of {RULE_FILE} adds the text {text!r}")
    return int(times[0])


def first_commit_times() -> dict:
    """``{row id: earliest commit time of a commit whose published_apps.json holds the row}``."""
    first = {}
    for line in _git("log", "--format=%H %ct", "--", ROWS_FILE).splitlines():
        commit, when = line.split()
        try:
            rows = json.loads(_git("show", f"{commit}:{ROWS_FILE}"))["rows"]
        except subprocess.CalledProcessError:
            continue  # the commit deleted the file
        for row in rows:
            key = row["id"] if isinstance(row, dict) else row
            first[key] = min(first.get(key, int(when)), int(when))
    return first


def prospective_rows(after: str | None = None, until: int | None = None) -> list:
    """The ids of the rows first committed after the rule (``after``: after the section holding
    that text) and not after ``until`` (Unix seconds), in the file's order. A row not yet
    committed counts as committed now."""
    since = registered_at(after)
    times = first_commit_times()
    current = json.loads((ROOT / ROWS_FILE).read_text(encoding="utf-8"))["rows"]
    ids = [r["id"] if isinstance(r, dict) else r for r in current]
    late = since + 1 if until is None else max(since + 1, until + 1)
    chosen = [i for i in ids if times.get(i, late) > since]
    return chosen if until is None else [i for i in chosen if times.get(i, late) <= until]


def _both_settings():
    """Every row's table under ``wakeups="off"`` and ``"on"``."""
    from virtmodel.validation.applications import recompute

    return recompute(flags={"wakeups": "off"}), recompute(flags={"wakeups": "on"})


def revisit_verdict(rows: list) -> dict:
    """Decision 2 of docs/preregistered.md on ``rows``: with at least 8 affected rows from at least 2
    sources, ``"on"`` stays when its hit rate is not lower and its median absolute error not larger."""
    result = wakeup_verdict(rows)
    sources = result["sources"] = _sources(result["affected"])
    if len(result["affected"]) < 8 or len(sources) < 2:
        result["outcome"] = f"open: {len(result['affected'])} affected rows from {len(sources)} sources (decision 1 stands)"
    elif result["hit_rate_on"] >= result["hit_rate_off"] and result["median_abs_error_on"] <= result["median_abs_error_off"]:
        result["outcome"] = "kept: wakeups='on' stays in the reported model; the package default follows"
    else:
        result["outcome"] = "reverted: the reported model returns to wakeups='off'"
    return result


def _compare(rows: list, before, after, names: tuple) -> dict:
    """``rows``, the *affected* ones among them (prediction changed by more than 1e-9 relative from the
    ``before`` table to the ``after`` table, :func:`~virtmodel.validation.applications.recompute`'s), and on
    those each table's hit rate and median absolute error, keyed ``hit_rate_<name>`` and
    ``median_abs_error_<name>`` for ``names`` = (before, after)."""
    before, after = (t[t["row"].isin(rows)].set_index("row") for t in (before, after))
    changed = (after["predicted"] - before["predicted"]).abs() > 1e-9 * before["predicted"].abs()
    affected = list(before.index[changed.fillna(False)])
    result = {"prospective": rows, "affected": affected}
    for name, table in zip(names, (before, after)):
        if affected:
            result[f"hit_rate_{name}"] = float(table.loc[affected, "within"].mean())
            result[f"median_abs_error_{name}"] = float(table.loc[affected, "error"].abs().median())
    return result


def _sources(rows: list) -> list:
    """The distinct ``source`` keys of ``rows`` (ids of published_apps.json), sorted."""
    source_of = {r["id"]: r["source"] for r in json.loads((ROOT / ROWS_FILE).read_text(encoding="utf-8"))["rows"]}
    return sorted({source_of[r] for r in rows})


def wakeup_verdict(rows: list) -> dict:
    """The wake-up rule on ``rows``: the affected rows, both settings' hit rates and errors, and the outcome."""
    result = _compare(rows, *_both_settings(), ("off", "on"))
    affected = result["affected"]
    if len(affected) < MINIMUM_AFFECTED:
        result["outcome"] = f"open: {len(affected)} affected rows (fewer than {MINIMUM_AFFECTED})"
    elif result["hit_rate_on"] >= result["hit_rate_off"] and result["median_abs_error_on"] < result["median_abs_error_off"]:
        result["outcome"] = "structural: wakeups='on' becomes the reported model's setting"
    else:
        result["outcome"] = "flag: wakeups stays off in the reported model"
    return result


def one_type_verdict(rows: list) -> dict:
    """Decision 4 of docs/preregistered.md on ``rows``: the rows whose prediction the one-type settings
    (``ONE_TYPE_WORKLOAD``, ``ONE_TYPE_PLATFORM``) change; with at least 5 of them from at least 2 sources
    the reported model takes the settings when, on them, its hit rate is not lower and its median absolute
    error is lower."""
    from virtmodel.validation.applications import (MIX_PLATFORM, MIX_WORKLOAD, ONE_TYPE_PLATFORM, ONE_TYPE_WORKLOAD,
                                                   recompute)

    # both settings explicit: the reported model has taken the one-type settings since the decision
    model = recompute(workload=dict(MIX_WORKLOAD), platform=dict(MIX_PLATFORM))
    trial = recompute(workload=dict(ONE_TYPE_WORKLOAD), platform=dict(ONE_TYPE_PLATFORM))
    result = _compare(rows, model, trial, ("model", "one_type"))
    affected = result["affected"]
    sources = result["sources"] = _sources(affected)
    if len(affected) < MINIMUM_AFFECTED or len(sources) < 2:
        result["outcome"] = f"open: {len(affected)} affected rows from {len(sources)} sources"
    elif (result["hit_rate_one_type"] >= result["hit_rate_model"]
          and result["median_abs_error_one_type"] < result["median_abs_error_model"]):
        result["outcome"] = "adopted: the reported model takes the one-type settings"
    else:
        result["outcome"] = "not adopted: the settings stay a trial"
    return result


def band_verdict(rows: list, table=None) -> dict:
    """Decision 5 of docs/preregistered.md on ``rows`` (the prospective ones): bands built from the other rows
    of ``table`` (default: the reported model's, computed now), one vote per row and one per source, checked on
    ``rows``; ``"sources"`` is adopted when its 80% coverage is strictly closer to 80% (with at least
    10 checked rows from at least 3 sources)."""
    from virtmodel.validation.applications import recompute
    from virtmodel.validation.error_band import coverage_on

    table = recompute() if table is None else table
    old = [r for r in table["row"] if r not in set(rows)]
    result = {"prospective": rows}
    for coverage in (0.5, BAND_COVERAGE, 0.9):
        for weights in ("rows", "sources"):
            got = coverage_on(table, old, rows, coverage=coverage, weights=weights)
            result[f"{weights}_{coverage:.0%}"] = {k: got[k] for k in ("inside", "rows", "coverage", "outside")}
            checked = got  # the checked rows and their sources are the same under every weighting and coverage
    result["checked_rows"], result["checked_sources"] = checked["rows"], checked["sources"]
    by_rows, by_sources = (result[f"{w}_{BAND_COVERAGE:.0%}"]["coverage"] for w in ("rows", "sources"))
    if checked["rows"] < BAND_MINIMUM_ROWS or checked["sources"] < BAND_MINIMUM_SOURCES:
        result["outcome"] = f"open: {checked['rows']} checked rows from {checked['sources']} sources"
    elif abs(by_sources - BAND_COVERAGE) < abs(by_rows - BAND_COVERAGE):
        result["outcome"] = "adopted: the band gives every source one vote (weights='sources')"
    else:
        result["outcome"] = "not adopted: every row keeps one vote (weights='rows')"
    return result


def _parse_time(text: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--after", help="text of a later section of the rule file: rows committed after it")
    parser.add_argument("--until", help="ISO time (UTC with Z): only rows first committed up to then")
    parser.add_argument("--rule", choices=("1", "2", "4", "5"), default="1",
                        help="decision of docs/preregistered.md to apply (2: the revisit, 4: a request of one type, "
                             "5: the error band's weights; each on the rows after its section)")
    args = parser.parse_args(argv)
    section = {"2": REVISIT_SECTION, "4": ONE_TYPE_SECTION, "5": BAND_SECTION}.get(args.rule)
    after = section if args.after is None else args.after
    rows = prospective_rows(after, None if args.until is None else _parse_time(args.until))
    verdict = {"1": wakeup_verdict, "2": revisit_verdict, "4": one_type_verdict, "5": band_verdict}[args.rule]
    print(json.dumps(verdict(rows), indent=1))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
