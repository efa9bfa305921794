"""The bibliography behind virtmodel's presets, and a :func:`cite` helper.

Every published value in :mod:`virtmodel.presets` names its source by a citation
key defined here. :func:`cite` turns keys, or the objects that carry them (the
technique parameter objects and workload presets, whose dataclass fields hold
``metadata={"unit": ..., "source": "<key>"}``), into BibTeX for a paper or a
report. The pseudo-source ``"assumption"`` marks a value that no publication
gives: it is the model's own assumption and is left out of BibTeX output unless
asked for.

Bibliographic fields are limited to what could be checked (authors, title,
venue, year, publisher; pages and DOIs only where verified). No URLs.

Examples
--------
>>> print(cite("dong2010").splitlines()[0])
@inproceedings{dong2010,
>>> reference("adams2006").short
'Adams & Agesen, ASPLOS 2006'
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass

from .errors import ParameterError

__all__ = ["ASSUMPTION", "Reference", "bibliography_table", "cite", "keys", "reference", "unknown_name_error"]

ASSUMPTION = "assumption"
"""The pseudo-source key of values that are the model's assumption."""


@dataclass(frozen=True)
class Reference:
    """One bibliography entry.

    Attributes
    ----------
    key : str
        The citation key (fixed: code and docs refer to it).
    entry_type : str
        The BibTeX entry type (``inproceedings``, ``article``, ``misc``, ...).
    fields : tuple of (str, str)
        BibTeX fields in output order (values already BibTeX-escaped).
    short : str
        A short human citation, e.g. ``"Adams & Agesen, ASPLOS 2006"``.
    description : str
        One line: what virtmodel takes from this source.
    """

    key: str
    entry_type: str
    fields: tuple
    short: str
    description: str

    def field(self, name: str, default: str | None = None) -> str | None:
        """The value of BibTeX field ``name`` (``default`` when absent)."""
        return dict(self.fields).get(name, default)

    def bibtex(self) -> str:
        """This entry as BibTeX text (``@type{key,`` ... ``}``)."""
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in self.fields)
        return f"@{self.entry_type}{{{self.key},\n{body}\n}}"


def _ref(key, entry_type, short, description, **fields) -> Reference:
    return Reference(key, entry_type, tuple(fields.items()), short, description)


_USENIX = "USENIX Association"
_ATC = "Proceedings of the USENIX Annual Technical Conference"
_LINUX = "Linux kernel commit message"

