"""Every ``>>>`` example in the package's docstrings runs and prints what it shows.

Users copy these into notebooks; a model change that moves a number must
update the example. One test per module (doctest, ELLIPSIS and whitespace
normalised as in the docs).
"""

import doctest
import importlib
import pkgutil

import pytest

import virtmodel

MODULES = sorted(m.name for m in pkgutil.walk_packages(virtmodel.__path__, "virtmodel."))
WITH_EXAMPLES = [name for name in MODULES
                 if any(test.examples for test in doctest.DocTestFinder().find(importlib.import_module(name)))]


def test_there_are_examples():
    assert len(WITH_EXAMPLES) >= 20


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_examples_in_module(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (run doctest -v)"
