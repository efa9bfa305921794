"""Resources: the named queues of a host that a request's work lands on.

A platform is a set of resources (:meth:`virtmodel.platform.Platform.resources`);
a technique puts a :class:`~virtmodel.techniques.Load` on the resources it
names (:class:`~virtmodel.techniques.Demands`) and may declare more of its own
(``Technique.resources``: a polling core, a driver domain, a second device).
The model turns each loaded resource into one queueing station of the
queueing core (:func:`virtmodel.queueing.mgc.mgc_terms`, or
:func:`virtmodel.queueing.ps_terms.ps_terms` for processor sharing).

A resource has

``servers``     a whole number, or the name of a parameter of the platform, the
                workload or the technique that gives it (``"cores"``), so it
                stays a symbol in the model's formulas;
``shared``      True: the arrivals of every VM on the host reach it
                (:math:`V\\lambda`); False: one per VM, its own arrivals
                (:math:`\\lambda`), like the VM's vCPUs;
``discipline``  ``"fcfs"``: Poisson arrivals, general service, ``servers``
                servers, first come first served (M/G/c, Allen-Cunneen; exact
                for one server and for exponential service); ``"ps"``: one
                server shared equally by the requests present (M/G/1-PS,
                :mod:`virtmodel.queueing.ps_terms`: a bandwidth that streams
                interleave, the memory's);
``splits``      1, or the name of a parameter (``"queues"``): a resource of one VM
                (``shared=False``) that is that many separate stations, each
                with ``servers`` servers, among which the VM's requests are
                spread evenly at random (a flow hash), so each takes
                :math:`\\lambda / q` (a random split of a Poisson stream is
                Poisson). A resource whose busy time is CPU runs at most as many
                of them at once as that CPU has servers (host: ``cores``), so
                :math:`q = \\min(\\text{splits}, \\text{cores})`;
``cores_of``    whose CPU time its busy time is, for the CPU-use metrics:
                ``"guest"`` (``guest_cores``), ``"host"`` (``host_cores``,
                ``guest_cores_left``, ``host_cores_per_100k_iops``), ``"card"``
                (``card_load``), or ``None`` for a device (not CPU; left out of
                ``cpu_per_request``).

>>> from virtmodel.platform import Platform
>>> [r.name for r in Platform().resources()]
['guest', 'host', 'device', 'card']
"""

from __future__ import annotations

from dataclasses import dataclass

from ._validate import choice
from .errors import ParameterError

DISCIPLINES = ("fcfs", "ps")
#: whose CPU a resource's busy time is (None: a device, not CPU)
CORE_KINDS = ("guest", "host", "card", None)


@dataclass(frozen=True)
class Resource:
    """One named queue of the host (see the module docstring)."""

    name: str
    servers: object = 1          # int, or the name of the parameter that gives it
    shared: bool = True
    discipline: str = "fcfs"
    description: str = ""
    cores_of: object = None      # "guest", "host", "card" or None (a device)
    splits: object = 1           # 1, or the name of the parameter giving the separate stations of one VM

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier() or self.name == "delay":
            raise ParameterError("name", self.name, "a Python identifier other than 'delay'",
                                 "it is the keyword a technique's Demands uses for this resource")
        if not (isinstance(self.servers, str) or (isinstance(self.servers, int) and self.servers >= 1)):
            raise ParameterError("servers", self.servers, "a whole number >= 1 or a parameter name")
        choice("discipline", self.discipline, DISCIPLINES)
        if self.discipline == "ps" and self.servers != 1:
            raise ParameterError("servers", self.servers, "1 for a processor-sharing resource (discipline 'ps')")
        choice("cores_of", self.cores_of, CORE_KINDS)
        if not (self.splits == 1 or (isinstance(self.splits, str) and not self.shared)):
            raise ParameterError("splits", self.splits, "1, or a parameter name on a resource of one VM (shared=False)")

    def servers_expr(self, s):
        """The number of servers as a SymPy expression (``s``: the parameters' symbols by name)."""
        import sympy as sp

        return getattr(s, self.servers) if isinstance(self.servers, str) else sp.Integer(self.servers)

    def splits_expr(self, s):
        """The separate stations of one VM, :math:`\\min(\\text{splits}, c)` with :math:`c` the
        servers of the CPU its busy time is on (module docstring); 1 for an unsplit resource."""
        import sympy as sp

        if not isinstance(self.splits, str):
            return sp.Integer(1)
        cpu = {"host": "cores", "guest": "vcpus", "card": "card_cores"}.get(self.cores_of)
        return getattr(s, self.splits) if cpu is None else sp.Min(getattr(s, self.splits), getattr(s, cpu))

    def arrivals(self, s):
        """Arrival rate at one of its stations: :math:`V\\lambda` shared, :math:`\\lambda / q` one VM's."""
        return (s.vms if self.shared else 1) * s.arrival_rate / self.splits_expr(s)


#: the resources every platform has: the VM's vCPUs, the host's cores, the shared device, an offload card
PLATFORM_RESOURCES = (
    Resource("guest", "vcpus", shared=False, description="the VM's vCPUs", cores_of="guest"),
    Resource("host", "cores", description="host cores: hypervisor, device models, back-ends", cores_of="host"),
    Resource("device", 1, description="the shared NIC or disk"),
    Resource("card", "card_cores", description="the offload card's cores", cores_of="card"),
)


def resolve(platform_resources, technique_resources) -> tuple:
    """The platform's resources followed by the technique's own; a name used twice is an error."""
    out, seen = [], set()
    for r in tuple(platform_resources) + tuple(technique_resources):
        if not isinstance(r, Resource):
            raise ParameterError("resources", r, "Resource objects")
        if r.name in seen:
            raise ParameterError("resources", r.name, "distinct resource names",
                                 "the technique declares a resource the platform already has")
        seen.add(r.name)
        out.append(r)
    return tuple(out)


__all__ = ["Resource", "PLATFORM_RESOURCES", "DISCIPLINES", "CORE_KINDS", "resolve"]
