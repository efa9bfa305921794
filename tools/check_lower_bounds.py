"""Check that the lower bounds in pyproject.toml are true: run the suite at them.

Every ``name>=X`` in the runtime dependencies and in the ``test``,
``notebooks`` and ``browser`` extras becomes the constraint ``name==X``; a
fresh venv (of the oldest Python the project supports, given with
``--python``) installs the
project with those constraints, ``pip check`` must pass, and then the test
suite runs in it. Packages that pyproject.toml does not name float to whatever
pip resolves for the pinned ones.

    python tools/check_lower_bounds.py --python python3.10 [-- pytest args]

Run it after raising or lowering a bound; it takes about 8 minutes (the
install is half of it). The browser test runs too where Debian's Chromium is
installed (``CI=true`` makes it fail instead of skipping without it).

Not part of CI: it takes as long as CI itself (a second full install and
suite), which would leave little of CI's 20 minutes; CI checks the newest
versions, this script the oldest the project admits.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = ("test", "notebooks", "browser")
_BOUND = re.compile(r"^\s*([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*>=\s*([^,;\s]+)\s*$")


def lower_bounds(pyproject: Path = ROOT / "pyproject.toml", extras=EXTRAS) -> dict[str, str]:
    """``{name: version}`` for every ``>=`` requirement of the runtime and the given extras."""
    project = tomllib.loads(pyproject.read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    bounds: dict[str, str] = {}
    for requirement in requirements:
        match = _BOUND.match(requirement)
        if not match:
            raise ValueError(f"requirement {requirement!r} is not of the form 'name>=version'")
        name, version = match.group(1).lower(), match.group(2)
        if bounds.setdefault(name, version) != version:
            raise ValueError(f"{name} has two lower bounds: {bounds[name]} and {version}")
    return bounds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default="python3.10", help="interpreter for the venv (the oldest supported)")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    args = parser.parse_args(argv)

    bounds = lower_bounds()
    with tempfile.TemporaryDirectory(prefix="virtmodel-lower-bounds-") as tmp:
        constraints = Path(tmp) / "constraints.txt"
        constraints.write_text("".join(f"{name}=={version}\n" for name, version in bounds.items()))
        venv = Path(tmp) / "venv"
        python = venv / "bin" / "python"
        steps = [
            [args.python, "-m", "venv", str(venv)],
            [str(python), "-m", "pip", "install", "-q", "-c", str(constraints), "-e", f".[{','.join(EXTRAS)}]"],
            [str(python), "-m", "pip", "check"],
            [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *args.pytest_args],
        ]
        for step in steps:
            print("+", " ".join(step), flush=True)
            if step[-2:] == ["pip", "check"]:
                freeze = subprocess.run([str(python), "-m", "pip", "freeze"], capture_output=True, text=True,
                                        check=True).stdout.lower().replace("_", "-")
                installed = dict(line.split("==", 1) for line in freeze.splitlines() if "==" in line)
                for name, version in bounds.items():
                    print(f"  {name}: bound {version}, installed {installed.get(name, 'NOTHING')}")
            if subprocess.run(step, cwd=ROOT).returncode:
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
