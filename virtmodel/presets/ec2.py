"""Amazon EC2's instance generations as presets of the virtualization techniques.

Six steps, each a technique and a platform: ``xen_pv`` (paravirtual),
``xen_hvm`` (hardware_assist, I/O through dom0), ``sriov_82599`` (sriov: an
Intel 82599 VF), ``ena_xen`` (sriov: ENA, still Xen), ``nitro`` (offload
cards, thin hypervisor), ``bare_metal`` (native: ``*.metal``).

Every fact is a :class:`Fact` with the citation key of its source
(``aws_nitro``, ``aws_ec2_ug``, ``dong2010`` ...) or ``"assumption"``, and the
published measurement it repeats when the project's record holds it; a fact the
record lacks names, in its note, the page or section of its source that states it.

Host threads versus vCPUs: a Xen host kept threads for dom0 and I/O
(c4.8xlarge: 36 of 40; i3.16xlarge: 64 of i3.metal's 72); on Nitro the largest
size offers the whole server (c5.24xlarge: 96, as c5.metal). The platform's
``cores`` are the host threads; the model's ``host_cores`` is the back-end work
it predicts, next to the threads kept (a provisioning fact). With
``dom0_only=True`` the back-end runs on the threads kept only.

Examples
--------
>>> technique, platform = ec2_generation("nitro")
>>> technique.name, platform.cores
('nitro', 96)
>>> ec2_fact("xen_hvm", "vcpus_offered").source
'aws_nitro'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .._tables import table_from_rows
from ..platform import Platform
from ..references import unknown_name_error
from .published import measurement

__all__ = ["EC2_GENERATIONS", "EC2_INSTANCES", "EC2Generation", "Fact", "ec2_fact", "ec2_facts_table",
           "ec2_generation", "ec2_generations_table", "ec2_instances_table", "ec2_model"]

# pages of the EC2 User Guide (aws_ec2_ug) that state facts the project's record lacks
_UG_EN = "EC2 User Guide, 'Enhanced networking on Amazon EC2 instances'"
_UG_VT = "EC2 User Guide, 'Linux AMI Virtualization Types' (API version 2015-04-15)"
_SIZES = "the sizes are members of those families (the page names families, not sizes)"
_BITS_TO_BYTES = 1e9 / 8          # Gb/s -> B/s


@dataclass(frozen=True)
class Fact:
    """One fact: ``value``, ``source`` (a citation key or ``"assumption"``), ``note``, and
    ``measurement``, the published measurement it repeats (None if not in the record)."""

    value: Any
    source: str
    note: str = ""
    measurement: str | None = None

    def sources(self) -> tuple:
        """The citation key behind this fact (for :func:`virtmodel.references.cite`)."""
        return (self.source,)


def _recorded(name: str, note: str = "") -> Fact:
    m = measurement(name)
    return Fact(m.value, m.source, note or m.note or m.machine, name)


def _assumed(value, note: str) -> Fact:
    return Fact(value, "assumption", note)


@dataclass(frozen=True)
class EC2Generation:
    """One EC2 generation: its facts and the technique and platform it maps onto.

    ``technique`` names a technique of :func:`virtmodel.techniques.get`;
    ``summary`` says what the step changed; ``facts`` maps ``hypervisor,
    examples, network, bandwidth_gbps, host_threads, vcpus_offered,
    threads_kept`` to :class:`Fact`; ``technique_parameters`` and
    ``platform_parameters`` map the parameters set on the technique and the
    platform to :class:`Fact` (the others keep their defaults and sources).
    """

    name: str
    label: str
    technique: str
    summary: str
    facts: dict
    technique_parameters: dict = field(default_factory=dict)
    platform_parameters: dict = field(default_factory=dict)

    def all_facts(self) -> dict:
        """Every fact: the generation's, then ``technique.<p>`` and ``platform.<p>``."""
        out = dict(self.facts)
        out.update({f"technique.{k}": v for k, v in self.technique_parameters.items()})
        out.update({f"platform.{k}": v for k, v in self.platform_parameters.items()})
        return out

    def sources(self) -> tuple:
        """The citation keys behind the facts (``"assumption"`` included), sorted."""
        return tuple(sorted({f.source for f in self.all_facts().values()}))

    def build(self, platform: Platform | None = None, dom0_only: bool = False):
        """``(technique, platform)``: the preset's technique and platform objects.

        ``platform`` replaces the generation's own (to compare generations on
        one host). ``dom0_only`` serves the back-end on the threads kept for
        dom0 (``cores = threads_kept``; Xen's netback runs in dom0) instead of
        every host thread; it is ignored where no threads are kept.
        """
        from ..techniques import get

        technique = get(self.technique, **{k: f.value for k, f in self.technique_parameters.items()})
        if platform is None:
            platform = Platform(**{k: f.value for k, f in self.platform_parameters.items()})
        kept = self.facts["threads_kept"].value
        if dom0_only and kept > 0:
            platform = platform.replace(cores=kept)
        return technique, platform


