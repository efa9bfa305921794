"""The packaging promises: binder/ in step with pyproject, .ci/run = README's test command."""

import re
import sys
from pathlib import Path

import pytest
from repo_scripts import load_script

ROOT = Path(__file__).resolve().parents[1]

tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")
requirements = pytest.importorskip("packaging.requirements")
version = pytest.importorskip("packaging.version")


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _binder_pins():
    pins = {}
    for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            req = requirements.Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"binder pin {line!r} must be exact (==)"
            pins[req.name.lower()] = version.Version(spec.version)
    return pins


def test_every_dependency_is_pinned_in_binder_within_its_bound():
    project = _pyproject()["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["notebooks"]
    pins = _binder_pins()
    for dep in deps:
        req = requirements.Requirement(dep)
        assert req.name.lower() in pins, f"{req.name} is a dependency but not pinned in binder/requirements.txt"
        assert req.specifier.contains(pins[req.name.lower()]), f"binder pins {req.name}=={pins[req.name.lower()]}, outside {dep}"


def test_binder_pins_nothing_the_project_does_not_use():
    project = _pyproject()["project"]
    names = {requirements.Requirement(d).name.lower() for d in
             project["dependencies"] + project["optional-dependencies"]["notebooks"]}
    assert set(_binder_pins()) <= names


def test_dependencies_have_lower_bounds():
    for dep in _pyproject()["project"]["dependencies"]:
        req = requirements.Requirement(dep)
        assert any(s.operator == ">=" for s in req.specifier), f"{dep} has no lower bound"


def test_lower_bounds_checker_pins_every_bound():
    """tools/check_lower_bounds.py turns each '>=' of the runtime and the three extras into '=='."""
    if sys.version_info < (3, 11):
        pytest.skip("the checker reads pyproject.toml with tomllib (Python 3.11+)")
    checker = load_script("tools/check_lower_bounds.py")
    bounds = checker.lower_bounds()
    project = _pyproject()["project"]
    extras = project["optional-dependencies"]
    for dep in project["dependencies"] + extras["test"] + extras["notebooks"] + extras["browser"]:
        req = requirements.Requirement(dep)
        (spec,) = req.specifier
        assert bounds[req.name.lower()] == spec.version, dep


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    match = re.search(r"<!-- test-command -->\s*```(?:bash|sh)?\n(.+?)\n```", readme, re.DOTALL)
    assert match, "README must hold the test command in a block marked <!-- test-command -->"
    command = match.group(1).strip()
    assert command in ci.replace("pip install -q", "pip install"), "CI must run the README's test command"


def test_readme_binder_badge_opens_the_tour_of_this_repository():
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"\(https://mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/(\w+)\?labpath=([^)\s]+)\)", readme)
    assert match, "README must carry a Binder badge (mybinder.org/v2/gh/OWNER/REPO/REF?labpath=...)"
    repository = _pyproject()["project"]["urls"]["Repository"]
    assert repository.rstrip("/").endswith("github.com/" + match.group(1)), \
        f"the badge builds {match.group(1)}, pyproject's Repository is {repository}"
    notebook = ROOT / match.group(3).replace("%2F", "/")
    assert notebook.is_file() and notebook.name == "01_tour.ipynb", f"the badge opens {match.group(3)}"
