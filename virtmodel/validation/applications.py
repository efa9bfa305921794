"""Out-of-sample validation: predict published application results from their workload descriptions.

Each row of :func:`~virtmodel.validation.app_records.app_results` (a published
result the presets were not calibrated on) has a *recipe* in
``virtmodel/data/app_workloads.json``: the technique and its parameters, a
workload preset with the overrides the paper's description gives, the platform,
and the technique the published ratio is against (``reference``, usually
``native``). The recipes were committed before any prediction was computed and
are not adjusted after comparing; a new mechanism changes the model, not the
recipes, and :func:`recompute` re-runs every row with it.

Compared quantities (``kind`` of the row):

=========================  ===========================================================
``relative_throughput``    :math:`X_{\\max}(\\text{technique}) / X_{\\max}(\\text{reference})`
                           (the model's ``throughput_limit``; ``capacity_ratio`` when the
                           reference is native); for a closed benchmark loop (below)
                           :math:`X(N)/X_{\\mathrm{ref}}(N)`, the MVA throughputs
``relative_speed``         :math:`R_0(\\text{reference}) / R_0(\\text{technique})`, the
                           lone-request latencies (1 / ``low_load_slowdown`` vs native):
                           elapsed-time results of one job (a build, a compute run)
``added_latency``          :math:`R_0(\\text{technique}) - R_0(\\text{reference})` in seconds
                           (mean latency at a vanishing arrival rate)
``percentile_ratio``       :math:`t_P(\\text{technique}) / t_P(\\text{reference})`, the
                           recipe's ``percentile`` (``"p99"``, ``"p99.9"``: any name of
                           :mod:`virtmodel.percentile_names`) of a lone request's latency
                           (the open model's gamma fit at a vanishing arrival rate): one
                           request in flight, as a ping-pong or an I/O depth of 1
=========================  ===========================================================

A tail row of a shared host (``shared_host_percentile_ratio``) is the first group's
``percentile`` on the host over the reference host's
(:meth:`~virtmodel.shared_host.GroupResult.percentile`). A percentile of a closed loop
(several requests in flight) requires ``closed_loop_percentiles``: the closed model's percentile
(:mod:`virtmodel.model.closed`: MVA's mean, a variance from the arrival theorem, the gamma fit) of
both sides at the recipe's ``users`` and ``think_time`` (the ``arrival_rate`` is then not used).
A ``percentile`` in the recipe of a row of another kind is refused, naming the row (it
would be ignored).

A benchmark that keeps a fixed number of requests in flight (its client threads,
connections, outstanding I/Os) is a closed loop: a recipe says so with ``users``
(and ``think_time``) in its ``workload_overrides``, from the source's description,
and ``closed_loop`` in its ``requires``. Its throughput is then the closed model's
(:mod:`virtmodel.model.closed`, exact MVA: :math:`X(N) = N/(R(N) + Z)`), which is
bounded by the population as well as by the bottleneck: with fewer requests in
flight than servers the benchmark is latency-bound, and every microsecond a
technique adds to a request lowers its throughput. As :math:`N` grows,
:math:`X(N)` tends to ``throughput_limit``, the open recipe's value. Only
``relative_throughput`` rows take a closed loop (a recipe with ``users`` on
another kind is refused, naming the row).

Shared-host rows (``shared_host_throughput``: the first group's aggregate
throughput limit, count x ``throughput_limit``, on the host over the reference host;
``shared_host_latency_ratio``: its mean latency on the host over the reference's)
are solved by :class:`~virtmodel.host.Host` from the recipe's ``host`` section
(groups, platform, scheduler quantum, and the ``reference`` host; every group of both hosts takes
the settings the recipe's requirements stand for, :data:`REQUIREMENT_SETTINGS`, since the two hosts
are one machine, and no ``technique_params``). Rows whose
``requires`` names a mechanism the package lacks are kept and reported as
``not modelled: <mechanism>``; they count as misses in the hit rate over all
rows. A requirement ``technique:<name>`` is met once a technique of that name is
registered (:func:`virtmodel.techniques.register`) or mapped with
``techniques=``; ``shared_host`` (supported) and ``storage`` once added to
:data:`SUPPORTED_MECHANISMS` together with an evaluator in :data:`EVALUATORS`.
A requirement that stands for a setting of the technique (:data:`REQUIREMENT_SETTINGS`:
``seccomp_filter``, the source's process runs under Docker's default seccomp
profile, is ``seccomp="on"`` on the container) turns that setting on for the recipe's
technique, so a row written with the requirement before the mechanism existed is
predicted with it without any change to its recipe.

The reference technique runs with its defaults unless the recipe gives
``reference_params`` (optional, a dict checked as ``technique_params`` are: an
unknown name raises :class:`~virtmodel.errors.ParameterError` naming it), for a ratio
between two settings of one technique (the same VMM with one queue pair and with
two). Requirement settings (:data:`REQUIREMENT_SETTINGS`) are not applied to the
reference; ``reference_params`` names what the reference has. Likewise the reference
runs on the recipe's ``platform`` unless the recipe gives ``reference_platform``
(optional, platform settings put on top of ``platform`` for the reference side
only): bare metal with all of the host's cores where the VM has fewer vCPUs, say.

Errors are relative, (predicted - published) / published; a row is *within*
when ``|error| <= tolerance``.

>>> table = recompute()
>>> list(table.columns[:6])
['row', 'source', 'kind', 'published', 'predicted', 'error']
>>> bool((table["status"] == "modelled").any())
True
"""

