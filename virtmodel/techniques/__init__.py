"""The virtualization techniques: one module and one small parameter object each.

======================  ========================================================
``native``              bare metal, the reference
``binary_translation``  VMware-style binary translation, emulated devices
``emulation``           pure ISA emulation (QEMU TCG), a variant of the above
``paravirtual``         Xen-style hypercalls and split drivers
``hardware_assist``     VT-x/AMD-V, nested paging on/off, virtio or emulated I/O
``sriov``               hardware-assisted CPU, a virtual function per VM
``nitro``               thin hypervisor, I/O on an offload card
``nested``              a guest hypervisor's guest (L2) on VT-x (Turtles)
``syscall_intercept``   system calls served by a user-space tracer (UML, gVisor)
``container``           namespaces and cgroups, network through veth/bridge/NAT
======================  ========================================================

>>> from virtmodel.techniques import get
>>> get("hardware_assist", nested_paging=False).nested_paging
False
"""

from __future__ import annotations

from .._params import flag, param
from ..errors import ParameterError, unknown_name
from ..resources import Resource
from ._base import Demands, Load, Technique, cycles, events, native_demands, work
from .binary_translation import BinaryTranslation, Emulation
from .container import Container
from .hardware_assist import HardwareAssist
from .nested import Nested
from .native import Native
from .nitro import Nitro
from .paravirtual import Paravirtual
from .sriov import SRIOV
from .syscall_intercept import SyscallIntercept

BUILT_IN = (Native, BinaryTranslation, Emulation, Paravirtual, HardwareAssist, SRIOV, Nitro,
            Nested, SyscallIntercept, Container)
#: name -> technique class: the built-in ones, then those added with :func:`register`
TECHNIQUES = {cls.name: cls for cls in BUILT_IN}


def get(name, **parameters) -> Technique:
    """The technique called ``name`` with its default parameters, some changed.

    Unknown names (of techniques or parameters) raise :class:`ParameterError`
    listing the valid ones. A :class:`Technique` instance is returned as is
    (with ``parameters`` applied).
    """
    if isinstance(name, Technique):
        return name.replace(**parameters) if parameters else name
    if not isinstance(name, str) or name not in TECHNIQUES:
        raise unknown_name("technique", name, TECHNIQUES, "a technique name",
                           "(add your own with virtmodel.techniques.register)")
    return TECHNIQUES[name]().replace(**parameters) if parameters else TECHNIQUES[name]()


def names() -> tuple:
    """The registered technique names (built-in first, then in the order registered)."""
    return tuple(TECHNIQUES)


def label_of(name: str) -> str:
    """The human-readable label of a technique name, or of an analysis label such as
    ``"sriov(posted_interrupts=True)"`` (its ``label`` with the settings; unknown: the name)."""
    base, _, settings = str(name).partition("(")
    cls = TECHNIQUES.get(base)
    label = getattr(cls, "label", base) if cls is not None else base
    return f"{label} ({settings.rstrip(')')})" if settings else label


def registered() -> tuple:
    """The registered technique classes, in the order of :func:`names`."""
    return tuple(TECHNIQUES.values())


def register(cls, *, replace: bool = False):
    """Add a technique class so that it works by name everywhere (models, analyses, scenario files).

    ``cls`` is a frozen dataclass subclassing :class:`Technique` with a ``name``
    (a Python identifier), a ``label``, its costs declared with :func:`param`,
    its structural options with :func:`flag`, and ``demands(s)``. Its
    parameters join the symbol registry: a name that another technique
    declares must agree with it on unit, domain and LaTeX. A name already
    registered is refused unless ``replace=True`` (built-in techniques cannot
    be replaced). Returns ``cls``, so it can be used as a class decorator.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> from virtmodel.techniques import Technique, param, register, unregister, events, native_demands
    >>> @register
    ... @dataclass(frozen=True)
    ... class Sandbox(Technique):
    ...     name = "sandbox"
    ...     label = "Syscall-intercepting sandbox"
    ...     intercept_time: float = param(2e-6, unit="s", latex=r"t_{\\mathrm{int}}",
    ...                                   doc="seconds per intercepted system call (assumption)")
    ...     def demands(self, s):
    ...         return native_demands(s).add(guest=events(s.syscalls, s.intercept_time))
    >>> from virtmodel.model import Model
    >>> Model("sandbox", "syscall_heavy").evaluate("overhead") > 1
    True
    >>> unregister("sandbox")
    """
    import dataclasses

    from ..symbols import build

    if not (isinstance(cls, type) and issubclass(cls, Technique) and dataclasses.is_dataclass(cls)):
        raise ParameterError("cls", cls, "a dataclass subclassing virtmodel.techniques.Technique")
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name.isidentifier() or name == Technique.name:
        raise ParameterError("name", name, "a Python identifier naming the technique (class attribute `name`)")
    if name in TECHNIQUES and not replace:
        raise ParameterError("name", name, "a name not yet registered", "pass replace=True to replace it")
    if name in TECHNIQUES and TECHNIQUES[name] in BUILT_IN:
        raise ParameterError("name", name, "not the name of a built-in technique")
    if cls.demands is Technique.demands:
        raise ParameterError("cls", cls.__name__, "a class that implements demands(s)")
    build(tuple(TECHNIQUES[n] for n in TECHNIQUES if n != name) + (cls,))  # parameters agree, else error
    try:
        cls()
    except (TypeError, ValueError) as err:
        raise ParameterError("cls", cls.__name__, "a technique whose defaults are valid", str(err)) from None
    TECHNIQUES[name] = cls
    return cls


def unregister(name: str) -> None:
    """Remove a technique added with :func:`register` (built-in ones stay)."""
    if name not in TECHNIQUES or TECHNIQUES[name] in BUILT_IN:
        raise unknown_name("name", name, [n for n, c in TECHNIQUES.items() if c not in BUILT_IN],
                           "the name of a technique added with register()")
    del TECHNIQUES[name]


__all__ = ["get", "names", "label_of", "registered", "register", "unregister", "TECHNIQUES", "BUILT_IN", "Technique",
           "param", "flag", "Demands", "Load", "Resource", "work", "events", "cycles", "native_demands",
           "Native", "BinaryTranslation", "Emulation", "Paravirtual", "HardwareAssist", "SRIOV", "Nitro",
           "Nested", "SyscallIntercept", "Container"]