_XEN = Fact("Xen", "aws_nitro", "record (Nitro section): 'the Xen-based c4.8xlarge offered 36 of its "
            "host's 40 hardware threads'")
_PV_HOST = "no source gives the PV-era hosts; the c4.8xlarge host (40 threads, 36 offered) stands in"
_NIC_10G = _assumed(10, "not in the record for PV and non-enhanced networking; the 82599 VF's "
                    "10 Gb/s, so that only the I/O path differs")
_NETBACK = Fact(2e-6, "linux_xen_netback_mq", "netback host CPU per packet (~6 Gb/s per queue at "
                "1500 B), as the paravirtual preset; not vhost's 0.85 us")
_EXIT = _assumed(784, "Haswell/Broadwell exit cost not in the record; Sandy Bridge's "
                 "(agesen2012, the latest recorded) stands in")
_NO_POSTED = _assumed(False, "posted interrupts on these Xen hosts: not stated by any source")
_ENA = _recorded("ec2.ena.bandwidth_max", "ENA: up to 100 Gb/s (per-type figures not in the record)")
_C5_METAL = _recorded("nitro.c5_metal.vcpus", "c5.metal: the whole server, 96 hardware threads")


def _facts(hypervisor, examples, network, bandwidth_gbps, host_threads, vcpus_offered, threads_kept) -> dict:
    """The facts every generation states (a missing one is a TypeError at import)."""
    return {"hypervisor": hypervisor, "examples": examples, "network": network,
            "bandwidth_gbps": bandwidth_gbps, "host_threads": host_threads,
            "vcpus_offered": vcpus_offered, "threads_kept": threads_kept}


def _set(**parameters) -> dict:
    return parameters


_C4_HOST = _set(host_threads=_recorded("nitro.c4_8xlarge.host_threads"),
                vcpus_offered=_recorded("nitro.c4_8xlarge.vcpus"),
                threads_kept=Fact(4, "aws_nitro", "derived: 40 - 36 threads of the c4.8xlarge host "
                                  "kept for dom0 and I/O"))


def _generation(name, label, technique, summary, facts, technique_parameters, **platform) -> EC2Generation:
    """A generation whose platform has its host threads as cores and its NIC as the device."""
    gbps = facts["bandwidth_gbps"]
    origin = f" (record: {gbps.measurement})" if gbps.measurement else ""
    platform = _set(cores=facts["host_threads"],
                    device_bandwidth=Fact(gbps.value * _BITS_TO_BYTES, gbps.source,
                                          f"{gbps.value} Gb/s in B/s{origin}"),
                    clock_hz=_assumed(3.0e9, "host clock not in the record; 3 GHz throughout"),
                    **platform)
    return EC2Generation(name, label, technique, summary, facts, technique_parameters, platform)