from __future__ import annotations

import math
from types import MappingProxyType

from ..data import load_json
from ..errors import ParameterError
from ..model import Model
from ..percentile_names import percentile_level
from ..platform import Platform
from ..techniques import TECHNIQUES, get as get_technique
from ..workload import Workload
from ..workloads import get as get_workload
from .app_records import app_results

#: mechanisms (other than techniques) the model provides for application rows; empty in the first model
SUPPORTED_MECHANISMS: set = set()
SUPPORTED_MECHANISMS.add("storage")  # a disk on the platform (virtmodel.disk, model/_storage.py)
SUPPORTED_MECHANISMS.add("shared_host")  # VM groups, time slices (virtmodel.host, shared_host.py)
SUPPORTED_MECHANISMS.add("wakeup_boost")  # TimeSlices(boost=...), VMGroup(background=True) (virtmodel.timeslices)
SUPPORTED_MECHANISMS.add("sr_iov_vf_path")  # sriov assignment="vf" (virtmodel.techniques.vf_path)
SUPPORTED_MECHANISMS.add("user_space_network_stack")  # the sandbox's own stack (techniques/netstack.py)
SUPPORTED_MECHANISMS.add("closed_loop")  # a benchmark's fixed population of requests in flight (model/closed.py, MVA)
SUPPORTED_MECHANISMS.add("closed_loop_percentiles")  # the closed model's percentiles (model/closed.py, arrival theorem)
SUPPORTED_MECHANISMS.add("seccomp_filter")  # container seccomp="on" (virtmodel.techniques.seccomp_filter)
SUPPORTED_MECHANISMS.add("user_space_multiqueue_backend")  # user_queue_threads="per_queue" (techniques/user_queue_threads.py)
SUPPORTED_MECHANISMS.add("vmm_device_model_implementation")  # block_handoff (techniques/block_handoff.py)
SUPPORTED_MECHANISMS.add("virtio_blk_one_segment")  # hardware_assist seg_max_offered=False (techniques/virtio_blk_split.py)
SUPPORTED_MECHANISMS.add("vmm_user_network_stack")  # hardware_assist vmm_network="slirp" (techniques/vmm_slirp.py)
SUPPORTED_MECHANISMS.add("virtio_pmem_dax")  # hardware_assist/nested file_backing="pmem_dax" (techniques/pmem_dax.py)
SUPPORTED_MECHANISMS.add("shared_fs_9p")  # hardware_assist shared_fs="9p" (techniques/shared_fs_9p.py)
SUPPORTED_MECHANISMS.add("memory_bandwidth")  # Platform(memory="dram"), memory_bytes (virtmodel.memory)
SUPPORTED_MECHANISMS.add("gvisor_kvm_platform")  # syscall_intercept platform="kvm" (techniques/gvisor_kvm.py)
SUPPORTED_MECHANISMS.add("software_switch_flooding")  # host_switch="user_switch_flood" (techniques/switch_daemon.py)
SUPPORTED_MECHANISMS.add("host_page_cache")  # hardware_assist host_cache="writeback" (techniques/host_page_cache.py)
#: the requirement of a paravirtual kernel that owns the device (Xen's dom0), as the recipes name it
_PV_DIRECT_DEVICE = ("paravirtualized kernel with direct device access (Xen dom0: native drivers, hypercalls for "
                     "page tables and event channels, no split driver)")
