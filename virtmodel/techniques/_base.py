"""What every technique shares: service loads, per-station demands, the base class.

A technique maps a request to a :class:`Demands`: one :class:`Load` (mean and
variance of the service time per request) on each resource it uses, by name.
The platform's resources (:meth:`virtmodel.platform.Platform.resources`) are

``guest``   the VM's vCPUs (``vcpus`` servers, the VM's own arrivals);
``host``    the host's cores doing hypervisor / device-model / back-end work
            (``cores`` servers, arrivals of all ``vms``);
``device``  the shared NIC or disk (1 server, arrivals of all VMs);
``card``    an offload card (``card_cores`` servers, arrivals of all VMs);

and a technique may declare more (``Technique.resources``: a polling core, a
driver domain). Plus a pure ``delay`` (no queueing). A resource whose load is
exactly zero is not on the request's path.

Variance from granularity
-------------------------
Work of mean :math:`m` and SCV :math:`c^2` has variance :math:`c^2 m^2`. A
Poisson number of events (mean :math:`n`) of fixed cost :math:`t` has mean
:math:`n t` and variance :math:`n t^2` (compound Poisson). So a path made of a
few expensive events (exits to a user-space device model) is more variable
than one of many cheap ones: this is how "lower and more consistent latency"
comes out of the model instead of being asserted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .._params import ParameterSet, flag_fields, numeric_fields


@dataclass(frozen=True)
class Load:
    """Service time per request at one station: ``mean`` (s) and ``var`` (s^2)."""

    mean: Any = 0
    var: Any = 0

    def __add__(self, other: "Load") -> "Load":
        return Load(self.mean + other.mean, self.var + other.var)


def work(mean, scv) -> Load:
    """A block of work of mean ``mean`` and SCV ``scv``: variance :math:`c^2 m^2`."""
    return Load(mean, scv * mean**2)


def events(count, seconds_each, scv_each=0, dispersion=None) -> Load:
    """A random number (mean ``count``) of events of ``seconds_each`` each, the count of index of
    dispersion :math:`\\kappa_n = \\mathrm{Var}(n)/E[n]` (``dispersion``; by default the workload's
    ``count_dispersion``, :func:`count_dispersion`: 1 a Poisson count, 0 a fixed one).

    .. math:: E = n t, \\qquad \\mathrm{Var} = E[n]\\,\\mathrm{Var}(t) + \\mathrm{Var}(n)\\,t^2
              = n t^2 (\\kappa_n + c^2_{\\mathrm{each}})
    """
    kappa = count_dispersion(dispersion, count, seconds_each)
    return Load(count * seconds_each, count * seconds_each**2 * (kappa + scv_each))


def count_dispersion(given=None, *terms):
    """The index of dispersion :math:`\\kappa_n` of a compound sum of a request's operations: ``given``;
    else, where the sum's ``terms`` are SymPy expressions (``demands(s)`` on the model's symbols), the
    workload's ``count_dispersion`` symbol; else (plain numbers: ``demands`` evaluated on numbers, which
    reads only means) 1, the compound Poisson sum."""
    if given is not None:
        return given
    import sympy as sp

    if any(isinstance(t, sp.Basic) for t in terms):
        from ..symbols import symbol

        return symbol("count_dispersion")
    return 1


class Demands:
    """Per-request loads on named resources, plus a pure delay (s).

    ``Demands(guest=..., host=..., device=..., card=..., delay=...)`` covers the
    common case; any other keyword names another resource (a second device, a
    polling core, a driver domain), which the platform or the technique must
    declare (:class:`virtmodel.resources.Resource`). A resource not named has no
    load. ``demands.host`` reads one load (``Load()`` when absent);
    ``demands.loads`` is ``{resource: Load}`` in the order given.
    """

    __slots__ = ("loads", "delay")

    def __init__(self, guest: Load = Load(), delay: Any = 0, **loads: Load):
        for name, load in loads.items():
            if not isinstance(load, Load):
                raise TypeError(f"Demands: the load on {name!r} must be a Load (use work() or events())")
        object.__setattr__(self, "loads", {"guest": guest, **loads})
        object.__setattr__(self, "delay", delay)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.loads.get(name, Load())

    def __setattr__(self, name, value):
        raise AttributeError("Demands is immutable; use add()")

    def __eq__(self, other):
        return isinstance(other, Demands) and (self.loads, self.delay) == (other.loads, other.delay)

    __hash__ = None

    def add(self, **loads) -> "Demands":
        """A copy with loads added on the named resources (``delay`` adds a delay)."""
        out = dict(self.loads)
        delay = self.delay + loads.pop("delay", 0)
        for name, load in loads.items():
            out[name] = out[name] + load if name in out else load
        guest = out.pop("guest")
        return Demands(guest, delay, **out)

    def __repr__(self):
        inner = ", ".join(f"{k}={v!r}" for k, v in self.loads.items())
        return f"Demands({inner}, delay={self.delay!r})"


def native_demands(s) -> Demands:
    """The bare-metal path, shared by every technique.

    .. math::
        D_{\\mathrm{guest}} = t_{\\mathrm{cpu}}, \\qquad
        D_{\\mathrm{dev}} = n_{\\mathrm{io}}\\, b_{\\mathrm{io}} / B, \\qquad
        \\text{delay} = n_{\\mathrm{io}}\\, t_{\\mathrm{dev}}
    """
    return Demands(
        guest=work(s.cpu_time, s.cpu_scv),
        device=events(s.io_ops, s.io_bytes / s.device_bandwidth, s.device_scv),
        delay=s.io_ops * s.device_latency,
    )


def cycles(s, n):
    """Seconds taken by ``n`` cycles at the host clock: :math:`n / f`."""
    return n / s.clock_hz


def of_structure(structure: tuple):
    """A technique of this structure (:meth:`Technique.structure`: the class and the flags), its costs at
    their defaults: for what depends on the structure only (the symbolic formulas, a virtqueue's layout)."""
    cls, *flags = structure
    return cls(**dict(flags))


@dataclass(frozen=True)
class Technique(ParameterSet):
    """Base class: a frozen dataclass of costs and one method, :meth:`demands`.

    Subclasses declare their costs with :func:`virtmodel._params.param`
    (unit, source key, domain) and their structural options with
    :func:`virtmodel._params.flag`, and implement ``demands(s)``, where ``s``
    gives every parameter (workload, platform and the technique's own) by
    name as a SymPy symbol. ``demands`` reads only flags from ``self``, so one
    derivation serves every parameter value.
    """

    name: ClassVar[str] = "technique"
    label: ClassVar[str] = "technique"
    #: resources beyond the platform's (guest, host, device, card) that ``demands`` may load
    resources: ClassVar[tuple] = ()
    #: the workload's I/O counts this technique charges once more per disk block request
    #: (:mod:`virtmodel.model._storage`); () when its per-I/O costs are the network's only
    block_io_counts: ClassVar[tuple] = ("io_ops", "io_interrupts")

    def demands(self, s) -> Demands:  # pragma: no cover - abstract
        raise NotImplementedError

    def check(self, values: dict) -> None:
        """Reject combinations of values the technique cannot serve (hook)."""

    def own_resources(self) -> tuple:
        """The resources beyond the platform's this technique's flags use (hook; default: the class's
        ``resources``). A flag that changes a resource's layout (the user-space back-end's threads per
        queue, :mod:`~virtmodel.techniques.user_queue_threads`) returns the resource it selects."""
        return type(self).resources

    def block_io_view(self) -> "Technique":
        """The technique whose per-I/O costs a disk block request pays (hook; default: itself).

        A technique with per-packet costs that block I/O does not take (a software switch
        on the network path) returns itself without them, e.g. ``self.replace(switch="none")``
        (:mod:`virtmodel.model._storage`).
        """
        return self

    def structure(self) -> tuple:
        """What selects the formula: the class and the flags (a cache key)."""
        return (type(self),) + tuple((f.name, getattr(self, f.name)) for f in flag_fields(self))

    def neutral(self):
        """The same technique with every cost at its neutral value (no virtualization cost)."""
        return self.replace(**{f.name: f.metadata["neutral"] for f in numeric_fields(self)
                               if f.metadata["neutral"] is not None})