_GENERATIONS = (
    _generation(
        "xen_pv", "Xen PV guests", "paravirtual",
        "Modified guest kernels make hypercalls; network and disk go through split drivers "
        "(netfront in the guest, netback in dom0 on the host's cores).",
        _facts(hypervisor=Fact("Xen", "aws_ec2_ug",
                               "EC2 User Guide, 'PV-GRUB' (user provided kernels): PV AMIs boot their "
                               "paravirtual kernel through PV-GRUB, older distributions needing a special "
                               "'ec2' or 'xen' kernel package. AWS's post 'Xen-on-Nitro: AWS Nitro for Legacy "
                               "Instances' (perspectives.mvdirona.com, 2021) says it outright: m1.small ran "
                               "on the Xen hypervisor"),
               examples=Fact(("m1.large", "c1.xlarge", "m2.4xlarge", "t1.micro"), "aws_ec2_ug",
                             _UG_VT + ": 'Some previous generation instance types, such as T1, C1, M1, and "
                             "M2 do not support Linux HVM AMIs': they take PV AMIs; " + _SIZES),
               network=Fact("netfront/netback split driver", "menon2006",
                            "Xen 2.0's architecture (Menon et al.): device drivers in a privileged driver "
                            "domain, guests reaching the network through virtual interfaces; netfront and "
                            "netback are the Linux drivers of that pair (linux_xen_netback_mq). Not "
                            "barham2003: 'In the initial design, Xen itself contained device driver code' "
                            "(Cherkasova and Gardner, USENIX 2005)"),
               bandwidth_gbps=_NIC_10G, host_threads=_assumed(40, _PV_HOST),
               vcpus_offered=_assumed(36, _PV_HOST), threads_kept=_assumed(4, _PV_HOST)),
        _set(backend_time=_NETBACK)),
    _generation(
        "xen_hvm", "Xen HVM", "hardware_assist",
        "Unmodified kernels run with VT-x and nested paging; I/O still goes through Xen's PV "
        "drivers to dom0 back-ends.",
        _facts(hypervisor=_XEN,
               examples=Fact(("c4.8xlarge", "m4.10xlarge", "r3.8xlarge"), "aws_ec2_ug",
                             "HVM types on Xen. " + _UG_VT + ": 'T2, I2, R3, G2, and C4 do not support "
                             "PV AMIs', and PV guests cannot use enhanced networking; " + _UG_EN + ": C4, "
                             "M4 (excluding m4.16xlarge) and R3 use the Intel 82599 VF, so run HVM, and are "
                             "not Nitro-based ('All Nitro-based instances use ENA'); Xen for c4.8xlarge "
                             "also in the record; " + _SIZES + ". Modelled without the enhanced-networking "
                             "driver. t2.large dropped: no page found states T2's hypervisor"),
               network=_assumed("Xen PV drivers on HVM (netfront/netback)",
                                "modelled as the hardware-assisted paravirtual (virtio) path"),
               bandwidth_gbps=_NIC_10G, **_C4_HOST),
        _set(io_path=_assumed("virtio", "PV drivers on HVM: the paravirtual path, not an emulated NIC"),
             backend_time=_NETBACK, exit_cycles=_EXIT)),
    _generation(
        "sriov_82599", "Enhanced networking (Intel 82599 VF)", "sriov",
        "The NIC presents a virtual function to each guest: no dom0 back-end per packet; "
        "interrupts still exit.",
        _facts(hypervisor=_XEN,
               examples=Fact(("c3.8xlarge", "c4.8xlarge", "r3.8xlarge", "i2.8xlarge", "d2.8xlarge"),
                             "aws_ec2_ug", _UG_EN + ": 'The following instance types use the Intel 82599 "
                             "VF interface for enhanced networking: C3, C4, D2, I2, M4 (excluding "
                             "m4.16xlarge), and R3'; " + _SIZES),
               network=Fact("Intel 82599 Virtual Function (VF) interface", "aws_ec2_ug",
                            _UG_EN + ": enhanced networking uses SR-IOV, on these types through the Intel "
                            "82599 VF interface (up to 10 Gb/s); its Linux driver, ixgbevf, is not named "
                            "on that page"),
               bandwidth_gbps=_recorded("ec2.ixgbevf.bandwidth_max"), **_C4_HOST),
        _set(max_vfs=_recorded("sriov.vfs_per_port"), posted_interrupts=_NO_POSTED, exit_cycles=_EXIT)),
    _generation(
        "ena_xen", "ENA on Xen", "sriov",
        "The Elastic Network Adapter, AWS's own SR-IOV device (up to 100 Gb/s), on Xen hosts "
        "that still keep threads for dom0.",
        _facts(hypervisor=Fact("Xen", "aws_ec2_ug",
                               "record: i3.16xlarge (Xen); " + _UG_EN + ": 'the following Xen-based "
                               "instances use ENA: H1, I3, G3, m4.16xlarge, P2, P3, P3dn, and R4'"),
               examples=Fact(("i3.16xlarge", "r4.16xlarge", "m4.16xlarge"), "aws_ec2_ug",
                             "I3, R4 and m4.16xlarge are Xen-based ENA types on " + _UG_EN + " (i3.16xlarge "
                             "also in the record; the r4 size is not named there). x1.32xlarge dropped: "
                             "X1 is not on that list"),
               network=Fact("ENA virtual function", "aws_ec2_ug",
                            _UG_EN + ": enhanced networking uses SR-IOV, on these types through ENA (up "
                            "to 100 Gb/s); one ENA driver serves the SR-IOV physical and virtual "
                            "functions (linux_ena_driver)"),
               bandwidth_gbps=_ENA,
               host_threads=_recorded("ec2.i3_metal.vcpus", "i3.metal: same hardware as i3.16xlarge"),
               vcpus_offered=_recorded("ec2.i3_16xlarge.vcpus"),
               threads_kept=_recorded("ec2.i3_xen_host_threads_kept")),
        _set(max_vfs=_assumed(64, "ENA virtual functions per device: not public; the 82599's 64"),
             posted_interrupts=_NO_POSTED, exit_cycles=_EXIT)),
    _generation(
        "nitro", "Nitro system", "nitro",
        "Network, storage and management move to Nitro cards and a thin hypervisor: nothing "
        "per I/O on the host's cores, and the largest size offers the whole server.",
        _facts(hypervisor=Fact("Nitro (thin hypervisor)", "aws_nitro",
                               "record: 'a thin hypervisor', I/O on cards; AWS, 'Instances built on the AWS "
                               "Nitro System': 'Nitro hypervisor - A lightweight hypervisor that manages "
                               "memory and CPU allocation'"),
               examples=Fact(("c5.18xlarge", "c5.24xlarge", "m5.24xlarge"), "aws_nitro",
                             "record: c5.24xlarge (AWS Nitro), c5.18xlarge and m5.24xlarge (Nitro, EC2 User "
                             "Guide); AWS Nitro whitepaper, 'The Nitro System journey': Dom0 gone 'starting "
                             "with the C5 instance type introduced in 2017'"),
               network=Fact("ENA on the Nitro card", "aws_nitro",
                            "AWS, 'Instances built on the AWS Nitro System': the Nitro card carries "
                            "'Networking hardware support'; " + _UG_EN + ": 'All Nitro-based instances use "
                            "ENA'"),
               bandwidth_gbps=_ENA, host_threads=_C5_METAL,
               vcpus_offered=_recorded("nitro.c5_24xlarge.vcpus"),
               threads_kept=Fact(0, "aws_nitro", "derived: 96 - 96: c5.24xlarge offers as many vCPUs "
                                 "as c5.metal")),
        _set(posted_interrupts=_assumed(True, "posted interrupts on Nitro hosts: not stated by any "
                                        "source (the technique's default)")),
        card_cores=_assumed(4, "cores of a Nitro card: not public")),
    _generation(
        "bare_metal", "Bare metal (*.metal)", "native",
        "No hypervisor: the OS owns the server; network and EBS still reach it through the "
        "Nitro cards.",
        _facts(hypervisor=Fact("none", "aws_nitro",
                               "record: c5.metal, the whole server; AWS, 'Instances built on the AWS Nitro "
                               "System': 'bare metal capabilities that eliminate virtualization overhead'"),
               examples=Fact(("i3.metal", "c5.metal"), "aws_ec2_ug",
                             "record: i3.metal, c5.metal; EC2 User Guide: 'i3.metal instances provide your "
                             "applications with direct access to physical resources of the host server' "
                             "(storage optimized instances), likewise 'Bare metal instances, such as "
                             "c5.metal' (compute optimized instances)"),
               network=_assumed("ENA on the Nitro card, modelled as plain hardware",
                                "the native model puts no cost on the card path"),
               bandwidth_gbps=_ENA, host_threads=_C5_METAL, vcpus_offered=_C5_METAL,
               threads_kept=Fact(0, "aws_nitro", "derived: c5.metal: all 96 threads to the customer")),
        {}),
)