SUPPORTED_MECHANISMS.add(_PV_DIRECT_DEVICE)  # paravirtual io_path="direct" (techniques/pv_direct_device.py)

#: settings of the reported model beyond the package's defaults, on every row whose technique has them
#: (``flags`` given to :func:`recompute`/:func:`predict` override them). Empty: the reported model is
#: the package's default. Interrupts and wake-ups were made structural in the reported model on
#: 2026-12-06 by the rule registered in docs/preregistered.md (1) before the rows that decided it, and
#: became the package's default (``wakeups="on"``) once the Part 1 calibrations were checked with them
#: (all still within; ``flags={"wakeups": "off"}`` gives the first model's count)
REPORTED_FLAGS = MappingProxyType({})  # read-only: the reported model is not changed by assignment

#: technique settings a requirement stands for: a recipe whose ``requires`` names the mechanism runs
#: its technique with these settings (the recipe's own ``technique_params`` win where both set one)
REQUIREMENT_SETTINGS = {
    "seccomp_filter": {"seccomp": "on"},
    "user_space_multiqueue_backend": {"user_queue_threads": "per_queue"},
    "vmm_device_model_implementation": {"block_handoff": "none"},  # Cloud Hypervisor: no worker pool
    "vmm_user_network_stack": {"vmm_network": "slirp"},
    "virtio_blk_one_segment": {"seg_max_offered": False},  # Cloud Hypervisor before v44.0: no VIRTIO_BLK_F_SEG_MAX
    "virtio_pmem_dax": {"file_backing": "pmem_dax"},  # a DAX file system on virtio-pmem: first-touch faults, no block I/O
    "shared_fs_9p": {"shared_fs": "9p"},  # Kata 1.x with overlay2: the root file system over virtio-9p
    "gvisor_kvm_platform": {"platform": "kvm"},  # runsc --platform=kvm: traps inside the Sentry's guest
    "software_switch_flooding": {"host_switch": "user_switch_flood"},  # socket_vmnet: every frame to every VM
    "host_page_cache": {"host_cache": "writeback"},  # QEMU's default cache mode on a file-backed disk image
    _PV_DIRECT_DEVICE: {"io_path": "direct"},  # Xen dom0: the native driver in the paravirtual kernel
}

