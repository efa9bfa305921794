"""Tenants: a host of VM groups; one group is today's model, groups that differ are refused."""

from __future__ import annotations

import pytest

from virtmodel.errors import ParameterError
from virtmodel.host import Host, VMGroup
from virtmodel.model import Model
from virtmodel.platform import Platform
from virtmodel.techniques import get


def test_one_group_is_todays_one_liner_with_the_same_results():
    host = Host([VMGroup("paravirtual", "small_packet_rr", 12)], Platform(cores=16))
    one = Model("paravirtual", "small_packet_rr", Platform(cores=16, vms=12))
    assert host.model() == one
    for metric in ("mean_latency", "p99", "host_cores"):
        assert host.model().evaluate(metric) == one.evaluate(metric)


def test_alike_groups_merge_and_count_every_vm():
    host = Host([VMGroup("sriov", "small_packet_rr", 3), VMGroup("nitro", "small_packet_rr", 2),
                 VMGroup("sriov", "small_packet_rr", 5)])
    assert host.vms == 10
    merged = host.merged()
    assert [(g.technique.name, g.count) for g in merged] == [("sriov", 8), ("nitro", 2)]


def test_groups_that_differ_are_refused_with_the_reason():
    host = Host([VMGroup("sriov", "small_packet_rr", 4), VMGroup("paravirtual", "web_serving", 4)])
    with pytest.raises(ParameterError, match="multi-class"):
        host.model()
    # the same technique with other costs is another group, too
    other = Host([VMGroup("sriov", "small_packet_rr", 4),
                  VMGroup(get("sriov", iommu_cycles=400.0), "small_packet_rr", 4)])
    with pytest.raises(ParameterError, match="groups"):
        other.model()


@pytest.mark.parametrize("groups", [[], ["sriov"], VMGroup("sriov", count=2).count])
def test_bad_groups_name_the_parameter(groups):
    with pytest.raises(ParameterError, match="groups"):
        Host(groups)


def test_bad_count_names_the_parameter():
    with pytest.raises(ParameterError, match="count"):
        VMGroup("sriov", "small_packet_rr", 0)
