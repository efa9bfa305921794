"""docs/formulas.md is generated from the package's expressions and must be current."""

from pathlib import Path
from repo_scripts import load_script

ROOT = Path(__file__).resolve().parents[1]


def _script():
    return load_script("docs/make_formulas.py")


def test_committed_formulas_doc_is_current():
    script = _script()
    committed = (ROOT / "docs" / "formulas.md").read_text(encoding="utf-8")
    assert script.render() == committed, "run: python docs/make_formulas.py"
    assert script.main(["--check"]) == 0