#: what each non-technique requirement stands for, as the table says it
MECHANISM_NAMES = {
    "shared_host": "shared hosts (VM groups, the hypervisor's time slice, neighbours)",
    "storage": "storage (flash or disk service, queue depth, the device model's I/O thread)",
    "wakeup_boost": "a scheduler that lets a woken idle VM run ahead of the others (a wake-up boost)",
    "user_space_network_stack": "a network stack in the sandbox's user-space kernel (gVisor's netstack: protocol work "
                                "per packet in the Sentry)",
    "sr_iov_vf_path": "an SR-IOV virtual function's own data path, slower than a passed-through device's "
                      "(sriov assignment=\"vf\")",
    "closed_loop": "a benchmark's closed loop (its threads, connections or outstanding I/Os as users per VM, "
                   "throughput by MVA)",
    "seccomp_filter": "a seccomp filter on every system call (Docker's default profile: a BPF program run at each "
                      "system call entry)",
    "shared_fs_9p": "a container root file system shared into the VM over 9p (Kata 1.x with Docker's overlay2): a round "
                    "trip to the host's 9p server per file operation",
    "virtio_pmem_dax": "a guest file system on virtio-pmem with DAX (loads and stores to a mapping of a host file "
                       "instead of block I/O)",
    "vmm_user_network_stack": "the VMM's own user-mode network stack (QEMU's slirp: it terminates the guest's "
                              "TCP connection and opens a host socket per connection; wire frames, slirp's time per "
                              "frame and per byte on the I/O thread; vmm_network=\"slirp\")",
    "user_space_multiqueue_backend": "a user-space back-end with one thread per queue pair (Cloud Hypervisor's "
                                     "virtio-net: min(queues, cores) I/O threads, each fed lambda/queues; "
                                     "user_queue_threads=\"per_queue\")",
    "vmm_device_model_implementation": "two user-space block device models told apart: the I/O thread issues and "
                                       "completes each request itself (Cloud Hypervisor, block_handoff=\"none\") or "
                                       "hands it to a worker-thread pool (QEMU's aio=threads, reference_params "
                                       "block_handoff=\"thread_pool\": two thread wake-ups per block request)",
    "virtio_blk_one_segment": "a virtio-blk device that offers no VIRTIO_BLK_F_SEG_MAX (Cloud Hypervisor before "
                              "v44.0): the guest sends one segment per request, so a large I/O becomes one virtio "
                              "request per physically contiguous piece, each paying the path's per-request costs "
                              "(seg_max_offered=False: ceil(b / (seg_max * segment bytes)) virtio requests per "
                              "block request)",
    "closed_loop_percentiles": "latency percentiles of a closed benchmark loop (several requests in flight: MVA's "
                               "mean, a variance from the arrival theorem, the gamma fit; model/closed.py)",
    "virtual_interrupt_coalescing": "a virtual NIC's interrupt coalescing (VMXNET3's default; no source gives "
                                    "how long it holds a lone message at low load)",
    "software_switch_flooding": "a host switch that floods every frame to every connected VM (socket_vmnet's "
                                "daemon, each copy through the VM's socket pair): idle neighbours that offer no "
                                "load still cost the switch per frame (host_switch=\"user_switch_flood\")",
    "guest_cpu_topology": "the CPU model and cache/NUMA topology the guest is shown (a BLAS library's code path "
                          "and blocking chosen from it): guest software, not a virtualization cost",
    "unmatched_vm_placement": "a reference measured on other machines than the system under test (a cloud's VM "
                              "pair against a node pair placed elsewhere in the zone): the placement's wire "
                              "latency, not a virtualization cost",
    "memory_bandwidth": "the memory system's bandwidth as a resource the CPUs share (a memory-copy benchmark on "
                        "every CPU at once: the DRAM's transfer rate, not each CPU's time, sets the throughput)",
    "container_in_vm": "a container inside a VM (Docker Desktop's Linux containers in its Hyper-V VM): the "
                       "container's bridge and NAT and the VM's device path and host NAT in series, which the "
                       "package has only one at a time",
    "gvisor_kvm_platform": "gVisor's KVM platform (the Sentry runs the sandbox's code as a guest of its own "
                           "virtual machine and takes its system calls as traps inside it, not as ptrace stops; a "
                           "VM exit only for the Sentry's own host calls; platform=\"kvm\")",
    "parallel_processes_in_one_request": "one request that runs many processes at once over the machine's "
                                         "CPUs (a fork tree), so the reference's extra CPUs shorten it where "
                                         "the guest's single vCPU cannot",
    "host_page_cache": "the host's page cache under a file-backed virtual disk (QEMU's default writeback "
                       "cache: the guest's direct writes land in the host's memory, not on the device; a system "
                       "call and a copy per block request on the back-end, reads from memory at "
                       "host_cache_hit_ratio; host_cache=\"writeback\")",
}

#: the settings of a request of one type throughout (docs/background/service-time-spread.md; the
#: onetype trial, pre-registered): workload and platform settings for :func:`recompute`
ONE_TYPE_WORKLOAD = MappingProxyType({"cpu_scv": 0.035, "count_dispersion": 0.0})
ONE_TYPE_PLATFORM = MappingProxyType({"disk_access_scv": 0.0165})
#: workload and platform settings of the reported model, put on every row's workload and platform after
#: its recipe's (both sides; ``workload``/``platform`` given to :func:`recompute`/:func:`predict` go on
#: top). A request of one type: adopted on 2026-12-07 by decision 4 of docs/preregistered.md, applied to
#: the rows gathered after it was registered (12 affected rows from 3 sources). The package's own defaults
#: (a request mix: :data:`MIX_WORKLOAD`, :data:`MIX_PLATFORM`) are unchanged
REPORTED_WORKLOAD = ONE_TYPE_WORKLOAD
REPORTED_PLATFORM = ONE_TYPE_PLATFORM
#: the package's default spreads (CPU time exponential, Poisson operation counts, a constant disk access):
#: the reported model before decision 4, as ``workload``/``platform`` settings
MIX_WORKLOAD = MappingProxyType({name: getattr(Workload(), name) for name in ONE_TYPE_WORKLOAD})
MIX_PLATFORM = MappingProxyType({name: getattr(Platform(), name) for name in ONE_TYPE_PLATFORM})