_ENTRIES = (
    _ref("adams2006", "inproceedings", "Adams & Agesen, ASPLOS 2006",
         "Cycles per operation: native vs binary translation vs first-generation VT-x.",
         author="Keith Adams and Ole Agesen",
         title="A Comparison of Software and Hardware Techniques for {x86} Virtualization",
         booktitle="Proceedings of the 12th International Conference on Architectural Support "
                   "for Programming Languages and Operating Systems ({ASPLOS})",
         year="2006", publisher="ACM"),
    _ref("agesen2012", "inproceedings", "Agesen et al., USENIX ATC 2012",
         "VM exit round-trip cycles by Intel generation; exits per netperf round trip.",
         author="Ole Agesen and Jim Mattson and Radu Rugina and Jeffrey Sheldon",
         title="Software Techniques for Avoiding Hardware Virtualization Exits",
         booktitle=_ATC, year="2012", publisher=_USENIX),
    _ref("barham2003", "inproceedings", "Barham et al., SOSP 2003",
         "lmbench and ttcp for native Linux, Xen, VMware Workstation and UML.",
         author="Paul Barham and Boris Dragovic and Keir Fraser and Steven Hand and Tim Harris "
                "and Alex Ho and Rolf Neugebauer and Ian Pratt and Andrew Warfield",
         title="{Xen} and the Art of Virtualization",
         booktitle="Proceedings of the 19th ACM Symposium on Operating Systems Principles ({SOSP})",
         year="2003", publisher="ACM"),
    _ref("dall2016", "inproceedings", "Dall et al., ISCA 2016",
         "KVM x86 microbenchmark costs: hypercall, exits handled in kernel and user space.",
         author="Christoffer Dall and Shih-Wei Li and Jin Tack Lim and Jason Nieh "
                "and Georgios Koloventzos",
         title="{ARM} Virtualization: Performance and Architectural Implications",
         booktitle="Proceedings of the 43rd International Symposium on Computer Architecture ({ISCA})",
         year="2016"),
    _ref("dall2017", "inproceedings", "Dall et al., USENIX ATC 2017",
         "KVM x86 virtual IPI and virtual interrupt completion costs.",
         author="Christoffer Dall and Shih-Wei Li and Jason Nieh",
         title="Optimizing the Design and Implementation of the {Linux} {ARM} Hypervisor",
         booktitle=_ATC, year="2017", publisher=_USENIX),
    _ref("landau2011", "inproceedings", "Landau et al., WIOV 2011 (SplitX)",
         "Direct cost of one exit (~2000 cycles) and indirect costs up to 10x.",
         author="Alex Landau and Muli Ben-Yehuda and Abel Gordon",
         title="{SplitX}: Split Guest/Hypervisor Execution on Multi-Core",
         booktitle="Proceedings of the 3rd Workshop on I/O Virtualization ({WIOV})",
         year="2011", publisher=_USENIX),
    _ref("menon2006", "inproceedings", "Menon et al., USENIX ATC 2006",
         "Xen paravirtual networking after optimization: TX within 12%, RX 61% behind.",
         author="Aravind Menon and Alan L. Cox and Willy Zwaenepoel",
         title="Optimizing Network Virtualization in {Xen}",
         booktitle=_ATC, year="2006", publisher=_USENIX),
    _ref("sugerman2001", "inproceedings", "Sugerman et al., USENIX ATC 2001",
         "Hosted VMM networking: 5-6x native CPU to saturate 100 Mb/s.",
         author="Jeremy Sugerman and Ganesh Venkitachalam and Beng-Hong Lim",
         title="Virtualizing {I/O} Devices on {VMware} {Workstation}'s Hosted Virtual Machine Monitor",
         booktitle=_ATC, year="2001", publisher=_USENIX),
    _ref("dong2010", "inproceedings", "Dong et al., HPCA 2010",
         "SR-IOV line rate (9.48 Gb/s), 60 VMs at 1.76% CPU per VM; VFs per port.",
         author="Yaozu Dong and Xiaowei Yang and Xiaoyong Li and Jianhui Li and Kun Tian "
                "and Haibing Guan",
         title="High Performance Network Virtualization with {SR-IOV}",
         booktitle="Proceedings of the 16th IEEE International Symposium on High Performance "
                   "Computer Architecture ({HPCA})",
         year="2010", pages="1--10", publisher="IEEE", doi="10.1109/HPCA.2010.5416637"),
    _ref("qemu_tcg2020", "misc", "Karaman, QEMU TCG Continuous Benchmarking, 2020",
         "QEMU TCG host instructions per guest instruction (x86_64, linux-user, QEMU 5.1).",
         author="Ahmed Karaman", title="Measuring {QEMU} Emulation Efficiency",
         howpublished="TCG Continuous Benchmarking report", year="2020"),
    _ref("barr2011", "inproceedings", "Barr et al., ISCA 2011",
         "A two-dimensional page walk: up to 24 memory references instead of 4.",
         author="Thomas W. Barr and Alan L. Cox and Scott Rixner",
         title="{SpecTLB}: A Mechanism for Speculative Address Translation",
         booktitle="Proceedings of the 38th International Symposium on Computer Architecture ({ISCA})",
         year="2011", pages="307--317"),
    _ref("bhargava2008", "inproceedings", "Bhargava et al., ASPLOS 2008",
         "Page-walk caches for 2-D walks: 15-38% faster; SPECint2000 overhead under 5%.",
         author="Ravi Bhargava and Benjamin Serebrin and Francesco Spadini and Srilatha Manne",
         title="Accelerating Two-Dimensional Page Walks for Virtualized Systems",
         booktitle="Proceedings of the 13th International Conference on Architectural Support "
                   "for Programming Languages and Operating Systems ({ASPLOS})",
         year="2008", publisher="ACM"),
    _ref("vmware_ept2009", "techreport", "VMware, EPT white paper, 2009",
         "EPT vs shadow paging: up to 48% faster on MMU-intensive benchmarks.",
         author="{VMware}", title="Performance Evaluation of {Intel} {EPT} Hardware Assist",
         institution="VMware, Inc.", type="Technical white paper", year="2009"),
    _ref("wikipedia_ept", "misc", "Wikipedia, 'Extended Page Table' (2012)",
         "Which Intel CPUs have EPT: all Nehalem-based ones with VT-x; no Core 2-based or earlier one.",
         author="{Wikipedia contributors}", title="Extended Page Table",
         howpublished="Wikipedia, The Free Encyclopedia (article as of 2012, reporting Intel's statement)",
         year="2012"),
    _ref("amd_npt2008", "techreport", "AMD, AMD-V Nested Paging white paper, 2008",
         "AMD64 Quad-Core processors: the first x86 processors with nested paging (RVI).",
         author="{Advanced Micro Devices}", title="{AMD-V} Nested Paging",
         institution="Advanced Micro Devices, Inc.", type="White paper, revision 1.0", year="2008"),
    _ref("aws_nitro", "misc", "AWS, Nitro System documentation",
         "Nitro offload and thin hypervisor; vCPUs per largest size vs metal; c4.8xlarge 36 of 40.",
         author="{Amazon Web Services}", title="The {AWS} {Nitro} System",
         howpublished="Amazon Web Services documentation"),
    _ref("aws_ec2_ug", "manual", "AWS, Amazon EC2 User Guide",
         "Instance vCPU counts, ENA and 82599 VF bandwidth, flow limits, ENA queues.",
         title="Amazon {EC2} User Guide", organization="Amazon Web Services"),
    _ref("firecracker2020", "inproceedings", "Agache et al., NSDI 2020",
         "Firecracker network/storage throughput per host core; block I/O p99 over native.",
         author="Alexandru Agache and Marc Brooker and Andreea Florescu and Alexandra Iordache "
                "and Anthony Liguori and Rolf Neugebauer and Phil Piwonka and Diana-Maria Popa",
         title="{Firecracker}: Lightweight Virtualization for Serverless Applications",
         booktitle="Proceedings of the 17th USENIX Symposium on Networked Systems Design "
                   "and Implementation ({NSDI})",
         year="2020", publisher=_USENIX),
    _ref("santos2008", "inproceedings", "Santos et al., USENIX ATC 2008",
         "Driver-domain receive cost down 56% with multi-queue NICs.",
         author="Jose Renato Santos and Yoshio Turner and G. (John) Janakiraman and Ian Pratt",
         title="Bridging the Gap between Software and Hardware Techniques for {I/O} Virtualization",
         booktitle=_ATC, year="2008", publisher=_USENIX),
    _ref("ram2009", "inproceedings", "Ram et al., VEE 2009",
         "Xen guest network throughput 2.9 -> 10 Gb/s.",
         author="Kaushik Kumar Ram and Jose Renato Santos and Yoshio Turner and Alan L. Cox "
                "and Scott Rixner",
         title="Achieving 10 {Gb/s} using Safe and Transparent Network Interface Virtualization",
         booktitle="Proceedings of the ACM SIGPLAN/SIGOPS International Conference on Virtual "
                   "Execution Environments ({VEE})",
         year="2009", publisher="ACM"),
    _ref("citrix2012", "misc", "Citrix blog, 2012",
         "XenServer dom0 saturation at 60-65 VDI VMs; more than 150 with 8 dom0 vCPUs.",
         author="{Citrix}", title="{XenServer} scalability and performance tuning",
         howpublished="Citrix blog post", year="2012"),
    _ref("amit2016_eli", "article", "Amit et al., CACM 2016 (ELI)",
         "Device assignment still takes >150K physical interrupts/s under network load.",
         author="Nadav Amit and Abel Gordon and Nadav Har'El and Muli Ben-Yehuda and Alex Landau "
                "and Assaf Schuster and Dan Tsafrir",
         title="Bare-Metal Performance for Virtual Machines with Exitless Interrupts",
         journal="Communications of the ACM", year="2016"),
    _ref("kvm_halt_poll2015", "misc", "KVM halt-polling commit, 2015",
         "Halt polling: O_DSYNC writes 30% -> 60-65% of bare metal; 1.5-2.5% core per idle vCPU.",
         title="{KVM}: halt polling ({halt\\_poll\\_ns} module parameter)",
         howpublished=_LINUX, year="2015"),
    _ref("kvm_pv_eoi", "misc", "KVM paravirtual EOI commit",
         "Paravirtual EOI halves exits per interrupt.",
         title="{KVM}: paravirtual end-of-interrupt ({PV} {EOI})", howpublished=_LINUX),
    _ref("linux_ena_driver", "misc", "Linux ENA driver documentation",
         "ENA default TX interrupt delay 64 us; adaptive RX interrupt moderation.",
         title="{Linux} kernel driver for Elastic Network Adapter ({ENA}) family",
         howpublished="Linux kernel documentation"),
    _ref("linux_vhost_batching", "misc", "tun/vhost batching commits",
         "vhost-net single-queue packet rates (guest RX 1.3-1.5, TX 0.9-1.1 Mpps).",
         title="tun/vhost: batching on the paravirtual network path", howpublished=_LINUX),
    _ref("linux_xen_netback_mq", "misc", "xen-netback/netfront multi-queue merge",
         "Single-queue Xen netback tops out near 6 Gb/s; 10 Gb/s needs multi-queue.",
         title="xen-netback/xen-netfront: multi-queue support", howpublished="Linux kernel merge"),
    _ref("qemu_vfio_nvme", "misc", "QEMU VFIO NVMe driver commit",
         "Userspace VFIO NVMe vs linux-aio, 4K random read QD1: 21.6K vs 10.5K IOPS.",
         title="block: {VFIO}-based userspace {NVMe} driver", howpublished="QEMU commit message"),
    _ref(ASSUMPTION, "misc", "model assumption",
         "No published value: the value is the model's assumption (stated where it is used).",
         title="No published value; an assumption of the virtmodel model",
         note="Pseudo-source: values marked with it are illustrative, not measured"),
)