#: name -> :class:`EC2Generation`, in historical order
EC2_GENERATIONS = {g.name: g for g in _GENERATIONS}

#: instance type -> (generation, vCPUs offered): the sizes the record gives
EC2_INSTANCES = {
    "c4.8xlarge": ("sriov_82599", _recorded("nitro.c4_8xlarge.vcpus")),
    "i3.16xlarge": ("ena_xen", _recorded("ec2.i3_16xlarge.vcpus")),
    "c5.18xlarge": ("nitro", _recorded("ec2.c5_18xlarge.vcpus")),
    "c5.24xlarge": ("nitro", _recorded("nitro.c5_24xlarge.vcpus")),
    "m5.24xlarge": ("nitro", _recorded("ec2.m5_24xlarge.vcpus")),
    "i3.metal": ("bare_metal", _recorded("ec2.i3_metal.vcpus")),
    "c5.metal": ("bare_metal", _recorded("nitro.c5_metal.vcpus")),
}


def _lookup(name) -> EC2Generation:
    if isinstance(name, EC2Generation):
        return name
    if isinstance(name, str) and name in EC2_GENERATIONS:
        return EC2_GENERATIONS[name]
    raise unknown_name_error("generation", name, EC2_GENERATIONS, "an EC2 generation")


def ec2_generation(name, platform: Platform | None = None, dom0_only: bool = False):
    """The ``(technique, platform)`` of an EC2 generation, ready for :class:`~virtmodel.model.Model`.

    Parameters
    ----------
    name : str
        One of :data:`EC2_GENERATIONS` (``"xen_pv"``, ``"xen_hvm"``,
        ``"sriov_82599"``, ``"ena_xen"``, ``"nitro"``, ``"bare_metal"``); an
        unknown name raises :class:`~virtmodel.errors.ParameterError`.
    platform : Platform, optional
        A platform to use instead of the generation's own (one host for all).
    dom0_only : bool
        Back-end on dom0's threads only (see :meth:`EC2Generation.build`).

    Examples
    --------
    >>> technique, platform = ec2_generation("sriov_82599")
    >>> technique.max_vfs, platform.device_bandwidth
    (64, 1250000000.0)
    """
    return _lookup(name).build(platform, dom0_only)


