"""The virtualization techniques: one module and one small parameter object each.

=====================  =====================================================
``native``             bare metal, the reference
``binary_translation`` VMware-style binary translation, emulated devices
``emulation``          pure ISA emulation (QEMU TCG), a variant of the above
``paravirtual``        Xen-style hypercalls and split drivers
``hardware_assist``    VT-x/AMD-V, nested paging on/off, virtio or emulated I/O
``sriov``              hardware-assisted CPU, a virtual function per VM
``nitro``              thin hypervisor, I/O on an offload card
=====================  =====================================================

>>> from virtmodel.techniques import get
>>> get("hardware_assist", nested_paging=False).nested_paging
False
"""

from __future__ import annotations

from ..errors import ParameterError
from ._base import Demands, Load, Technique
from .binary_translation import BinaryTranslation, Emulation
from .hardware_assist import HardwareAssist
from .native import Native
from .nitro import Nitro
from .paravirtual import Paravirtual
from .sriov import SRIOV

TECHNIQUES = {cls.name: cls for cls in (
    Native, BinaryTranslation, Emulation, Paravirtual, HardwareAssist, SRIOV, Nitro)}


def get(name, **parameters) -> Technique:
    """The technique called ``name`` with its default parameters, some changed.

    Unknown names (of techniques or parameters) raise :class:`ParameterError`
    listing the valid ones. A :class:`Technique` instance is returned as is
    (with ``parameters`` applied).
    """
    if isinstance(name, Technique):
        return name.replace(**parameters) if parameters else name
    if not isinstance(name, str) or name not in TECHNIQUES:
        raise ParameterError("technique", name, "one of " + ", ".join(TECHNIQUES))
    return TECHNIQUES[name]().replace(**parameters) if parameters else TECHNIQUES[name]()


def names() -> tuple:
    """The registered technique names."""
    return tuple(TECHNIQUES)


__all__ = ["get", "names", "TECHNIQUES", "Technique", "Demands", "Load", "Native", "BinaryTranslation",
           "Emulation", "Paravirtual", "HardwareAssist", "SRIOV", "Nitro"]