_BY_KEY = {ref.key: ref for ref in _ENTRIES}


def keys() -> tuple:
    """All citation keys, sorted (``"assumption"`` included)."""
    return tuple(sorted(_BY_KEY))


def unknown_name_error(parameter: str, value: object, choices, valid: str) -> ParameterError:
    """A :class:`ParameterError` for an unknown name, suggesting close matches.

    Parameters
    ----------
    parameter : str
        What the user passed (e.g. ``"key"``).
    value : object
        The unknown name.
    choices : iterable of str
        The known names.
    valid : str
        What a valid value is, for the message.
    """
    choices = list(choices)
    close = difflib.get_close_matches(str(value), choices, n=4, cutoff=0.5)
    if close:
        detail = "close matches: " + ", ".join(close)
    else:
        detail = f"{len(choices)} known, e.g. " + ", ".join(sorted(choices)[:5])
    return ParameterError(parameter, value, valid, detail)


def reference(key: str) -> Reference:
    """The bibliography entry of ``key``.

    Parameters
    ----------
    key : str
        A citation key such as ``"adams2006"``.

    Returns
    -------
    Reference

    Raises
    ------
    ParameterError
        For an unknown key; the message names it and lists close matches.
    """
    if isinstance(key, str) and key in _BY_KEY:
        return _BY_KEY[key]
    raise unknown_name_error("key", key, _BY_KEY, "a known citation key (see virtmodel.references.keys())")


