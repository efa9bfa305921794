"""The documentation site builds from the checkout with warnings as errors, and its API
reference holds every name of every public ``__all__``.

One Sphinx build (``-W --keep-going``, like the README's docs command) into a temporary
folder, shared by the tests of this file. The notebooks are executed by myst-nb; its cache
lives in ``docs/_build/.jupyter_cache`` so a second local run reuses it (CI starts clean
and executes them once). Without Sphinx or myst-nb the tests are skipped with the reason,
except under ``CI=true``, where they fail: CI installs the ``test`` extra, which has them.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NEEDED = ("sphinx", "myst_nb", "numpydoc", "pydata_sphinx_theme")


def _public_all():
    """(module, name) for every name in the ``__all__`` of every public virtmodel module."""
    import virtmodel

    modules = ["virtmodel"] + [info.name for info in pkgutil.walk_packages(virtmodel.__path__, "virtmodel.")
                               if not any(part.startswith("_") for part in info.name.split("."))]
    pairs = []
    for name in modules:
        module = importlib.import_module(name)
        pairs += [(name, exported) for exported in getattr(module, "__all__", ())]
    return pairs


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    missing = [name for name in NEEDED if importlib.util.find_spec(name) is None]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must build the docs, but {missing} are not installed (extra 'test')")
        pytest.skip(f"the docs build needs {missing} (pip install -e '.[docs]')")
    out = tmp_path_factory.mktemp("html")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
               MPLBACKEND="module://matplotlib_inline.backend_inline", PYDEVD_DISABLE_FILE_VALIDATION="1")
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                           "-d", str(out / ".doctrees"), str(ROOT / "docs"), str(out)],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    problems = [line for line in done.stderr.splitlines() if "WARNING" in line or "ERROR" in line
                if not line.startswith("[IPKernelApp]")]
    assert done.returncode == 0, f"sphinx failed ({done.returncode}):\n" + "\n".join(problems or
                                                                                  done.stderr.splitlines()[-30:])
    return out


def test_every_public_name_is_in_the_api_reference(site):
    pages = {path.stem: path.read_text() for path in (site / "api").glob("*.html")}
    ids = set()
    for text in pages.values():
        ids |= set(re.findall(r'id="(virtmodel[\w.]*)"', text))
    missing = []
    for module, name in _public_all():
        page = pages.get(module)
        if page is None:
            missing.append(f"{module} (no page)")
            continue
        linked = {target for target in re.findall(r'href="[^"]*#(virtmodel[\w.]*)"', page)
                  if target.rsplit(".", 1)[-1] == name}
        if f"{module}.{name}" not in ids and not linked & ids:
            missing.append(f"{module}.{name}")
    assert not missing, f"not in the API reference: {missing}"


def test_every_notebook_is_rendered_with_its_outputs(site):
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for notebook in notebooks:
        page = site / "tutorial" / "notebooks" / f"{notebook.stem}.html"
        assert page.exists(), f"{notebook.name} is not in the tutorial"
        assert 'class="cell_output' in page.read_text(), f"{notebook.name} is rendered without outputs"


def test_the_four_sections_and_the_markdown_pages_are_built(site):
    for page in ("tutorial/index", "howto/index", "reference/index", "background/index", "background/queueing",
                 "background/virtualization", "architecture", "formulas", "validation", "published-data",
                 "howto-distributed", "api/index"):
        assert (site / f"{page}.html").exists(), page
    formulas = (site / "formulas.html").read_text()
    assert "$`" not in formulas, "GitHub-style inline maths left unconverted"
