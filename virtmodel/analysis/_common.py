"""What the analyses share: name checks with suggestions, models, safe evaluation.

Every analysis takes technique, metric and parameter *names*; a wrong name is a
:class:`~virtmodel.errors.ParameterError` that lists the valid names and the
closest matches (:func:`difflib.get_close_matches`). Evaluation never raises
for a point that cannot be served: saturated points are ``inf`` (as in
:meth:`virtmodel.model.Model.evaluate` sweeps) and points where a technique
does not apply (more VMs than SR-IOV virtual functions, ``vms > max_vfs``) are
NaN and reported by :func:`limit_mask`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..errors import ParameterError, UnstableError, unknown_name
from ..metrics import METRICS
from ..model import Model
from ..percentile_names import PERCENTILE_HINT, accepts_percentiles
from ..techniques import Technique, get, names

#: metrics where a larger value is better (everything else: smaller is better)
HIGHER_IS_BETTER = frozenset(name for name, m in METRICS.items() if m.higher_is_better)


def check_name(kind: str, name, valid, more: str = "") -> str:
    """``name`` if it is one of ``valid``, else a ParameterError with close matches (and ``more``)."""
    valid = list(valid)
    if isinstance(name, str) and name in valid:
        return name
    raise unknown_name(kind, name, valid, f"a {kind} name", more)


def technique_names() -> tuple:
    """The registered technique names."""
    return names()


def as_list(value, kind: str) -> list:
    """A name or a list of names (or technique objects) as a non-empty list."""
    items = [value] if isinstance(value, str) or not np.iterable(value) else list(value)
    if not items:
        raise ParameterError(kind, value, f"at least one {kind}")
    return items


def labelled_techniques(techniques) -> dict:
    """``{label: Technique}``; labels are technique names, made unique by their non-default settings.

    ``["sriov", get("sriov", posted_interrupts=True)]`` gives the labels
    ``sriov`` and ``sriov(posted_interrupts=True)``. Listing one technique twice
    is a :class:`ParameterError`.
    """
    techs = []
    for t in as_list(techniques, "technique"):
        if not isinstance(t, Technique):
            t = _default_technique(check_name("technique", t, technique_names()))
        techs.append(t)
    out = {}
    for t in techs:
        label = t.name
        if any(o.name == t.name and o != t for o in techs):
            default = type(t)()
            changed = [f"{k}={v!r}" for k, v in vars(t).items() if getattr(default, k) != v]
            label = f"{t.name}({', '.join(changed)})" if changed else t.name
        if label in out:
            raise ParameterError("techniques", label, "distinct techniques", "the same technique is listed twice")
        out[label] = t
    return out


def _default_technique(name: str) -> Technique:
    """``get(name)``: the technique with its default parameters, built (and validated) once per
    registered class (a technique is immutable; registering a new class under the name is seen)."""
    from ..techniques import TECHNIQUES

    return _default_of(TECHNIQUES[name])


@lru_cache(maxsize=None)
def _default_of(cls) -> Technique:
    return cls()


def make_models(techniques, workload, platform) -> dict:
    """``{label: Model}`` for :func:`labelled_techniques`; SR-IOV past its VF limit: :class:`PastLimitModel`."""
    return {label: _model(t, workload, platform) for label, t in labelled_techniques(techniques).items()}


@dataclass(frozen=True, repr=False)
class PastLimitModel(Model):
    """A model built at the technique's VM limit (``max_vfs``) for a platform with more VMs.

    ``real_vms`` is the platform's own count: the analyses evaluate it as NaN
    ("not applicable", :func:`limit_mask`) at every point past the limit. The
    count travels with the model (no table kept between calls), and the
    model differs from one built for a platform of ``max_vfs`` VMs.
    """

    real_vms: int = 0


def _model(technique, workload, platform):
    """A Model; a platform past SR-IOV's VF limit is built at the limit, carrying its real ``vms``.

    Models are immutable: one built for equal arguments (equal and of equal ``repr``, so ``1``
    and ``1.0`` are not mixed up) is reused from a small cache, which saves its validation on
    every analysis call; arguments that cannot be hashed are built each time.
    """
    try:
        key = tuple((type(a), a, repr(a)) for a in (technique, workload, platform))
        hash(key)
    except TypeError:
        return _new_model(technique, workload, platform)
    return _cached_model(key)


@lru_cache(maxsize=128)
def _cached_model(key):
    return _new_model(*(a for _, a, _ in key))


def _new_model(technique, workload, platform):
    try:
        return Model(technique, workload, platform)
    except ParameterError as err:
        limit = getattr(technique, "max_vfs", None)
        if err.parameter != "vms" or limit is None or platform is None:
            raise
        return PastLimitModel(technique, workload, platform.replace(vms=limit), real_vms=platform.vms)


def valid_metrics(model) -> tuple:
    """The metric names of a model (closed-load names when the workload has users)."""
    from ..model import closed_metric_names, metric_names

    return closed_metric_names() if model.workload.users > 0 else metric_names()


def check_metric(metric, models, numeric: bool = True) -> str:
    """A metric name valid for every model (``numeric``: not the string-valued ``bottleneck``).

    Any latency percentile ``p<P>`` is valid where ``p99`` is (the open model).
    """
    from ..model import is_percentile

    valid = [m for m in valid_metrics(next(iter(models.values()))) if not (numeric and m == "bottleneck")]
    if not accepts_percentiles(valid):
        return check_name("metric", metric, valid)
    return metric if is_percentile(metric) else check_name("metric", metric, valid, PERCENTILE_HINT)


def parameter_names(models) -> list:
    """Every parameter name of any of the models, sorted."""
    return sorted(set().union(*(m.values() for m in models.values())))


def check_parameters(names, models) -> None:
    """Each name must be a parameter of at least one model (close matches suggested)."""
    valid = parameter_names(models)
    for name in names:
        check_name("parameter", name, valid)


def own(model, values: dict) -> dict:
    """The entries of ``values`` that are parameters of this model (plus the real ``vms`` of a model
    built at its VM limit)."""
    mine = model.values()
    out = {k: v for k, v in values.items() if k in mine}
    real = getattr(model, "real_vms", 0)
    if real and "vms" not in out:
        out["vms"] = real
    return out


def limit_mask(model, values: dict):
    """Boolean mask of points where the technique cannot serve the platform (``vms > max_vfs``), or None."""
    mine = model.values()
    if "max_vfs" not in mine:  # (a technique without a VM limit: nothing to merge)
        return None
    mine.update(own(model, values))
    over = np.asarray(mine["vms"]) > np.asarray(mine["max_vfs"])
    return over if over.any() else None


def evaluate(model, metric: str, values: dict):
    """``model.evaluate(metric, **values)`` as floats: inf where saturated, NaN past the VF limit.

    Parameters the model does not have are ignored (a comparison may override
    ``exit_cycles``, which binary translation does not have).
    """
    return evaluate_many(model, [metric], values)[metric]


def evaluate_many(model, metrics, values: dict, into=None) -> dict:
    """:func:`evaluate` of several metrics, in one compiled pass (``{metric: array}``).

    ``into``: ``{metric: array}`` to compute metrics straight into where the fused kernels can
    (:meth:`virtmodel.model.Model._evaluate_many`); a result that is not the given array is new
    and the caller copies it."""
    values = own(model, values)
    over = limit_mask(model, values)
    if over is not None:
        values = {**values, "vms": np.where(over, np.asarray(model.values()["max_vfs"]), values.get(
            "vms", model.values()["vms"]))}
    if into:
        out = model._evaluate_many(list(metrics), values, into)
    elif len(metrics) == 1:  # one metric: the scalar form raises for a saturated point
        try:
            out = {metrics[0]: model.evaluate(metrics[0], **values)}
        except UnstableError:
            out = {metrics[0]: np.inf}
    else:
        out = model.evaluate_many(metrics, **values)
    if over is not None:
        out = {m: np.where(over, _missing(v), v) for m, v in out.items()}
    return out


def _missing(values):
    """The value that marks a point past the technique's limit: NaN, or ``""`` for names (``bottleneck``)."""
    return "" if np.asarray(values).dtype.kind in "US" else np.nan