def _collect(obj, out: set, seen: set) -> None:
    """Add the citation keys carried by ``obj`` to ``out``."""
    if isinstance(obj, str):
        out.add(reference(obj).key)
        return
    if isinstance(obj, Reference):
        out.add(obj.key)
        return
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, (list, tuple, set, frozenset)):
        for item in obj:
            _collect(item, out, seen)
        return
    found = False
    sources = getattr(obj, "sources", None)
    if callable(sources):
        _collect(list(sources()), out, seen)
        found = True
    if dataclasses.is_dataclass(obj):
        found = True
        for f in dataclasses.fields(obj):
            src = f.metadata.get("source")
            if src is not None:
                _collect(src if isinstance(src, str) else list(src), out, seen)
            if not isinstance(obj, type):
                value = getattr(obj, f.name, None)
                if dataclasses.is_dataclass(value) or callable(getattr(value, "sources", None)):
                    _collect(value, out, seen)
        if isinstance(getattr(obj, "source", None), str):
            _collect(obj.source, out, seen)
    if not found:
        raise ParameterError(
            "source", type(obj).__name__,
            "a citation key, a Reference, or an object with sources() or dataclass fields "
            "with metadata['source']",
        )


def cite(*keys_or_objects, assumptions: bool = False) -> str:
    """BibTeX for the sources behind some keys or model objects.

    Parameters
    ----------
    *keys_or_objects : str, Reference or object
        Citation keys; or objects with a ``sources()`` method; or dataclasses
        (instances or classes) whose fields carry ``metadata["source"]`` (a key
        or a sequence of keys); or measurements (a ``source`` attribute); or
        lists/tuples/dicts of these. Nested dataclass values are searched too.
    assumptions : bool, optional
        Also emit the ``"assumption"`` pseudo-entry when it is among the keys
        (default False: it is not a publication).

    Returns
    -------
    str
        BibTeX entries, deduplicated, sorted by key, separated by blank lines
        (empty string when nothing is cited).

    Raises
    ------
    ParameterError
        For an unknown key or an object that carries no sources.

    Examples
    --------
    >>> cite("barham2003", "adams2006").count("@")
    2
    """
    found: set = set()
    seen: set = set()
    for obj in keys_or_objects:
        _collect(obj, found, seen)
    if not assumptions:
        found.discard(ASSUMPTION)
    return "\n\n".join(_BY_KEY[k].bibtex() for k in sorted(found)) + ("\n" if found else "")


def bibliography_table():
    """The bibliography as a table.

    Returns
    -------
    pandas.DataFrame
        Columns ``key``, ``citation`` (short human citation) and
        ``description`` (what virtmodel takes from it), sorted by key.
    """
    import pandas as pd

    rows = [(ref.key, ref.short, ref.description) for ref in sorted(_ENTRIES, key=lambda r: r.key)]
    return pd.DataFrame(rows, columns=["key", "citation", "description"])