def ec2_model(name, workload=None, platform: Platform | None = None, dom0_only: bool = False):
    """A :class:`~virtmodel.model.Model` of a workload on an EC2 generation.

    Parameters
    ----------
    name : str
        An EC2 generation (see :func:`ec2_generation`).
    workload : str or Workload, optional
        A preset name of :mod:`virtmodel.workloads` or a Workload.
    platform, dom0_only
        As in :func:`ec2_generation`.

    Examples
    --------
    >>> ec2_model("nitro", "small_packet_rr").evaluate("host_cores")
    0.0
    """
    from ..model import Model

    technique, plat = ec2_generation(name, platform, dom0_only)
    return Model(technique, workload, plat)


def ec2_fact(name, field_name: str) -> Fact:
    """One :class:`Fact` of generation ``name`` by ``field_name``, a key of
    :meth:`EC2Generation.all_facts` (``"host_threads"``, ``"technique.max_vfs"`` ...)."""
    facts = _lookup(name).all_facts()
    if field_name not in facts:
        raise unknown_name_error("field_name", field_name, facts, f"a fact of {name}")
    return facts[field_name]


def ec2_facts_table(name=None):
    """Every fact of the generations (or of one generation ``name``), one row each.

    Returns a pandas DataFrame with columns ``generation, field, value,
    source, measurement, note``; ``source`` is ``"assumption"`` where no
    source gives the value.
    """
    import pandas as pd

    gens = [_lookup(name)] if name is not None else list(_GENERATIONS)
    rows = [(g.name, k, f.value, f.source, f.measurement or "", f.note)
            for g in gens for k, f in g.all_facts().items()]
    return pd.DataFrame(rows, columns=["generation", "field", "value", "source", "measurement", "note"])


