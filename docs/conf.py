"""Sphinx configuration: build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.

Before reading sources it (1) writes the API reference from every public ``__all__``
(``_ext/apigen.py``) into ``api/`` and (2) copies ``../notebooks/*.ipynb`` into
``tutorial/notebooks/`` (Sphinx reads only below ``docs/``); both are generated, not
committed. myst-nb executes the notebooks once and caches the results by content.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE / "_ext")]

import apigen  # noqa: E402  (needs the path above)
import virtmodel  # noqa: E402

project = "virtmodel"
author = "virtmodel contributors"
copyright = "virtmodel contributors, MIT licence"
release = version = virtmodel.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "myst_nb",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "_ext"]
html_theme = "pydata_sphinx_theme"
html_title = f"virtmodel {release}"
html_theme_options = {"navigation_depth": 2, "show_toc_level": 2}

# --- API reference ------------------------------------------------------------------------
apigen.write_api("virtmodel", HERE / "api")
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
intersphinx_mapping = {}

# --- Notebooks: the tutorial, executed at build time, cached by content ---------------------
NOTEBOOKS = HERE / "tutorial" / "notebooks"


def _copy_notebooks() -> None:
    NOTEBOOKS.mkdir(parents=True, exist_ok=True)
    wanted = {path.name: path for path in sorted((ROOT / "notebooks").glob("*.ipynb"))}
    for name, source in wanted.items():
        target = NOTEBOOKS / name
        if not target.exists() or target.read_bytes() != source.read_bytes():
            shutil.copyfile(source, target)
    for stale in NOTEBOOKS.glob("*.ipynb"):
        if stale.name not in wanted:
            stale.unlink()


_copy_notebooks()
nb_execution_mode = "cache"
nb_execution_cache_path = str(HERE / "_build" / ".jupyter_cache")
nb_execution_timeout = 120  # seconds per cell
nb_execution_raise_on_error = True
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# --- The Markdown pages are written for GitHub: $`x`$ inline maths and ```math blocks ------
_GITHUB_INLINE = re.compile(r"\$`(.+?)`\$")
_GITHUB_BLOCK = re.compile(r"^```math\s*$", re.MULTILINE)


def _github_math(app, docname, source) -> None:
    if app.env.doc2path(docname).suffix == ".md":
        text = _GITHUB_INLINE.sub(lambda m: f"${m.group(1)}$", source[0])
        source[0] = _GITHUB_BLOCK.sub("```{math}", text)


def setup(app):
    app.connect("source-read", _github_math)
