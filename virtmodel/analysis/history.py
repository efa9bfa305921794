"""The exit-cost timeline: when hardware assist overtook binary translation.

For each processor generation (:mod:`virtmodel.techniques.generations`,
Agesen et al. 2012, Table 1) the hardware-assisted technique gets that
generation's VM exit round trip (``exit_cycles``) and is compared with binary
translation on one metric for the workload. By default the hardware technique
is first-generation VT-x as it was compared with binary translation: *shadow
page tables* (``nested_paging=False``; Adams & Agesen 2006), so page faults,
page-table writes and context switches cost exits.

*Take-over*: the first generation (in launch order) from which hardware assist
wins on every later generation too, i.e. the generation after binary
translation's last win (exit costs are not monotone: Sandy Bridge's round trip
is longer than Westmere's). ``None`` when binary translation wins on the newest
generation.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ._common import check_metric, check_parameters, evaluate, make_models


def exit_cost_history(workload, platform=None, metric="cpu_per_request", *, hardware_assist=None,
                      binary_translation="binary_translation", generations=None, **overrides):
    """Hardware assist vs binary translation on ``metric``, one row per processor generation.

    Parameters
    ----------
    workload : str or Workload
    platform : Platform, optional
    metric : str
        Default ``cpu_per_request`` (core-seconds per request: load-free).
    hardware_assist : str or Technique, optional
        A technique with ``exit_cycles`` (default: ``hardware_assist`` with
        shadow page tables, see the module docstring).
    binary_translation : str or Technique
    generations : list of str, optional
        Generation names (default: all of :data:`~virtmodel.techniques.generations.GENERATIONS`).
    **overrides
        Scalar parameter values for both techniques (where they have them).

    Returns
    -------
    pandas.DataFrame
        Columns ``generation``, ``launched``, ``year``, ``exit_cycles``, the
        metric of each technique (columns named after them), ``winner``.
        ``attrs``: ``takeover`` (generation name or None), ``takeover_year``,
        ``break_even_cycles`` (exit cycles at which the two tie, NaN if they do
        not cross), ``metric``, ``unit``, ``note``.

    Examples
    --------
    >>> h = exit_cost_history("kernel_build")
    >>> list(h.columns[:4])
    ['generation', 'launched', 'year', 'exit_cycles']

    References
    ----------
    O. Agesen, J. Mattson, R. Rugina, J. Sheldon, "Software techniques for
    avoiding hardware virtualization exits", USENIX ATC 2012.
    K. Adams and O. Agesen, "A comparison of software and hardware techniques
    for x86 virtualization", ASPLOS 2006.
    """
    import pandas as pd

    from ..techniques import get
    from ..techniques.generations import GENERATIONS, generation
    from .break_even import better, break_even
    from .compare import metric_unit

    hw = get("hardware_assist", nested_paging=False) if hardware_assist is None else hardware_assist
    models = make_models([hw, binary_translation], workload, platform)
    (lh, mh), (lb, mb) = models.items()
    if "exit_cycles" not in mh.values():
        raise ParameterError("hardware_assist", lh, "a hardware-assisted technique (with exit_cycles)")
    metric = check_metric(metric, models)
    check_parameters(overrides, models)
    gens = [generation(g) for g in (list(GENERATIONS) if generations is None else generations)]
    gens.sort(key=lambda g: g.year)
    cycles = np.array([g.exit_cycles for g in gens], dtype=float)
    v_hw = np.broadcast_to(evaluate(mh, metric, {**overrides, "exit_cycles": cycles}), cycles.shape)
    v_bt = np.broadcast_to(evaluate(mb, metric, overrides), cycles.shape)
    winner = better(metric, v_hw, v_bt, lh, lb)
    table = pd.DataFrame({"generation": [g.name for g in gens], "launched": [g.launched for g in gens],
                          "year": [g.year for g in gens], "exit_cycles": cycles, lh: v_hw, lb: v_bt,
                          "winner": winner})
    bt_wins = np.flatnonzero(winner == lb)
    first = 0 if not bt_wins.size else bt_wins[-1] + 1
    takeover = gens[first] if first < len(gens) else None
    crossing = break_even(hw, binary_translation, "exit_cycles", metric, workload=workload, platform=platform,
                          **overrides)
    if takeover is None:
        note = (f"hardware assist never took over on {metric}: {lb} still wins on {gens[-1].name} "
                f"({gens[-1].exit_cycles} cycles)")
    elif first == 0:
        note = f"hardware assist wins on every generation listed (from {takeover.name})"
    else:
        note = f"hardware assist took over with {takeover.name} ({takeover.launched})"
    table.attrs.update(takeover=None if takeover is None else takeover.name,
                       takeover_year=None if takeover is None else takeover.year,
                       break_even_cycles=np.nan if crossing.value is None else crossing.value,
                       metric=metric, unit=metric_unit(metric), note=note)
    return table


__all__ = ["exit_cost_history"]
