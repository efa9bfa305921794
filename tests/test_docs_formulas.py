"""docs/formulas.md is generated from the package's expressions and must be current."""

from pathlib import Path
from repo_scripts import load_script

ROOT = Path(__file__).resolve().parents[1]


def _script():
    return load_script("docs/make_formulas.py")


def test_committed_formulas_doc_is_current(monkeypatch):
    script = _script()
    committed = (ROOT / "docs" / "formulas.md").read_text(encoding="utf-8")
    text = script.render()
    assert text == committed, "run: python docs/make_formulas.py"
    monkeypatch.setattr(script, "render", lambda: text)  # main's --check path on the same text, rendered once
    assert script.main(["--check"]) == 0
    monkeypatch.setattr(script, "render", lambda: text + "stale")
    assert script.main(["--check"]) == 1