COLUMNS = ("row", "source", "kind", "published", "predicted", "error", "tolerance", "within", "status",
           "system", "quantity", "unit", "checked", "note")

_LONE = 1e-9  # arrival rate (1/s) at which a request meets no queue: the lone-request latency


def recipes() -> dict:
    """``{row id: recipe}`` from ``app_workloads.json`` (see the module docstring)."""
    return load_json("app_workloads.json")["recipes"]


def miss_notes() -> dict:
    """``{row id: {"mechanism", "direction", "why"}}``: why a modelled row misses (``app_misses.json``)."""
    return load_json("app_misses.json")["misses"]


def _technique(name, params, flags, techniques):
    """The technique of a recipe: renamed by ``techniques``, with the recipe's then the flags' settings.

    A substitute technique takes the recipe's settings it also has; flags apply where the technique has them.
    """
    chosen = (techniques or {}).get(name, name)
    tech = get_technique(chosen)
    fields = set(tech.__dataclass_fields__)
    settings = {k: v for k, v in params.items() if k in fields or chosen == name}  # a substitute keeps shared ones
    flags = flags or {}
    per_technique = flags.get(tech.name, {}) if isinstance(flags.get(tech.name), dict) else {}
    settings.update({k: v for k, v in flags.items() if not isinstance(v, dict) and k in fields})
    settings.update(per_technique)
    return tech.replace(**settings) if settings else tech


def _requirement_settings(recipe) -> dict:
    """The technique settings the recipe's requirements stand for (:data:`REQUIREMENT_SETTINGS`); a shared-host
    recipe's groups, on both hosts, take these and no ``technique_params`` (:func:`_host`)."""
    settings = {}
    for need in recipe["requires"]:
        settings.update(REQUIREMENT_SETTINGS.get(need, {}))
    return settings


def _recipe_settings(recipe) -> dict:
    """The recipe's technique settings: those its requirements stand for
    (:data:`REQUIREMENT_SETTINGS`), then its own ``technique_params``."""
    return {**_requirement_settings(recipe), **recipe["technique_params"]}


def _reference_settings(recipe) -> dict:
    """The reference technique's settings: the recipe's optional ``reference_params`` (module docstring)."""
    params = recipe.get("reference_params", {})
    if not isinstance(params, dict):
        raise ParameterError("reference_params", params, "a dict of the reference technique's settings")
    return params


def _reference_platform(recipe, platform_settings) -> "Platform":
    """The reference side's platform: the recipe's ``platform`` with its optional ``reference_platform``
    on top (module docstring), then a trial's settings."""
    extra = recipe.get("reference_platform", {})
    if not isinstance(extra, dict):
        raise ParameterError("reference_platform", extra, "a dict of the reference's platform settings")
    return _platform({**recipe["platform"], **extra}, platform_settings)


def _missing(recipe, techniques, mechanisms=None) -> str | None:
    """The first requirement of ``recipe`` the package cannot meet, as the table names it; None if all are met.

    ``mechanisms``: the mechanisms to count as supported (default :data:`SUPPORTED_MECHANISMS`).
    """
    mechanisms = SUPPORTED_MECHANISMS if mechanisms is None else mechanisms
    for need in recipe["requires"]:
        if need.startswith("technique:"):
            name = need.split(":", 1)[1]
            if (techniques or {}).get(name, name) not in TECHNIQUES:
                return f"technique {name}"
        elif need not in mechanisms:
            return MECHANISM_NAMES.get(need, need)
    return None


