"""From a technique's demands to the metric expressions (derived once per structure).

The stations of a request's path (:mod:`._stations`), with :math:`\\lambda` the
arrival rate per VM and :math:`V` the number of VMs:

==========  ====================  ==================
station     servers               arrivals
==========  ====================  ==================
guest       ``vcpus``             :math:`\\lambda`
host        ``cores``             :math:`V\\lambda`
device      1                     :math:`V\\lambda`
card        ``card_cores``        :math:`V\\lambda`
==========  ====================  ==================

A station whose demand is identically zero is not on the path. Metrics
(:math:`D_i` the demand per request at station :math:`i`):

- ``mean_latency`` :math:`R = \\sum_i R_i + \\text{delay}`;
  ``latency_variance`` :math:`\\sum_i \\mathrm{Var}(R_i)` (stations independent);
- ``overhead`` :math:`R / R_{\\mathrm{native}}` at the same load;
- ``throughput_limit`` :math:`X_{\\max} = \\min_i c_i/(m_i D_i)` per VM
  (:math:`m_i` VMs share station :math:`i`); ``capacity_ratio``
  :math:`X_{\\max}/X_{\\max,\\mathrm{native}}`;
- ``guest_cores`` :math:`V\\lambda D_{\\mathrm{guest}}`, ``host_cores``
  :math:`V\\lambda D_{\\mathrm{host}}`, ``card_load``
  :math:`V\\lambda D_{\\mathrm{card}}/c_{\\mathrm{card}}`, ``cpu_per_request``
  :math:`D_{\\mathrm{guest}} + D_{\\mathrm{host}} + D_{\\mathrm{card}}` (core-seconds),
  ``host_cores_per_100k_iops`` :math:`10^5 D_{\\mathrm{host}}/n_{\\mathrm{io}}`,
  ``guest_cores_left`` :math:`c_{\\mathrm{host}} - V\\lambda D_{\\mathrm{host}}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from ..symbols import S
from ._stations import StationTerms, station

#: metric name -> (LaTeX left-hand side, unit, depends on the load and saturates)
SYMBOLIC_METRICS = {
    "mean_latency": (r"\bar R", "s", True),
    "latency_variance": (r"\mathrm{Var}(R)", "s^2", True),
    "overhead": (r"\bar R / \bar R_{\mathrm{native}}", "1", True),
    "throughput_limit": (r"X_{\max}", "1/s per VM", False),
    "capacity_ratio": (r"X_{\max} / X_{\max,\mathrm{native}}", "1", False),
    "guest_cores": (r"U_{\mathrm{guest}}", "cores", False),
    "host_cores": (r"U_{\mathrm{host}}", "cores", False),
    "card_load": (r"\rho_{\mathrm{card}}", "1", False),
    "cpu_per_request": (r"D_{\mathrm{cpu}}", "core-s", False),
    "host_cores_per_100k_iops": (r"U_{\mathrm{host}} / (10^5\,\mathrm{IOPS})", "cores", False),
    "guest_cores_left": (r"c_{\mathrm{host}} - U_{\mathrm{host}}", "cores", False),
}


@dataclass(frozen=True)
class Derived:
    """The stations and metric expressions of one technique structure."""

    stations: tuple          # StationTerms on the technique's path
    native_stations: tuple   # StationTerms on the native path
    metrics: Mapping         # name -> SymPy expression (each derived on first access)
    delay: object            # pure delay on the path (s)

    def station(self, name) -> StationTerms:
        return next(st for st in self.stations if st.name == name)


def _path(demands) -> tuple:
    lam, vms = S.arrival_rate, S.vms
    layout = (("guest", S.vcpus, 1), ("host", S.cores, vms), ("device", sp.Integer(1), vms),
              ("card", S.card_cores, vms))
    out = []
    for name, servers, mult in layout:
        load = getattr(demands, name)
        if sp.sympify(load.mean) != 0:
            out.append(station(name, load, servers, lam, mult))
    return tuple(out)


def _demand(stations, name):
    return next((st.demand for st in stations if st.name == name), sp.Integer(0))


class _LazyMetrics(Mapping):
    """``{name: expression}`` built on first access (a first use derives only what it needs)."""

    def __init__(self, builders: dict):
        self._builders, self._done = builders, {}

    def __getitem__(self, name):
        if name not in self._done:
            self._done[name] = self._builders[name]()
        return self._done[name]

    def __iter__(self):
        return iter(self._builders)

    def __len__(self):
        return len(self._builders)


def _metrics(stations, native, delay, native_delay) -> Mapping:
    lam, vms = S.arrival_rate, S.vms

    def latency(path, fixed):
        return sum((st.response for st in path), sp.Integer(0)) + fixed

    def limit(path):
        return sp.Min(*(st.capacity for st in path))

    d_guest, d_host, d_card = (_demand(stations, n) for n in ("guest", "host", "card"))
    return _LazyMetrics({
        "mean_latency": lambda: latency(stations, delay),
        "latency_variance": lambda: sum((st.response_variance for st in stations), sp.Integer(0)),
        "overhead": lambda: latency(stations, delay) / latency(native, native_delay),
        "throughput_limit": lambda: limit(stations),
        "capacity_ratio": lambda: limit(stations) / limit(native),
        "guest_cores": lambda: vms * lam * d_guest,
        "host_cores": lambda: vms * lam * d_host,
        "card_load": lambda: vms * lam * d_card / S.card_cores,
        "cpu_per_request": lambda: d_guest + d_host + d_card,
        "host_cores_per_100k_iops": lambda: 10**5 * d_host / S.io_ops,
        "guest_cores_left": lambda: S.cores - vms * lam * d_host,
    })


@lru_cache(maxsize=None)
def derive(structure: tuple) -> Derived:
    """Derive every metric of a technique structure (class + flags); cached."""
    cls, flags = structure[0], dict(structure[1:])
    from ..techniques import Native

    demands = cls(**flags).demands(S)
    native = Native().demands(S)
    stations, native_stations = _path(demands), _path(native)
    metrics = _metrics(stations, native_stations, demands.delay, native.delay)
    return Derived(stations, native_stations, metrics, demands.delay)


def station_names(derived: Derived) -> tuple:
    """Names of the stations on the path, in path order."""
    return tuple(st.name for st in derived.stations)


__all__ = ["Derived", "derive", "station_names", "SYMBOLIC_METRICS", "StationTerms"]
