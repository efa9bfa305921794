"""The exit-cost timeline: from which processor generation hardware assist beats binary translation.

Situation
---------
The Intel generations of Agesen et al. (USENIX ATC 2012, Table 1), each with its
hardware exit round trip, at a 3 GHz clock. Binary translation: defaults of
:mod:`~virtmodel.techniques.binary_translation`. Hardware assist: defaults of
:mod:`~virtmodel.techniques.hardware_assist` with that generation's exit cost,
emulated devices with binary translation's device-model cost (as in
:mod:`.adams2006`), and each generation's recorded nested paging
(:attr:`~virtmodel.techniques.generations.Generation.nested_paging`: no EPT on
Prescott, Merom and Penryn, EPT on Nehalem, by Intel's statement as reported
by ``wikipedia_ept``; EPT on Westmere and Sandy Bridge, an assumption): shadow
page tables before Nehalem, whose traps get cheaper with each generation's exit
round trip. Compared on CPU per request for each workload preset.

What the record says
    Only the first generation is pinned down: on the Pentium 4 (Prescott) hardware
    assist wins system-call-heavy work and loses process creation and I/O
    (Adams & Agesen 2006). Those rows are compared; the model's take-over
    generation for each mix is stated where the record has no value.

Source keys ``agesen2012`` (exit costs), ``adams2006`` (the first generation),
``wikipedia_ept`` (which generations had EPT).
"""

from __future__ import annotations

from .. import workloads
from ..model import Model
from ..platform import Platform
from ..techniques import get
from ..techniques.generations import GENERATIONS
from ._rows import Row

SITUATION = "Intel generations (Agesen 2012 Table 1), 3 GHz"
PLATFORM = Platform(clock_hz=3.0e9, cores=1, vms=1)
MIXES = ("syscall_heavy", "kernel_build", "small_packet_rr", "web_serving", "oltp")
#: what Adams & Agesen 2006 found on the first generation (adams.result)
PRESCOTT_FINDING = {"syscall_heavy": "HW", "kernel_build": "BT", "small_packet_rr": "BT"}


def _hw(name: str):
    bt = get("binary_translation")
    g = GENERATIONS[name]
    return get("hardware_assist", exit_cycles=g.exit_cycles, nested_paging=g.nested_paging,
               io_path="emulated", backend_time=bt.backend_time)


def hw_over_bt(preset: str) -> dict:
    """``{generation: CPU per request of hardware assist / that of binary translation}``."""
    w = workloads.get(preset)
    bt = Model("binary_translation", w, PLATFORM).evaluate("cpu_per_request")
    return {name: Model(_hw(name), w, PLATFORM).evaluate("cpu_per_request") / bt for name in GENERATIONS}


def takeover(preset: str) -> str:
    """The first generation from which hardware assist wins on every later one ("never" if none)."""
    ratios = hw_over_bt(preset)
    names = list(ratios)
    for i, name in enumerate(names):
        if all(ratios[later] < 1 for later in names[i:]):
            return name
    return "never"


def rows() -> list:
    """Per mix: the winner on Prescott vs Adams & Agesen, and the model's take-over generation."""
    out = []
    for preset in MIXES:
        ratios = hw_over_bt(preset)
        trend = ", ".join(f"{name} {ratio:.3g}" for name, ratio in ratios.items())
        if preset in PRESCOTT_FINDING:
            out.append(Row("timeline", SITUATION + f"; preset {preset}", "winner on Prescott",
                           PRESCOTT_FINDING[preset], "HW" if ratios["Prescott"] < 1 else "BT", "", "adams2006",
                           "finding adams.result"))
        out.append(Row("timeline", SITUATION + f"; preset {preset}", "take-over generation (HW beats BT)",
                       None, takeover(preset), "", "agesen2012", "model HW/BT CPU per request: " + trend))
    return out