def _lone_latency(model) -> float:
    return model.evaluate("mean_latency", arrival_rate=_LONE)


def _throughput(model) -> float:
    """The benchmark's throughput: the closed model's MVA ``throughput`` for a closed loop
    (``users`` > 0), else the open model's ``throughput_limit``."""
    return model.evaluate("throughput" if model.workload.users else "throughput_limit")


def _relative_throughput(tech, ref):
    return _throughput(tech) / _throughput(ref)


def _relative_speed(tech, ref):
    return _lone_latency(ref) / _lone_latency(tech)


def _added_latency(tech, ref):
    return _lone_latency(tech) - _lone_latency(ref)


def _percentile_name(recipe, row_id) -> str:
    """The recipe's ``percentile`` (``"p99"``, ``"p99.9"``); a bad or missing name raises naming the row."""
    name = recipe.get("percentile")
    if percentile_level(name) is None:
        raise ParameterError(f"{row_id}: percentile", name, "a percentile name such as 'p99' or 'p99.9'",
                             "a percentile row says which percentile it compares")
    return name


def _percentile_ratio(tech, ref, percentile):
    """The ``percentile`` (a name, ``"p99"``) of a lone request's latency, technique over reference."""
    return (tech.evaluate(percentile, arrival_rate=_LONE)
            / ref.evaluate(percentile, arrival_rate=_LONE))


def _shared_throughput(host, reference):
    """Aggregate throughput of the first group (its count x throughput_limit), on the host / on the reference."""
    mine, ref = host.results()[0], reference.results()[0]
    return mine.group.count * mine.throughput_limit / (ref.group.count * ref.throughput_limit)


def _shared_latency_ratio(host, reference):
    """Mean latency of the first group on the host / on the reference host."""
    return host.results()[0].mean_latency / reference.results()[0].mean_latency


def _shared_percentile_ratio(host, reference, percentile):
    """The ``percentile`` (a name, ``"p99"``) of the first group's latency, on the host / on the reference."""
    level = percentile_level(percentile)
    return host.results()[0].percentile(level) / reference.results()[0].percentile(level)


#: kind -> function(model of the technique, model of the reference) -> predicted value
EVALUATORS = {
    "relative_throughput": _relative_throughput,
    "relative_speed": _relative_speed,
    "added_latency": _added_latency,
    # shared-host rows: function(Host, reference Host) from the recipe's "host" section (_host)
    "shared_host_throughput": _shared_throughput,
    "shared_host_latency_ratio": _shared_latency_ratio,
    # percentile rows: the same, with the recipe's percentile level as a third argument
    "percentile_ratio": _percentile_ratio,
    "shared_host_percentile_ratio": _shared_percentile_ratio,
}
_HOST_KINDS = ("shared_host_throughput", "shared_host_latency_ratio", "shared_host_percentile_ratio")
_PERCENTILE_KINDS = ("percentile_ratio", "shared_host_percentile_ratio")


def _workload(name, overrides, settings=None):
    """A recipe's workload: the preset ``name`` with the recipe's ``overrides``, then a trial's ``settings``
    (:func:`recompute`'s ``workload``) on top."""
    return get_workload(name).replace(**overrides).replace(**(settings or {}))


def _platform(settings, trial=None):
    """A recipe's platform: the defaults with the recipe's ``settings``, then a trial's (:func:`recompute`'s
    ``platform``) on top."""
    return Platform().replace(**settings).replace(**(trial or {}))


def _host(spec, flags, techniques, workload=None, platform=None, settings=None):
    """The :class:`~virtmodel.host.Host` of a recipe's ``host`` (or its ``reference``) section.

    ``{"groups": [{"technique", "workload", "overrides", "count", "background"}, ...], "platform": {...},
    "quantum": s, "boost": ...}``; the first group is the one measured; ``quantum`` null: each vCPU on a
    core of its own; ``background`` (default false): the group's VMs also run a CPU-bound job;
    ``boost`` (default ``"none"``): the scheduler's wake-up boost (:class:`~virtmodel.timeslices.TimeSlices`);
    ``settings``: technique settings on every group (the recipe's requirements', :func:`_requirement_settings`).
    """
    from ..host import Host, VMGroup
    from ..timeslices import TimeSlices

    groups = [VMGroup(_technique(g["technique"], settings or {}, flags, techniques),
                      _workload(g["workload"], g["overrides"], workload), g["count"], g.get("background", False))
              for g in spec["groups"]]
    quantum = spec.get("quantum")
    scheduler = None if quantum is None else TimeSlices(quantum, boost=spec.get("boost", "none"))
    return Host(groups, _platform(spec["platform"], platform), scheduler)


