"""The release files agree with the package: one version, one licence."""

from __future__ import annotations

import pathlib
import re

import virtmodel

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_citation_and_changelog_carry_the_package_version():
    citation = (ROOT / "CITATION.cff").read_text()
    assert re.search(r'^version: "([^"]+)"', citation, re.M).group(1) == virtmodel.__version__
    assert f"## {virtmodel.__version__}" in (ROOT / "CHANGELOG.md").read_text()


def test_the_version_is_written_once():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject and 'attr = "virtmodel.__version__"' in pyproject
    assert not re.search(r'^version\s*=\s*"', pyproject, re.M)


def test_the_licence_file_is_the_declared_one():
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text()
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
