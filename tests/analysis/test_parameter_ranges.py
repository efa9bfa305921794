"""The preset ranges: every one holds its technique's default, cites known sources, has an allowed basis."""

import numpy as np
import pytest

from virtmodel.analysis.parameter_ranges import BASES, Range, distribution, preset_ranges
from virtmodel.errors import ParameterError
from virtmodel.references import keys
from virtmodel.techniques import get

ALL = preset_ranges()
CASES = [(t, p, r) for t, rs in ALL.items() for p, r in rs.items()]


def test_every_builtin_with_sourced_costs_has_ranges():
    assert set(ALL) == {"binary_translation", "emulation", "paravirtual", "hardware_assist", "sriov", "nitro"}


@pytest.mark.parametrize("technique,parameter,r", CASES, ids=[f"{t}.{p}" for t, p, _ in CASES])
def test_range_contains_default_and_is_sourced(technique, parameter, r):
    default = getattr(get(technique), parameter)
    assert r.contains(default), (technique, parameter, default, r.low, r.high)
    assert r.basis in BASES
    assert r.sources and set(r.sources) <= set(keys())
    if r.basis == "published spread":
        assert min(r.values) == pytest.approx(r.low) and max(r.values) == pytest.approx(r.high)
    else:
        assert "model assumption" in r.note


@pytest.mark.parametrize("technique,parameter,r", CASES[::4], ids=[f"{t}.{p}" for t, p, _ in CASES[::4]])
def test_fast_ppf_matches_scipy(technique, parameter, r):
    u = np.linspace(0.001, 0.999, 41)
    np.testing.assert_allclose(r.ppf(u), r.distribution().ppf(u), rtol=1e-10)
    assert distribution(technique, parameter).ppf(0.5) == pytest.approx(r.ppf(0.5))


def test_lognormal_interval_is_central_95():
    r = Range("x", 1.0, 4.0, "lognormal")
    d = r.distribution()
    assert d.cdf(4.0) - d.cdf(1.0) == pytest.approx(0.95)
    assert d.median() == pytest.approx(2.0)


def test_bad_ranges_are_named():
    with pytest.raises(ParameterError, match="basis"):
        Range("x", 1, 2, basis="folklore")
    with pytest.raises(ParameterError, match="x"):
        Range("x", 2, 1)
    with pytest.raises(ParameterError, match="x"):
        Range("x", 0, 1, "loguniform")
    with pytest.raises(ParameterError, match="parameter"):
        distribution("sriov", "no_such")