def _check_options(flags, techniques, workload=None, platform=None) -> None:
    """Bad ``flags``/``techniques``/``workload``/``platform`` raise :class:`ParameterError` naming them (a typo
    must not pass silently)."""
    for name, settings, cls, example in (("workload", workload, Workload, "{'cpu_scv': 0.035}"),
                                          ("platform", platform, Platform, "{'disk_access_scv': 0.02}")):
        if settings is None:
            continue
        if not isinstance(settings, (dict, MappingProxyType)):
            raise ParameterError(name, settings, f"a dict of {name} settings, e.g. {example}")
        for key in settings:
            if key not in cls.__dataclass_fields__:
                raise ParameterError(name, key, f"a parameter of the {name} (virtmodel.{name}.{cls.__name__})")
    if flags is not None and not isinstance(flags, dict):
        raise ParameterError("flags", flags, "a dict of technique settings, or of {technique: settings}")
    if techniques is not None and not isinstance(techniques, dict):
        raise ParameterError("techniques", techniques, "a dict {recipe technique name: technique to use}")
    known = {field for cls in TECHNIQUES.values() for field in cls.__dataclass_fields__}
    for key, value in (flags or {}).items():
        if isinstance(value, dict):
            if key not in TECHNIQUES:
                raise ParameterError("flags", key, "a registered technique name (its value is a dict)")
        elif key not in known:
            raise ParameterError("flags", key, "a parameter or flag of some registered technique")


def predict(row_id: str, flags=None, techniques=None, mechanisms=None, workload=None, platform=None):
    """The model's value for one row (None when the row is not modelled), and the status text.

    ``mechanisms``: the set of mechanisms to use (default :data:`SUPPORTED_MECHANISMS`; a smaller
    set shows what a mechanism bought); ``workload``, ``platform``: settings put on the row's workload and
    platform after its recipe's, as in :func:`recompute`."""
    _check_options(flags, techniques, workload, platform)
    rows = {r.id: r for r in app_results()}
    if row_id not in rows:
        raise ParameterError("row_id", row_id, "an id of published_apps.json")
    return _predict(rows[row_id], recipes()[row_id], {**REPORTED_FLAGS, **(flags or {})}, techniques, mechanisms,
                    *_reported_settings(workload, platform))


def _reported_settings(workload, platform):
    """The reported model's workload and platform settings with the caller's on top."""
    return {**REPORTED_WORKLOAD, **(workload or {})}, {**REPORTED_PLATFORM, **(platform or {})}


def _predict(row, recipe, flags, techniques, mechanisms, workload_settings=None, platform_settings=None):
    """:func:`predict` of one row whose record and recipe are given (the data files are read once
    per table by :func:`recompute`: parsing them for each of a table's rows was an eighth of its time)."""
    row_id = row.id
    if "percentile" in recipe and row.kind not in _PERCENTILE_KINDS:
        raise ParameterError(f"{row_id}: percentile", recipe["percentile"],
                             f"no percentile on a {row.kind} row (only {' and '.join(_PERCENTILE_KINDS)} "
                             "rows take one)",
                             "the row compares no percentile, so the key would be ignored")
    missing = _missing(recipe, techniques, mechanisms)
    if missing is None and row.kind not in EVALUATORS:
        missing = MECHANISM_NAMES["shared_host"] if row.kind.startswith("shared_host") else row.kind
    if missing is not None:
        return None, f"not modelled: {missing}"
    extra = (_percentile_name(recipe, row_id),) if row.kind in _PERCENTILE_KINDS else ()
    if row.kind in _HOST_KINDS:
        spec, needs = recipe["host"], _requirement_settings(recipe)  # both hosts: the same daemon, say
        value = EVALUATORS[row.kind](_host(spec, flags, techniques, workload_settings, platform_settings, needs),
                                     _host(spec["reference"], flags, techniques, workload_settings,
                                           platform_settings, needs), *extra)
        return float(value), "modelled"
    platform = _platform(recipe["platform"], platform_settings)
    workload = _workload(recipe["workload"], recipe["workload_overrides"], workload_settings)
    closed_ok = {"relative_throughput": "closed_loop", "percentile_ratio": "closed_loop_percentiles"}
    if workload.users and closed_ok.get(row.kind, "-") not in recipe["requires"]:
        raise ParameterError(f"{row_id}: workload_overrides.users", workload.users,
                             "0, or a relative_throughput row whose requires names closed_loop, or a "
                             "percentile_ratio row whose requires names closed_loop_percentiles",
                             "a closed benchmark loop is compared by its MVA throughput or its percentiles")
    tech = _technique(recipe["technique"], _recipe_settings(recipe), flags, techniques)
    ref = _technique(recipe["reference"], _reference_settings(recipe), flags, techniques)
    value = EVALUATORS[row.kind](Model(tech, workload, platform),
                                 Model(ref, workload, _reference_platform(recipe, platform_settings)), *extra)
    return float(value), "modelled"


