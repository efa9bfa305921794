"""Test-wide settings: under CI (``CI`` set), Hypothesis draws a fixed sequence of examples
(``derandomize``), so a run is reproducible; elsewhere every run draws new ones, which is how
the property and fuzz suites are rerun with new seeds."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
