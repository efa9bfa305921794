"""The bibliography and cite()."""

import dataclasses
import re
import subprocess
import sys

import pytest

from virtmodel.errors import ParameterError
from virtmodel.presets import findings, measurement, measurements
from virtmodel.references import ASSUMPTION, Reference, bibliography_table, cite, keys, reference
from virtmodel.validation.app_records import app_results

FIXED_KEYS = {
    "adams2006", "agesen2012", "barham2003", "dall2016", "dall2017", "landau2011", "menon2006",
    "sugerman2001", "dong2010", "qemu_tcg2020", "barr2011", "bhargava2008", "vmware_ept2009",
    "aws_nitro", "aws_ec2_ug", "firecracker2020", "santos2008", "ram2009", "citrix2012",
    "amit2016_eli", "kvm_halt_poll2015", "linux_vhost_batching", "linux_xen_netback_mq",
    "qemu_vfio_nvme", "assumption",
}

_ENTRY_START = re.compile(r"^@([a-z]+)\{([A-Za-z0-9_]+),$")


def _entries(bibtex):
    return [chunk for chunk in bibtex.strip().split("\n\n") if chunk]


def _check_bibtex_like(bibtex):
    """Each entry starts with @type{key, and its braces balance."""
    found = []
    for chunk in _entries(bibtex):
        lines = chunk.splitlines()
        match = _ENTRY_START.match(lines[0])
        assert match, lines[0]
        assert lines[-1] == "}"
        depth = 0
        for ch in chunk:
            depth += {"{": 1, "}": -1}.get(ch, 0)
            assert depth >= 0
        assert depth == 0
        found.append(match.group(2))
    return found


def test_fixed_keys_present():
    assert FIXED_KEYS <= set(keys())


def test_every_key_is_used_by_a_measurement_or_finding_or_is_assumption():
    used = {m.source for m in measurements()} | {f.source for f in findings()}
    used |= {r.source for r in app_results()}
    for key in keys():
        assert key in used or key == ASSUMPTION, key


def test_entries_have_required_fields():
    for key in keys():
        ref = reference(key)
        assert isinstance(ref, Reference) and ref.key == key
        assert ref.field("title"), key
        assert ref.short and ref.description, key
        if ref.entry_type in ("inproceedings", "article"):
            for field in ("author", "year"):
                assert ref.field(field), (key, field)
            assert ref.field("booktitle") or ref.field("journal"), key
        text = " ".join(value for _, value in ref.fields)
        assert "http" not in text and "pypi" not in text.lower(), key


def test_cite_all_keys_parses_sorted_and_deduplicated():
    bib = cite(*keys(), *keys(), assumptions=True)
    found = _check_bibtex_like(bib)
    assert found == sorted(keys())


def test_cite_is_stable_and_order_independent():
    assert cite("dong2010", "adams2006") == cite("adams2006", "dong2010", "dong2010")


def test_cite_leaves_out_assumption_by_default():
    assert cite(ASSUMPTION) == ""
    assert _check_bibtex_like(cite(ASSUMPTION, "barham2003")) == ["barham2003"]
    assert "@misc{assumption," in cite(ASSUMPTION, assumptions=True)


@dataclasses.dataclass(frozen=True)
class _Params:
    exit_cost: float = dataclasses.field(default=1.0, metadata={"unit": "cycles", "source": "agesen2012"})
    hypercall: float = dataclasses.field(default=1.0, metadata={"unit": "cycles", "source": "dall2016"})
    guess: float = dataclasses.field(default=1.0, metadata={"unit": "us", "source": "assumption"})
    plain: float = 2.0


@dataclasses.dataclass(frozen=True)
class _Scenario:
    params: _Params = dataclasses.field(default_factory=_Params)
    rate: float = dataclasses.field(default=1.0, metadata={"unit": "1/s", "source": ("barham2003",)})


class _WithSources:
    def sources(self):
        return ["dong2010", "landau2011"]


