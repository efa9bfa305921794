"""virtmodel._memory: free memory is the smaller of the system's and the control group's."""

from __future__ import annotations

import pytest

from virtmodel import _memory


def _files(tmp_path, pairs):
    """Write (limit, usage) text pairs as cgroup files; return CGROUP_FILES pointing at them."""
    out = []
    for i, (limit, usage) in enumerate(pairs):
        lf, uf = tmp_path / f"limit{i}", tmp_path / f"usage{i}"
        if limit is not None:
            lf.write_text(limit + "\n")
        if usage is not None:
            uf.write_text(usage + "\n")
        out.append((str(lf), str(uf)))
    return tuple(out)


@pytest.mark.parametrize("pairs, expected", [
    ([("2147483648", "1610612736")], 512 * 2**20),      # v2: 2 GiB limit, 1.5 GiB used
    ([("max", "1000")], None),                           # v2 without a limit
    ([(str(2**63 - 4096), "1000")], None),               # v1 "unlimited"
    ([(None, None), ("1000", "400")], 600),              # no v2 files: v1
    ([("1000", "1500")], 0),                             # over the limit: nothing left
    ([("garbage", "1")], None),                          # unreadable: unknown
])
def test_cgroup_headroom(monkeypatch, tmp_path, pairs, expected):
    monkeypatch.setattr(_memory, "CGROUP_FILES", _files(tmp_path, pairs))
    assert _memory.cgroup_headroom() == expected


@pytest.mark.parametrize("meminfo, headroom, expected", [
    (8 << 30, 1 << 30, 1 << 30),    # a container: its limit binds, not the host's free memory
    (1 << 30, 8 << 30, 1 << 30),
    (None, 5, 5),
    (7, None, 7),
    (None, None, None),
])
def test_available_is_the_smaller(monkeypatch, meminfo, headroom, expected):
    monkeypatch.setattr(_memory, "_meminfo_available", lambda: meminfo)
    monkeypatch.setattr(_memory, "cgroup_headroom", lambda: headroom)
    assert _memory.available_bytes() == expected


def test_a_container_limit_refuses_a_grid_the_host_could_hold(monkeypatch):
    monkeypatch.setattr(_memory, "_meminfo_available", lambda: 64 << 30)
    monkeypatch.setattr(_memory, "cgroup_headroom", lambda: 256 << 20)
    with pytest.raises(_memory.ParameterError, match="points"):
        _memory.check_fits(10**7, "arrival_rate")  # 2.6 GB at 256 bytes a point


def test_this_machine_gives_a_number_or_none():
    value = _memory.available_bytes()
    assert value is None or (isinstance(value, int) and value >= 0)
