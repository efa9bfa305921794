"""The published measurements: sources known, values as in published.md, docs current."""

import dataclasses
import datetime
from pathlib import Path

import pytest

from virtmodel.errors import ParameterError
from virtmodel.presets import (
    MACHINES,
    Measurement,
    finding,
    findings,
    launch_date,
    machine,
    measurement,
    measurements,
    measurements_table,
    processor_generations,
    sources,
)
from virtmodel.references import keys
from repo_scripts import load_script

ROOT = Path(__file__).resolve().parents[1]


def test_every_source_is_a_known_key():
    known = set(keys())
    for m in measurements():
        assert m.source in known, m
    for f in findings():
        assert f.source in known, f
    for mach in MACHINES.values():
        assert mach.source in known, mach


def test_records_are_frozen_and_complete():
    for m in measurements():
        assert isinstance(m, Measurement)
        assert m.name and m.unit and m.machine, m
        assert isinstance(m.value, (int, float)) and not isinstance(m.value, bool), m
        assert m.value >= 0, m
    with pytest.raises(dataclasses.FrozenInstanceError):
        measurement("exit_roundtrip.prescott").value = 1


def test_names_unique():
    names = [m.name for m in measurements()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    "name, value, unit, source",
    [
        ("exit_roundtrip.prescott", 3963, "cycles", "agesen2012"),
        ("exit_roundtrip.merom", 1579, "cycles", "agesen2012"),
        ("exit_roundtrip.penryn", 1266, "cycles", "agesen2012"),
        ("exit_roundtrip.nehalem", 1009, "cycles", "agesen2012"),
        ("exit_roundtrip.westmere", 761, "cycles", "agesen2012"),
        ("exit_roundtrip.sandy_bridge", 784, "cycles", "agesen2012"),
        ("exit.total_cost_assumed", 3000, "cycles", "agesen2012"),
        ("exit.nested_sandy_bridge", 9794, "cycles", "agesen2012"),
        ("ept.exit_rate_reduction_max", 90, "%", "agesen2012"),
        ("netperf.exits_per_roundtrip.e1000", 2.6, "exits", "agesen2012"),
        ("netperf.exits_per_roundtrip.e1000_clustered", 1.97, "exits", "agesen2012"),
        ("netperf.exits_per_roundtrip.vmxnet", 1.3, "exits", "agesen2012"),
        ("netperf.exits_per_roundtrip.vmxnet_clustered", 1.2, "exits", "agesen2012"),
        ("kvm.null_hypercall.low", 1300, "cycles", "dall2016"),
        ("kvm.null_hypercall.high", 1440, "cycles", "dall2016"),
        ("kvm.exit_kernel", 2565, "cycles", "dall2016"),
        ("kvm.exit_user", 6732, "cycles", "dall2016"),
        ("kvm.virtual_ipi", 3102, "cycles", "dall2017"),
        ("kvm.virtual_interrupt_completion", 1556, "cycles", "dall2017"),
        ("splitx.exit_direct", 2000, "cycles", "landau2011"),
        ("adams.in.native", 3209, "cycles", "adams2006"),
        ("adams.in.hw", 15826, "cycles", "adams2006"),
        ("adams.ptemod.hw", 12733, "cycles", "adams2006"),
        ("adams.pgfault.bt", 3927, "cycles", "adams2006"),
        ("adams.divzero.hw", 1014, "cycles", "adams2006"),
        ("xen.lmbench.fork.xen", 198, "us", "barham2003"),
        ("xen.lmbench.null_call.native", 0.45, "us", "barham2003"),
        ("xen.lmbench.exec.uml", 33000, "us", "barham2003"),
        ("xen.lmbench.ctx_switch_2p_0k.vmware", 18.1, "us", "barham2003"),
        ("xen.lmbench.page_fault.xen", 2.73, "us", "barham2003"),
        ("xen.ttcp.mtu500.vmware.tx", 101, "Mb/s", "barham2003"),
        ("xen.ttcp.mtu1500.vmware.rx", 615, "Mb/s", "barham2003"),
        ("xen.ttcp.mtu500.uml.rx", 91.4, "Mb/s", "barham2003"),
        ("xen.ttcp.mtu500.xen.tx", 516, "Mb/s", "barham2003"),
        ("sriov.throughput", 9.48, "Gb/s", "dong2010"),
        ("sriov.max_vms", 60, "VMs", "dong2010"),
        ("sriov.cpu_per_vm", 1.76, "% CPU per VM", "dong2010"),
        ("sriov.vfs_per_port", 64, "VFs", "dong2010"),
        ("tcg.host_insn_per_guest_insn.integer", 10.2, "host instr/guest instr", "qemu_tcg2020"),
        ("tcg.host_insn_per_guest_insn.float", 17.9, "host instr/guest instr", "qemu_tcg2020"),
        ("npt.walk_refs_2d_max", 24, "memory references", "barr2011"),
        ("nitro.c4_8xlarge.vcpus", 36, "vCPUs", "aws_nitro"),
        ("nitro.c4_8xlarge.host_threads", 40, "threads", "aws_nitro"),
        ("nitro.c5_24xlarge.vcpus", 96, "vCPUs", "aws_nitro"),
        ("nitro.c5_metal.vcpus", 96, "vCPUs", "aws_nitro"),
        ("ec2.i3_16xlarge.vcpus", 64, "vCPUs", "aws_ec2_ug"),
        ("ec2.i3_metal.vcpus", 72, "vCPUs", "aws_ec2_ug"),
        ("ec2.ena.bandwidth_max", 100, "Gb/s", "aws_ec2_ug"),
        ("ec2.ixgbevf.bandwidth_max", 10, "Gb/s", "aws_ec2_ug"),
        ("firecracker.net_throughput", 14.5, "Gb/s", "firecracker2020"),
        ("storage.vfio_nvme.iops", 21600, "IOPS", "qemu_vfio_nvme"),
        ("haltpoll.idle_vcpu_cost.high", 2.5, "% of a host core", "kvm_halt_poll2015"),
        ("citrix.vms_with_8_dom0_vcpus_min", 150, "VMs", "citrix2012"),
    ],
)
def test_values_match_published_record(name, value, unit, source):
    m = measurement(name)
    assert (m.value, m.unit, m.source) == (value, unit, source)


