"""docs/formulas.md is generated from the package's expressions and must be current."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("make_formulas", ROOT / "docs" / "make_formulas.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def test_committed_formulas_doc_is_current():
    script = _script()
    committed = (ROOT / "docs" / "formulas.md").read_text(encoding="utf-8")
    assert script.render() == committed, "run: python docs/make_formulas.py"
    assert script.main(["--check"]) == 0
