"""Apply a rule registered in docs/preregistered.md to the rows committed after it.

Usage::

    python tools/prospective_rows.py            # the wake-up rule (docs/preregistered.md, 1)

A *prospective row* is a row of ``virtmodel/data/published_apps.json`` whose first commit (the
earliest commit time of any commit in the history of the current branch whose version of the
file holds the row) is later than the commit that added ``docs/preregistered.md``. For the
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


def _git(*args) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def registered_at() -> int:
    """Commit time (Unix seconds) of the commit that added the rule file."""
    return int(_git("log", "--diff-filter=A", "--format=%ct", "--", RULE_FILE).split()[-1])


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


def prospective_rows() -> list:
    """The ids of the rows first committed after the rule file, in the file's order."""
    since = registered_at()
    times = first_commit_times()
    current = json.loads((ROOT / ROWS_FILE).read_text(encoding="utf-8"))["rows"]
    ids = [r["id"] if isinstance(r, dict) else r for r in current]
    return [i for i in ids if times.get(i, since + 1) > since]


def wakeup_verdict(rows: list) -> dict:
    """The wake-up rule on ``rows``: the affected rows, both settings' hit rates and errors, and the outcome."""
    from virtmodel.validation.applications import recompute

    off, on = recompute(), recompute(flags={"wakeups": "on"})
    off, on = off[off["row"].isin(rows)].set_index("row"), on[on["row"].isin(rows)].set_index("row")
    changed = (on["predicted"] - off["predicted"]).abs() > 1e-9 * off["predicted"].abs()
    affected = list(off.index[changed.fillna(False)])
    result = {"prospective": rows, "affected": affected}
    if affected:
        a_off, a_on = off.loc[affected], on.loc[affected]
        result.update(hit_rate_off=float(a_off["within"].mean()), hit_rate_on=float(a_on["within"].mean()),
                      median_abs_error_off=float(a_off["error"].abs().median()),
                      median_abs_error_on=float(a_on["error"].abs().median()))
    if len(affected) < MINIMUM_AFFECTED:
        result["outcome"] = f"open: {len(affected)} affected rows (fewer than {MINIMUM_AFFECTED})"
    elif result["hit_rate_on"] >= result["hit_rate_off"] and result["median_abs_error_on"] < result["median_abs_error_off"]:
        result["outcome"] = "structural: wakeups='on' becomes the reported model's setting"
    else:
        result["outcome"] = "flag: wakeups stays off in the reported model"
    return result


def main() -> int:
    rows = prospective_rows()
    print(json.dumps(wakeup_verdict(rows), indent=1))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