def test_machines_stated():
    assert measurement("adams.pgfault.native").machine == "Pentium 4 672, 3.8 GHz"
    assert measurement("xen.lmbench.fork.native").machine.startswith("Dell 2650, 2.4 GHz Xeon")
    assert "Nehalem" in measurement("splitx.exit_direct").machine
    assert machine("pentium4_672").clock_hz == 3.8e9
    assert machine("dell2650").clock_hz == 2.4e9


def test_approximate_values_are_flagged_derived():
    for name in ("adams.in.bt", "adams.cr8wr.native", "adams.cr8wr.hw"):
        assert measurement(name).derived, name
    assert measurement("adams.in.bt").value == 214
    assert measurement("adams.cr8wr.native").value == 140
    for name in ("adams.in.native", "adams.cr8wr.bt", "exit_roundtrip.prescott", "xen.lmbench.fork.xen"):
        assert not measurement(name).derived, name


def test_derived_values_agree_with_their_arithmetic():
    assert measurement("adams.in.bt").value == pytest.approx(3209 / 15, abs=0.5)
    iops = measurement("storage.vfio_nvme.iops").value
    assert measurement("storage.vfio_nvme.latency").value == pytest.approx(1e6 / iops, abs=1)
    kept = measurement("ec2.i3_metal.vcpus").value - measurement("ec2.i3_16xlarge.vcpus").value
    assert measurement("ec2.i3_xen_host_threads_kept").value == kept


def test_processor_generations_ordered_with_dates():
    table = processor_generations()
    assert list(table.columns) == ["microarchitecture", "launched", "exit_roundtrip_cycles", "source"]
    assert table["launched"].is_monotonic_increasing
    assert list(table["microarchitecture"]) == [
        "Prescott", "Merom", "Penryn", "Nehalem", "Westmere", "Sandy Bridge"]
    row = table.set_index("microarchitecture").loc["Sandy Bridge"]
    assert row["exit_roundtrip_cycles"] == 784
    assert row["launched"].date() == datetime.date(2011, 1, 1)
    assert table.iloc[0]["launched"].date() == datetime.date(2005, 7, 1)
    assert set(table["source"]) == {"agesen2012"}


def test_launch_date():
    assert launch_date("3Q2005") == datetime.date(2005, 7, 1)
    assert launch_date("2Q2006") == datetime.date(2006, 4, 1)
    assert launch_date("4Q1999") == datetime.date(1999, 10, 1)
    with pytest.raises(ParameterError, match="Q5"):
        launch_date("Q52005")


def test_unknown_names_give_close_matches():
    with pytest.raises(ParameterError, match="exit_roundtrip.presott") as info:
        measurement("exit_roundtrip.presott")
    assert "exit_roundtrip.prescott" in str(info.value)
    with pytest.raises(ParameterError, match="dong2011"):
        measurements(source="dong2011")
    with pytest.raises(ParameterError):
        finding("adams.results")
    with pytest.raises(ParameterError):
        machine("pentium")


def test_measurements_by_source():
    barham = measurements(source="barham2003")
    assert len(barham) == 7 * 4 + 4 * 4
    assert all(m.source == "barham2003" for m in barham)
    from virtmodel.validation.app_records import app_results

    assert set(sources()) | {"assumption"} | {r.source for r in app_results()} == set(keys())