def test_cite_collects_field_metadata():
    assert _check_bibtex_like(cite(_Params())) == ["agesen2012", "dall2016"]
    assert _check_bibtex_like(cite(_Params)) == ["agesen2012", "dall2016"]


def test_cite_recurses_into_nested_objects_and_sources_method():
    assert _check_bibtex_like(cite(_Scenario())) == ["agesen2012", "barham2003", "dall2016"]
    assert _check_bibtex_like(cite(_WithSources(), "adams2006")) == ["adams2006", "dong2010", "landau2011"]
    assert _check_bibtex_like(cite([measurement("exit_roundtrip.prescott")])) == ["agesen2012"]


def test_unknown_key_names_it_and_suggests():
    with pytest.raises(ParameterError, match="adams2007") as info:
        reference("adams2007")
    assert "adams2006" in str(info.value)
    with pytest.raises(ParameterError, match="dong2011"):
        cite("dong2011")


def test_bad_metadata_key_raises():
    @dataclasses.dataclass
    class Bad:
        x: float = dataclasses.field(default=0.0, metadata={"source": "nobody1999"})

    with pytest.raises(ParameterError, match="nobody1999"):
        cite(Bad())


def test_object_without_sources_is_rejected():
    with pytest.raises(ParameterError, match="object"):
        cite(object())


def test_bibliography_table():
    table = bibliography_table()
    assert list(table.columns) == ["key", "citation", "description"]
    assert list(table["key"]) == sorted(keys())
    assert table.set_index("key").loc["adams2006", "citation"] == "Adams & Agesen, ASPLOS 2006"


def test_import_is_light():
    code = "import sys, virtmodel.references, virtmodel.presets; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- the bibliography is data: virtmodel/data/references.bib, read by a strict parser -------------
def test_every_entry_reads_back_from_its_own_bibtex():
    """cite()'s BibTeX, parsed again, gives the entry's key, type and fields (a round trip)."""
    from virtmodel.data import parse_bib

    for key in keys():
        ref = reference(key)
        assert parse_bib(ref.bibtex()) == [(ref.key, ref.entry_type, ref.fields)]
        assert ref.field("short") is None and ref.field("description") is None  # virtmodel's own fields


@pytest.mark.parametrize("text, message", [
    ("@misc{a,\n  title = {x}\n}\n@misc{a,\n  title = {y}\n}", "duplicate citation key"),
    ("@misc{a,\n  title = {x},\n  title = {y}\n}", "given twice"),
    ("@misc{a,\n  title = {x {y}", "unclosed brace"),
    ("@misc{a,\n  title = \"x\"\n}", "name = {value}"),
    ("@misc{a,\n  title = {x} year = {1}\n}", ", or }"),
    ("@string{usenix = {USENIX}}", "@type{key,"),
    ("stray text", "@type{key,"),
])
def test_bib_parser_is_strict(text, message):
    from virtmodel.data import DataFileError, parse_bib

    with pytest.raises(DataFileError, match=re.escape(message)):
        parse_bib(text)


def test_bib_parser_keeps_braces_escapes_and_skips_comments():
    from virtmodel.data import parse_bib

    text = "% a comment\n@misc{k_1,\n  title = {{KVM}: {halt\\_poll\\_ns} \\{x},\n}\n"
    assert parse_bib(text) == [("k_1", "misc", (("title", "{KVM}: {halt\\_poll\\_ns} \\{x"),))]


def test_unknown_name_suggests_close_matches_and_lists_the_valid_ones():
    from virtmodel.errors import unknown_name

    error = unknown_name("key", "dong2011", ["adams2006", "dong2010"], "a known citation key")
    assert isinstance(error, ParameterError) and error.parameter == "key" and error.value == "dong2011"
    assert "did you mean 'dong2010'?" in str(error) and "valid names: adams2006, dong2010" in str(error)
    many = unknown_name("name", 42, [f"m{i}" for i in range(40)], "a measurement", more="(see the table)")
    assert "did you mean" not in str(many)
    assert "valid names: m0, m1, m10" in str(many) and "... (40 in all) (see the table)" in str(many)
