"""Amazon EC2's instance generations as presets of the virtualization techniques: a lens on the model.

Six steps, each a technique and a platform: ``xen_pv`` (paravirtual),
``xen_hvm`` (hardware_assist, I/O through dom0), ``sriov_82599`` (sriov: an
Intel 82599 VF), ``ena_xen`` (sriov: ENA, still Xen), ``nitro`` (offload
cards, thin hypervisor), ``bare_metal`` (native: ``*.metal``).

The facts of each generation are published data (:mod:`virtmodel.presets.ec2_facts`,
read from ``virtmodel/data/ec2.json``): every one a :class:`Fact` with the citation key of its
source or ``"assumption"``. This module sits above the model: it maps the facts
onto a technique and a platform and builds :class:`~virtmodel.model.Model` objects.

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

from .._tables import table_from_rows
from ..errors import UnstableError, unknown_name
from ..model import Model
from ..platform import Platform
from ..presets.ec2_facts import EC2_INSTANCES, EC2_PLATFORM_FACTS, EC2_RECORDS, EC2Record, Fact
from ..techniques import get

__all__ = ["EC2_GENERATIONS", "EC2_INSTANCES", "EC2Generation", "Fact", "ec2_fact", "ec2_facts_table",
           "ec2_generation", "ec2_generations_table", "ec2_instances_table", "ec2_model"]

_BITS_TO_BYTES = 1e9 / 8          # Gb/s -> B/s


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
        technique = get(self.technique, **{k: f.value for k, f in self.technique_parameters.items()})
        if platform is None:
            platform = Platform(**{k: f.value for k, f in self.platform_parameters.items()})
        kept = self.facts["threads_kept"].value
        if dom0_only and kept > 0:
            platform = platform.replace(cores=kept)
        return technique, platform


def _generation(record: EC2Record) -> EC2Generation:
    """A generation whose platform has its host threads as cores and its NIC as the device."""
    gbps = record.facts["bandwidth_gbps"]
    origin = f" (record: {gbps.measurement})" if gbps.measurement else ""
    platform = {"cores": record.facts["host_threads"],
                "device_bandwidth": Fact(gbps.value * _BITS_TO_BYTES, gbps.source,
                                         f"{gbps.value} Gb/s in B/s{origin}"),
                **EC2_PLATFORM_FACTS, **record.platform_parameters}
    return EC2Generation(record.name, record.label, record.technique, record.summary, record.facts,
                         record.technique_parameters, platform)


_GENERATIONS = tuple(_generation(record) for record in EC2_RECORDS)

#: name -> :class:`EC2Generation`, in historical order
EC2_GENERATIONS = {g.name: g for g in _GENERATIONS}


def _lookup(name) -> EC2Generation:
    if isinstance(name, EC2Generation):
        return name
    if isinstance(name, str) and name in EC2_GENERATIONS:
        return EC2_GENERATIONS[name]
    raise unknown_name("generation", name, EC2_GENERATIONS, "an EC2 generation")


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
    >>> model = ec2_model("nitro", "small_packet_rr")
    >>> round(model.evaluate("host_cores"), 3)  # the host only wakes halted vCPUs (the default's wake-ups)
    0.468
    >>> from virtmodel.model import Model
    >>> Model(model.technique.replace(wakeups="off"), model.workload, model.platform).evaluate("host_cores")
    0.0
    """
    technique, plat = ec2_generation(name, platform, dom0_only)
    return Model(technique, workload, plat)


def ec2_fact(name, field_name: str) -> Fact:
    """One :class:`Fact` of generation ``name`` by ``field_name``, a key of
    :meth:`EC2Generation.all_facts` (``"host_threads"``, ``"technique.max_vfs"`` ...)."""
    facts = _lookup(name).all_facts()
    if not isinstance(field_name, str) or field_name not in facts:
        raise unknown_name("field_name", field_name, facts, f"a fact of {name}")
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