def test_findings():
    result = finding("adams.result").statement
    assert "system-call" in result and "binary translation wins" in result
    assert finding("xen.ttcp.regimes").source == "barham2003"


def test_measurements_table_columns():
    table = measurements_table()
    assert list(table.columns) == ["name", "value", "unit", "source", "machine", "note", "derived"]
    assert len(table) == len(measurements())
    assert table["derived"].dtype == bool


def _load_docs_script():
    return load_script("docs/make_published_table.py")


def test_docs_table_is_current():
    script = _load_docs_script()
    committed = (ROOT / "docs" / "published-data.md").read_text(encoding="utf-8")
    assert script.render() == committed, "run: python docs/make_published_table.py"


def test_docs_table_lists_every_measurement_and_source():
    text = (ROOT / "docs" / "published-data.md").read_text(encoding="utf-8")
    for m in measurements():
        assert f"| {m.name} |" in text, m.name
    for key in keys():
        assert f"| {key} |" in text, key


# --- the published data as it was when it moved from Python literals to virtmodel/data/ ---------
SNAPSHOT = ROOT / "tests" / "published_snapshot.json"


def _snapshot() -> dict:
    """Every published value and every BibTeX string, as text (reprs keep int vs float)."""
    from virtmodel import references
    from virtmodel.presets import GENERATIONS, findings
    from virtmodel.lenses.ec2 import EC2_INSTANCES, ec2_facts_table, ec2_generations_table
    from virtmodel.techniques.generations import GENERATIONS as TECHNIQUE_GENERATIONS

    return {
        "measurements": [repr(m) for m in measurements()],
        "findings": [repr(f) for f in findings()],
        "machines": repr(MACHINES),
        "generations": repr(GENERATIONS),
        "technique_generations": repr(TECHNIQUE_GENERATIONS),
        "processor_generations": processor_generations().to_csv(),
        "sources": list(sources()),
        "cite": {k: references.cite(k, assumptions=True) for k in keys()},
        "bibliography_table": references.bibliography_table().to_csv(),
        "ec2_instances": repr(EC2_INSTANCES),
        "ec2_facts_table": ec2_facts_table().to_csv(),
        "ec2_generations_table": ec2_generations_table().to_csv(),
    }


def test_published_outputs_equal_the_snapshot():
    """The values, tables and BibTeX are exactly those recorded before the data moved to files."""
    import json

    recorded = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    now = _snapshot()
    assert sorted(now) == sorted(recorded)
    for part, value in recorded.items():
        assert now[part] == value, part


if __name__ == "__main__":  # python tests/test_published.py: re-record (only after a deliberate change)
    import json

    SNAPSHOT.write_text(json.dumps(_snapshot(), indent=1, sort_keys=True) + "\n", encoding="utf-8")


# --- the data files: strict JSON, shipped in the wheel ----------------------------------------------
def test_json_loader_rejects_duplicate_keys_and_nan(tmp_path, monkeypatch):
    import virtmodel.data as data

    for text, message in (('{"a": 1, "a": 2}', "duplicate key 'a'"), ('{"a": NaN}', "NaN")):
        monkeypatch.setattr(data, "_read", lambda name, text=text: text)
        with pytest.raises(data.DataFileError, match=message):
            data.load_json("x.json")
    from virtmodel.presets.published import _record

    with pytest.raises(data.DataFileError, match="Measurement 'x'.*unit"):
        _record(Measurement, {"name": "x", "value": 1, "source": "dong2010", "machine": "m"})
    with pytest.raises(data.DataFileError, match="valu"):
        _record(Measurement, {"name": "x", "valu": 1, "unit": "s", "source": "dong2010", "machine": "m"})


def test_every_data_file_is_package_data_and_read():
    """pyproject's package-data globs cover each file of virtmodel/data/, and each is read by the package."""
    import fnmatch
    import sys

    tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    globs = setuptools["package-data"]["virtmodel"]
    files = [p.name for p in (ROOT / "virtmodel" / "data").iterdir() if p.suffix in (".json", ".bib")]
    assert {"references.bib", "ec2.json", "machines.json"} <= set(files)
    for name in files:
        assert any(fnmatch.fnmatch(f"data/{name}", g) for g in globs), f"data/{name} would not ship"
    readers = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "virtmodel").rglob("*.py"))
    for name in files:
        stem = name.split("_")[-1] if name.startswith("published_") else name
        assert stem.split(".")[0] in readers, f"data/{name} is read by nothing"


def test_generations_are_the_exit_roundtrip_measurements():
    from virtmodel.presets import GENERATIONS, NESTED_PAGING

    assert [g[0] for g in GENERATIONS] == [n[0] for n in NESTED_PAGING]
    for arch, quarter, cycles in GENERATIONS:
        m = measurement(f"exit_roundtrip.{arch.lower().replace(' ', '_')}")
        assert m.value == cycles and quarter in m.note