def recompute(flags=None, techniques=None, mechanisms=None, workload=None, platform=None):
    """Every application row predicted again with today's model, as a pandas DataFrame.

    Parameters
    ----------
    flags : dict, optional
        Technique settings applied to every row whose technique has them
        (``{"posted_interrupts": True}``), or per technique
        (``{"hardware_assist": {"io_path": "emulated"}}``); they override
        :data:`REPORTED_FLAGS` (empty: the package's default model; ``{"wakeups": "off"}``
        gives the first model's interrupts without wake-ups).
    techniques : dict, optional
        ``{recipe technique name: technique to use instead}`` (a registered name),
        e.g. to try a new I/O-path technique on every row that named the old one.
    mechanisms : set, optional
        The mechanisms counted as supported (default :data:`SUPPORTED_MECHANISMS`).
    workload : dict, optional
        Workload settings put on every row's workload after its recipe's and :data:`REPORTED_WORKLOAD`
        (both sides, shared-host groups too): a trial of a workload parameter's value, e.g.
        ``{"cpu_scv": 1.0}``; :data:`MIX_WORKLOAD` gives the package's default spreads.
    platform : dict, optional
        The same for the platform (:data:`REPORTED_PLATFORM`, :data:`MIX_PLATFORM`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; ``predicted``/``error`` NaN and ``within`` False for
        rows not modelled (``status`` says which mechanism is missing).
    """
    import pandas as pd

    _check_options(flags, techniques, workload, platform)
    flags = {**REPORTED_FLAGS, **(flags or {})}
    workload, platform = _reported_settings(workload, platform)
    every = recipes()
    records = []
    for row in app_results():
        predicted, status = _predict(row, every[row.id], flags, techniques, mechanisms, workload, platform)
        error = math.nan if predicted is None else (predicted - row.published) / row.published
        records.append({
            "row": row.id, "source": row.source, "kind": row.kind, "published": row.published,
            "predicted": math.nan if predicted is None else predicted, "error": error,
            "tolerance": row.tolerance, "within": bool(predicted is not None and abs(error) <= row.tolerance),
            "status": status, "system": row.system, "quantity": row.quantity, "unit": row.unit,
            "checked": "memory" if row.from_memory else "stored text", "note": every[row.id]["note"],
        })
    return pd.DataFrame(records, columns=list(COLUMNS))


def hit_rate(table) -> dict:
    """``{"all": share of all rows within tolerance, "modelled": share of the modelled rows, counts}``."""
    modelled = table[table["status"] == "modelled"]
    return {"all": float(table["within"].mean()), "modelled": float(modelled["within"].mean()) if len(modelled) else math.nan,
            "rows": int(len(table)), "modelled_rows": int(len(modelled)), "within": int(table["within"].sum())}


__all__ = ["recompute", "predict", "recipes", "miss_notes", "hit_rate", "EVALUATORS", "SUPPORTED_MECHANISMS", "MECHANISM_NAMES",
           "COLUMNS"]
