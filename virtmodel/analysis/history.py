"""The exit-cost timeline: when hardware assist overtook binary translation.

For each processor generation (:mod:`virtmodel.techniques.generations`,
Agesen et al. 2012, Table 1) the hardware-assisted technique gets that
generation's VM exit round trip (``exit_cycles``) and is compared with binary
translation on one metric for the workload. By default the hardware technique
is first-generation VT-x as it was compared with binary translation: *shadow
page tables* (``nested_paging=False``; Adams & Agesen 2006), so page faults,
page-table writes and context switches cost exits.

Nested paging by generation: ``nested_paging="by_generation"`` gives each
generation the nested-paging setting recorded for it
(:attr:`~virtmodel.techniques.generations.Generation.nested_paging`: Intel EPT
from Nehalem on, sourced for Prescott to Nehalem, an assumption after), so the
timeline joins cheaper exits and the arrival of nested paging. The default
stays the technique's own setting (shadow paging unless a technique is given):
it isolates what the exit cost alone did, which is the question the function is
named after. With shadow paging the traps of page faults and page-table writes
cost exits too (:mod:`virtmodel.techniques._hwassist`), so they get cheaper with
each generation's round trip.

*Take-over*: the first generation (in launch order) from which hardware assist
wins on every later generation too, i.e. the generation after binary
translation's last win (exit costs are not monotone: Sandy Bridge's round trip
is longer than Westmere's). ``None`` when binary translation wins on the newest
generation.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ..metrics import unit as metric_unit
from ..techniques import get
from ..techniques.generations import GENERATIONS, generation
from ._common import check_metric, check_parameters, evaluate, make_models


def exit_cost_history(workload, platform=None, metric="cpu_per_request", *, hardware_assist=None,
                      binary_translation="binary_translation", generations=None, nested_paging=None,
                      **overrides):
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
    nested_paging : None, bool or "by_generation"
        ``None`` (default): the hardware technique's own setting on every
        generation; ``True``/``False``: that setting on every generation;
        ``"by_generation"``: each generation's recorded nested paging (EPT),
        with its source in the ``nested_paging_source`` column.
    **overrides
        Scalar parameter values for both techniques (where they have them).

    Returns
    -------
    pandas.DataFrame
        Columns ``generation``, ``launched``, ``year``, ``exit_cycles``, the
        metric of each technique (columns named after them), ``winner``,
        ``nested_paging`` (the setting used) and, with ``"by_generation"``,
        ``nested_paging_source``.
        ``attrs``: ``takeover`` (generation name or None), ``takeover_year``,
        ``break_even_cycles`` (exit cycles at which the two tie, NaN if they do
        not cross; with ``"by_generation"`` for the newest generation's paging
        mode), ``metric``, ``unit``, ``note``.

    Examples
    --------
    >>> h = exit_cost_history("kernel_build")
    >>> list(h.columns[:4])
    ['generation', 'launched', 'year', 'exit_cycles']
    >>> h = exit_cost_history("kernel_build", nested_paging="by_generation")
    >>> list(h["nested_paging"])
    [False, False, False, True, True, True]

    References
    ----------
    O. Agesen, J. Mattson, R. Rugina, J. Sheldon, "Software techniques for
    avoiding hardware virtualization exits", USENIX ATC 2012.
    K. Adams and O. Agesen, "A comparison of software and hardware techniques
    for x86 virtualization", ASPLOS 2006.
    """
    import pandas as pd

    from .break_even import better, break_even

    hw = get("hardware_assist", nested_paging=False) if hardware_assist is None else get(hardware_assist)
    models = make_models([hw, binary_translation], workload, platform)
    (lh, mh), (lb, mb) = models.items()
    if "exit_cycles" not in mh.values():
        raise ParameterError("hardware_assist", lh, "a hardware-assisted technique (with exit_cycles)")
    by_generation = isinstance(nested_paging, str) and nested_paging == "by_generation"
    if not (nested_paging is None or by_generation or isinstance(nested_paging, bool)):
        raise ParameterError("nested_paging", nested_paging, 'None, True, False or "by_generation"')
    metric = check_metric(metric, models)
    check_parameters(overrides, models)
    names = list(GENERATIONS) if generations is None else generations
    if isinstance(names, str) or not np.iterable(names) or len(list(names)) == 0:
        raise ParameterError("generations", generations, "a non-empty list of generation names",
                             "valid names: " + ", ".join(GENERATIONS))
    gens = [generation(g) for g in names]
    gens.sort(key=lambda g: g.year)
    cycles = np.array([g.exit_cycles for g in gens], dtype=float)
    if by_generation:
        paging = np.array([g.nested_paging for g in gens])
    else:
        paging = np.full(len(gens), hw.nested_paging if nested_paging is None else nested_paging)
    variants = {flag: hw.replace(nested_paging=bool(flag)) for flag in np.unique(paging)}
    v_hw = np.empty(cycles.shape)
    for flag, variant in variants.items():
        model = mh if variant == hw else next(iter(make_models([variant], workload, platform).values()))
        values = np.broadcast_to(evaluate(model, metric, {**overrides, "exit_cycles": cycles}), cycles.shape)
        v_hw[paging == flag] = values[paging == flag]
    v_bt = np.broadcast_to(evaluate(mb, metric, overrides), cycles.shape)
    winner = better(metric, v_hw, v_bt, lh, lb)
    table = pd.DataFrame({"generation": [g.name for g in gens], "launched": [g.launched for g in gens],
                          "year": [g.year for g in gens], "exit_cycles": cycles, lh: v_hw, lb: v_bt,
                          "winner": winner, "nested_paging": paging.astype(bool)})
    if by_generation:
        table["nested_paging_source"] = [g.nested_paging_source for g in gens]
    bt_wins = np.flatnonzero(winner == lb)
    first = 0 if not bt_wins.size else bt_wins[-1] + 1
    takeover = gens[first] if first < len(gens) else None
    crossing = break_even(variants[paging[-1]], binary_translation, "exit_cycles", metric, workload=workload,
                          platform=platform, **overrides)
    if takeover is None:
        note = (f"hardware assist never took over on {metric}: {lb} still wins on {gens[-1].name} "
                f"({gens[-1].exit_cycles} cycles)")
    elif first == 0:
        note = f"hardware assist wins on every generation listed (from {takeover.name})"
    else:
        note = f"hardware assist took over with {takeover.name} ({takeover.launched})"
    if by_generation:
        note += "; nested paging by generation (EPT from " + \
            next((g.name for g in gens if g.nested_paging), "none listed") + ")"
    table.attrs.update(takeover=None if takeover is None else takeover.name,
                       takeover_year=None if takeover is None else takeover.year,
                       break_even_cycles=np.nan if crossing.value is None else crossing.value,
                       metric=metric, unit=metric_unit(metric), note=note)
    return table


__all__ = ["exit_cost_history"]
