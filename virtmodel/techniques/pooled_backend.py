"""The first model's in-kernel back-end: vhost's work pooled on any host core (a reference, not registered).

Since the vhost worker station (:data:`~virtmodel.techniques.io_paths.VHOST`), the
``virtio`` path's back-end work runs on the VM's one-server worker per queue. The first
model instead put it on the host's ``cores``, one M/G/c station shared by every VM:

.. math::
    D_{\\mathrm{host}} = n_{\\mathrm{io}} (t_{\\mathrm{be}} + t_{\\mathrm{sw}}), \\qquad
    \\text{servers} = c_{\\mathrm{host}}, \\qquad \\text{arrivals } V\\lambda

(a single queue could use every idle core): the ``virtio_pooled`` I/O path
(:data:`~virtmodel.techniques.io_paths.PATHS`). :class:`PooledHardwareAssist` and
:class:`PooledNested` are ``hardware_assist`` and ``nested`` that compute ``virtio`` as
``virtio_pooled``, so a recipe that names ``virtio`` gets the first model's placement; nothing
else changes: every preset and metric of the first model, recorded before
the worker station, comes out of them exactly (``tests/techniques/test_vhost.py``).
They serve as the limiting case the worker station is checked against and as the
"before" row of the validation table (``docs/make_validation_table.py``, which
registers them for that run); they are not among the built-in techniques.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag
from .hardware_assist import HardwareAssist
from .offload import OFFLOAD_MODES, SegmentOffload
from .payload_copy import copy_time_param
from .nested import Nested


@dataclass(frozen=True)
class PooledBackEnd:
    """Mixin: ``io_path="virtio"`` computed as ``"virtio_pooled"``, the back-end on the host's cores;
    no payload copies and no segmentation offload by default (the first model had neither)."""

    copy_time_per_byte: float = copy_time_param(0.0)
    segment_offload: str = flag("off", doc=SegmentOffload.__dataclass_fields__["segment_offload"].metadata["doc"],
                                options=OFFLOAD_MODES)

    def first_model(self, s):
        tech = self.replace(io_path="virtio_pooled") if self.io_path == "virtio" else self
        return super(PooledBackEnd, tech).first_model(s)


@dataclass(frozen=True)
class PooledHardwareAssist(PooledBackEnd, HardwareAssist):
    """``hardware_assist`` with the first model's pooled back-end (module docstring)."""

    name = "hardware_assist_pooled_backend"
    label = "Hardware-assisted, back-end pooled on the host's cores (first model)"


@dataclass(frozen=True)
class PooledNested(PooledBackEnd, Nested):
    """``nested`` with the first model's pooled back-end (module docstring)."""

    name = "nested_pooled_backend"
    label = "Nested hardware virtualization, back-end pooled on the host's cores (first model)"


#: recipe technique -> its pooled-back-end twin
POOLED = {"hardware_assist": PooledHardwareAssist, "nested": PooledNested}

__all__ = ["PooledBackEnd", "PooledHardwareAssist", "PooledNested", "POOLED"]
