"""The result of a multi-class network (open BCMP, mixed): labelled stations x classes.

A :class:`MulticlassNetworkResult` (a :class:`~._network_result.NetworkResult`
whose fields are labelled) holds every per-station, per-class metric as
an :class:`xarray.DataArray` with dimensions ``("station", "class")`` (after
any sweep dimensions of the inputs, ``"point"`` for one), labelled with the
station and class names:

==========================  =====================================================
``visits``                  visit ratio :math:`V_{kc}` (visits per class-c job)
``throughput``              :math:`X_{kc} = \\lambda_c V_{kc}` (1/s)
``utilization``             per-server utilization of class c at k, :math:`U_{kc}`
                            (0 at a delay station)
``number_in_system``        mean number of class-c jobs at k, :math:`Q_{kc}`
``response_time``           per visit :math:`R_{kc}` (s; 0 where :math:`V_{kc} = 0`)
``residence_time``          per job :math:`V_{kc} R_{kc}` (s)
``station_utilization``     :math:`U_k = \\sum_c U_{kc}`, dims ``("station",)``
``system_throughput``       jobs per second of each class, dims ``("class",)``
``system_response_time``    :math:`\\sum_k V_{kc} R_{kc}` per class (think time
                            excluded), dims ``("class",)``
``system_number_in_system`` :math:`\\sum_k Q_{kc}` per class, dims ``("class",)``
==========================  =====================================================

Numeric results hold floats (``inf`` at the saturated points of a sweep);
symbolic ones hold SymPy expressions (object arrays). :meth:`table` gives one
pandas row per (station, class), :meth:`to_dataset` everything as one
:class:`xarray.Dataset`; ``station_labels`` and ``class_labels`` give the
labels, ``stations`` the number of stations. ``details`` holds model-specific
extras.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._backend import SYMBOLIC
from ._network_result import NetworkResult

PER_STATION_CLASS = ("visits", "throughput", "utilization", "number_in_system", "response_time",
                     "residence_time")
PER_CLASS = ("system_throughput", "system_response_time", "system_number_in_system")


@dataclass(frozen=True, eq=False, repr=False)  # its own short __repr__
class MulticlassNetworkResult(NetworkResult):
    """Per-station, per-class metrics of a multi-class network (see the module docstring).

    The shared :class:`~._network_result.NetworkResult` fields hold labelled
    DataArrays here, plus ``station_utilization``.
    """

    station_utilization: Any = None

    @property
    def stations(self) -> int:
        """The number of stations."""
        return self.visits.sizes["station"]

    @property
    def station_labels(self) -> list:
        """The station labels."""
        return self.visits.coords["station"].values.tolist()

    @property
    def class_labels(self) -> list:
        """The class labels."""
        return self.visits.coords["class"].values.tolist()

    def to_dataset(self):
        """Every metric in one :class:`xarray.Dataset`."""
        import xarray as xr

        return xr.Dataset({name: getattr(self, name) for name in PER_STATION_CLASS + ("station_utilization",)
                           + PER_CLASS})

    def table(self):
        """A :class:`pandas.DataFrame`, one row per (station, class), one column per metric."""
        return self.to_dataset()[list(PER_STATION_CLASS)].to_dataframe()

    def _repr_latex_(self):
        if self.kind != SYMBOLIC:
            return None
        import sympy as sp

        rows = [rf"R_{{\text{{{c}}}}} &= {sp.latex(r)}" for c, r in
                zip(self.class_labels, self.system_response_time.values.tolist())]
        body = r" \\ ".join(rows)
        return rf"$\text{{{self.model}}}:\quad\begin{{aligned}} {body} \end{{aligned}}$"

    def __repr__(self):
        R = self.system_response_time
        values = R.values.tolist() if R.ndim == 1 else f"array(shape={R.shape})"
        return (f"MulticlassNetworkResult({self.model}; stations={self.station_labels}, "
                f"classes={self.class_labels}, system_response_time={values})")


def _labels(name, labels, size, what):
    from ..errors import ParameterError

    if labels is None:
        return list(range(size))
    labels = list(labels)
    if len(labels) != size or len(set(labels)) != size:
        raise ParameterError(name, labels, f"{size} distinct labels (one per {what})")
    return labels


def build_multiclass(*, model, kind, visits, throughput, utilization, number_in_system, residence_time,
                     system_throughput, stations=None, classes=None, details=None) -> MulticlassNetworkResult:
    """Derive the per-visit times and totals and label everything.

    Inputs are arrays of shape ``(..., K, C)`` (``system_throughput``:
    ``(..., C)``), object arrays of SymPy values for symbolic calls.
    """
    import xarray as xr

    shape = np.shape(residence_time)
    K, C = shape[-2:]
    sweep = shape[:-2]
    station_labels = _labels("stations", stations, K, "station")
    class_labels = _labels("classes", classes, C, "class")
    V = np.broadcast_to(visits, shape)
    if kind == SYMBOLIC:
        import sympy as sp

        tidy = np.vectorize(lambda v: sp.cancel(sp.sympify(v)), otypes=[object])
        response = np.where(V != 0, residence_time / np.where(V != 0, V, 1), 0)
    else:
        tidy = None
        with np.errstate(divide="ignore", invalid="ignore"):
            response = np.where(V > 0, residence_time / np.where(V > 0, V, 1.0), 0.0)
    metrics = dict(visits=V, throughput=throughput, utilization=utilization,
                   number_in_system=number_in_system, response_time=response, residence_time=residence_time)
    per_class = dict(system_throughput=system_throughput, system_response_time=residence_time.sum(axis=-2),
                     system_number_in_system=number_in_system.sum(axis=-2))
    station_util = utilization.sum(axis=-1)
    sweep_dims = ("point",) if len(sweep) == 1 else tuple(f"point_{i}" for i in range(len(sweep)))

    def label(value, dims, coords):
        value = np.broadcast_to(value, sweep + tuple(len(c) for c in coords.values()))
        value = tidy(value) if tidy is not None else np.asarray(value, dtype=float)
        return xr.DataArray(value, dims=sweep_dims + dims, coords=coords)

    both = {"station": station_labels, "class": class_labels}
    out = {k: label(v, ("station", "class"), both) for k, v in metrics.items()}
    out.update({k: label(v, ("class",), {"class": class_labels}) for k, v in per_class.items()})
    out["station_utilization"] = label(station_util, ("station",), {"station": station_labels})
    return MulticlassNetworkResult(model=model, kind=kind, details=details or {}, **out)
