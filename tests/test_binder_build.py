"""The Binder build, emulated: a fresh environment built only from ``binder/``, then every notebook run.

Binder (repo2docker) builds the repository in three steps, and so does this test:

1. a fresh Python of the version ``binder/runtime.txt`` names (here: a new venv of
   that interpreter, nothing inherited from the test environment);
2. ``pip install -r binder/requirements.txt`` (third-party packages, pinned);
3. ``binder/postBuild`` run from the repository root (installs virtmodel itself).

The environment must then be consistent (``pip check``: virtmodel's own
dependencies all present, so a dependency added to pyproject but forgotten in
``binder/requirements.txt`` fails here), hold exactly the pinned versions, import
virtmodel from the checkout, and execute every notebook top to bottom with
``python -m virtmodel.notebooks run`` on its own kernel.

The checkout is a copy of the repository's files (tracked and untracked, minus
ignored ones) in a temporary folder, so the build sees what a push would send,
not this environment's ``.venv`` or outputs. Package downloads come from pip's
cache when it has them; the build needs the package index otherwise.

Needs an interpreter of the runtime's version (``python3.11`` or this one);
without it the test skips, except under ``CI=true``, where it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
INSTALL_SECONDS = 900
RUN_SECONDS = 600

pytestmark = pytest.mark.slow


def _runtime_version() -> tuple:
    text = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+)\.(\d+)", text)
    assert match, f"binder/runtime.txt must read python-X.Y, not {text!r}"
    return int(match.group(1)), int(match.group(2))


def _interpreter(version) -> str | None:
    if sys.version_info[:2] == version:
        return getattr(sys, "_base_executable", sys.executable)
    return shutil.which("python{}.{}".format(*version))


def _checkout(destination: Path) -> Path:
    """The repository's files as a push would send them (git's view; a plain copy without git)."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
        files = [name for name in listed if name and (ROOT / name).is_file()]
    except (OSError, subprocess.CalledProcessError):
        files = None
    if files is None:
        shutil.copytree(ROOT, destination, ignore=shutil.ignore_patterns(
            ".git", ".venv", "__pycache__", "output", "*.egg-info", ".pytest_cache", ".hypothesis"))
        return destination
    for name in files:
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    return destination


def _pins() -> dict:
    pins = {}
    for line in (BINDER / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def _run(command, cwd, env, seconds):
    result = subprocess.run(command, check=False, cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=seconds)
    assert result.returncode == 0, (f"{' '.join(map(str, command))} exited with {result.returncode}\n"
                                    f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result.stdout


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    version = _runtime_version()
    python = _interpreter(version)
    if python is None:
        reason = "no python{}.{} for binder/runtime.txt".format(*version)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("binder")
    repo = _checkout(base / "repo")
    venv = base / "env"
    home = base / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MPLBACKEND", "JUPYTER_PATH")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(venv),
               JUPYTER_CONFIG_DIR=str(home / "jupyter-config"), JUPYTER_DATA_DIR=str(home / "jupyter-data"),
               IPYTHONDIR=str(home / "ipython"), MPLCONFIGDIR=str(home / "matplotlib"),
               PIP_DISABLE_PIP_VERSION_CHECK="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
    _run([python, "-m", "venv", str(venv)], repo, env, 120)
    _run(["python", "-m", "pip", "install", "-q", "-r", "binder/requirements.txt"], repo, env, INSTALL_SECONDS)
    _run(["bash", "binder/postBuild"], repo, env, INSTALL_SECONDS)
    return repo, venv, env


def test_binder_environment_is_consistent_and_pinned(binder_env):
    repo, _venv, env = binder_env
    _run(["python", "-m", "pip", "check"], repo, env, 120)
    installed = {}
    for line in _run(["python", "-m", "pip", "list", "--format=freeze"], repo, env, 120).splitlines():
        if "==" in line:
            name, version = line.split("==")
            installed[name.lower().replace("_", "-")] = version
    for name, version in _pins().items():
        assert installed.get(name.replace("_", "-")) == version, f"binder pins {name}=={version}, got {installed.get(name)}"


def test_binder_imports_virtmodel_from_the_checkout(binder_env):
    repo, venv, env = binder_env
    where = _run(["python", "-c", "import sys, virtmodel; print(sys.prefix); print(virtmodel.__file__)"],
                 repo.parent, env, 120).split()
    assert Path(where[0]) == venv
    assert Path(where[1]).resolve().is_relative_to(repo.resolve()), f"virtmodel imported from {where[1]}"


def test_binder_runs_every_notebook(binder_env):
    repo, _venv, env = binder_env
    out = repo.parent / "output"
    log = _run(["python", "-m", "virtmodel.notebooks", "run", "--out", str(out)], repo, env, RUN_SECONDS)
    notebooks = sorted(p.name for p in (repo / "notebooks").glob("*.ipynb"))
    assert notebooks
    for name in notebooks:
        assert re.search(rf"^{re.escape(name)}\s+ok\b", log, re.MULTILINE), f"{name} did not run on the Binder build:\n{log}"
        assert (out / f"{Path(name).stem}.html").is_file()
    assert (out / "index.html").is_file()
