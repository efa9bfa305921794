"""Meta-tests on the public API: light import, documented functions, strings never parsed."""

import inspect
import subprocess
import sys

import pytest

import virtmodel.queueing as q
from virtmodel import ParameterError


def test_import_virtmodel_does_not_import_sympy_or_scipy():
    code = "import sys, virtmodel; print(sorted(m for m in ('sympy', 'scipy', 'matplotlib', 'pandas') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]", f"import virtmodel pulled in {out}"


PUBLIC = [getattr(q, name) for name in q.__all__ if inspect.isfunction(getattr(q, name))]


@pytest.mark.parametrize("func", PUBLIC, ids=lambda f: f.__name__)
def test_public_function_is_documented(func):
    doc = inspect.getdoc(func) or ""
    assert doc.splitlines() and doc.splitlines()[0].strip(), f"{func.__name__} has no summary line"
    assert "Parameters" in doc, f"{func.__name__} does not document its parameters"
    assert "References" in doc or "Reference" in doc, f"{func.__name__} names no reference"


@pytest.mark.parametrize("func", PUBLIC, ids=lambda f: f.__name__)
def test_strings_are_rejected_not_parsed(func):
    params = [p for p in inspect.signature(func).parameters.values() if p.default is inspect.Parameter.empty]
    args = ["__import__('os').system('echo pwned')"] + [1] * (len(params) - 1)
    with pytest.raises(ParameterError, match=params[0].name):
        func(*args)
