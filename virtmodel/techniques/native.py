"""Native (bare metal): the reference every technique is compared with."""

from __future__ import annotations

from dataclasses import dataclass

from ._base import Demands, Technique, native_demands


@dataclass(frozen=True)
class Native(Technique):
    """Bare metal: the request's own CPU time and its device time, nothing else.

    .. math::
        D_{\\mathrm{guest}} = t_{\\mathrm{cpu}}, \\qquad D_{\\mathrm{host}} = 0, \\qquad
        D_{\\mathrm{dev}} = n_{\\mathrm{io}} b_{\\mathrm{io}}/B

    The "guest" station is the machine's own cores serving the request
    (``vcpus`` of them per VM-sized slice: the same servers as a VM gets, so that
    a comparison at the same load compares like with like).
    """

    name = "native"
    label = "Native (bare metal)"

    def demands(self, s) -> Demands:
        return native_demands(s)