def ec2_instances_table():
    """The instance sizes of the record (:data:`EC2_INSTANCES`) as a DataFrame.

    Index ``instance``; columns ``generation, vcpus, source, measurement, note``.

    >>> int(ec2_instances_table().loc["c5.18xlarge", "vcpus"])
    72
    """
    rows = {k: {"generation": g, "vcpus": f.value, "source": f.source, "measurement": f.measurement,
                "note": f.note} for k, (g, f) in EC2_INSTANCES.items()}
    return table_from_rows(rows, "instance")


_METRICS = ("overhead", "p99", "host_cores", "guest_cores_left")


def ec2_generations_table(workload=None, platform: Platform | None = None, dom0_only: bool = False,
                          **overrides):
    """The generations side by side: facts, and the model's metrics for a workload.

    Parameters
    ----------
    workload : str or Workload, optional
        With a workload, add the model's ``overhead``, ``p99`` (s),
        ``host_cores`` (back-end cores busy), ``guest_cores_left`` (the
        platform's cores minus those) and ``dom0_utilization`` (back-end
        cores / threads kept; NaN where none are kept).
    platform : Platform, optional
        One platform for all generations (default: each generation's own).
    dom0_only : bool
        Back-end on dom0's threads only (see :meth:`EC2Generation.build`).
    **overrides
        Scalar model parameters for every generation (e.g. ``arrival_rate``).

    Returns
    -------
    pandas.DataFrame
        Index ``generation``; the label, technique, facts, ``assumptions`` (the
        fields with no source), ``sources``, then the metrics (``inf`` where saturated).

    Examples
    --------
    >>> table = ec2_generations_table()
    >>> int(table.loc["nitro", "vcpus_offered"]), int(table.loc["xen_hvm", "vcpus_offered"])
    (96, 36)
    """
    from ..errors import UnstableError

    rows = {}
    for g in _GENERATIONS:
        row = {"label": g.label, "technique": g.technique}
        row.update({k: (", ".join(f.value) if k == "examples" else f.value) for k, f in g.facts.items()})
        row["assumptions"] = ", ".join(k for k, f in g.all_facts().items() if f.source == "assumption")
        row["sources"] = ", ".join(s for s in g.sources() if s != "assumption")
        if workload is not None:
            model = ec2_model(g.name, workload, platform, dom0_only)
            for metric in _METRICS:
                try:
                    row[metric] = model.evaluate(metric, **overrides)
                except UnstableError:
                    row[metric] = float("inf")
            kept = row["threads_kept"]
            row["dom0_utilization"] = row["host_cores"] / kept if kept else float("nan")
        rows[g.name] = row
    return table_from_rows(rows, "generation")
