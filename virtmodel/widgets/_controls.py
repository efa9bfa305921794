"""The dashboard's controls: parameter sliders, the technique and metric pickers.

Slider ranges follow the model's current value (a workload preset spans
microseconds to hundreds of milliseconds of CPU per request), so each slider
starts at the preset's value: decades around it on a log scale for times,
sizes and bandwidths, a linear range for counts and fractions.
"""

from __future__ import annotations

import math

import numpy as np

from ..plotting._common import metric_title, technique_label, unit_text
from ..symbols import info

#: workload parameters with a slider (the ones that move the curves most)
WORKLOAD_SLIDERS = ("cpu_time", "kernel_fraction", "syscalls", "io_ops", "io_bytes")
#: platform parameters with a slider
PLATFORM_SLIDERS = ("vms", "cores", "device_bandwidth")
#: how each slider varies: log (two decades either side), integer count, count, fraction
_KINDS = {"cpu_time": "log", "io_bytes": "log", "device_bandwidth": "log", "clock_hz": "log",
          "vms": "int", "cores": "int", "vcpus": "int", "kernel_fraction": "fraction"}
_LAYOUT = {"width": "27em"}
_STYLE = {"description_width": "11em"}


def slider_label(name: str) -> str:
    """A short slider description: the parameter's name in words with its unit."""
    unit = unit_text(info(name).unit).replace("$", "")
    text = name.replace("_", " ")
    return f"{text} [{unit}]" if unit and unit != "count" else text


def _nice_step(span: float) -> float:
    """A round step giving about 100-200 positions over ``span``."""
    raw = span / 150.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def parameter_slider(name: str, value: float, continuous: bool = True):
    """A slider for model parameter ``name`` starting at ``value`` (range from the value).

    Parameters
    ----------
    name : str
        A workload or platform parameter (see :mod:`virtmodel.symbols`).
    value : float
        Its current value (the centre or start of the range).
    continuous : bool
        ``continuous_update`` of the slider: send values while dragging. The
        front end keeps at most one update in flight, so a fast callback sees
        the latest position, never a queue.
    """
    import ipywidgets as widgets

    kind = _KINDS.get(name, "count") if value > 0 else "count"
    common = {"description": slider_label(name), "continuous_update": continuous, "layout": _LAYOUT,
              "style": _STYLE}
    if kind == "log":
        centre = math.log10(value)
        return widgets.FloatLogSlider(value=value, base=10, min=centre - 2, max=centre + 2, step=0.02,
                                      readout_format=".3s", **common)  # SI prefixes: 10.0µ, 1.25G
    if kind == "int":
        return widgets.IntSlider(value=int(value), min=1, max=max(4 * int(value), 64), **common)
    if kind == "fraction":
        return widgets.FloatSlider(value=value, min=0.0, max=1.0, step=0.01, **common)
    top = max(4.0 * value, 10.0)
    return widgets.FloatSlider(value=value, min=0.0, max=top, step=_nice_step(top), readout_format=".3g", **common)


def load_slider(value: float, stop: float, continuous: bool = True):
    """The operating point on the load axis (where the readout compares the techniques)."""
    import ipywidgets as widgets

    return widgets.FloatSlider(value=float(np.clip(value, 0.0, stop)), min=0.0, max=stop, step=_nice_step(stop),
                               description="operating point", readout_format=".3s",
                               continuous_update=continuous, layout=_LAYOUT, style=_STYLE)


def technique_picker(selected, available):
    """A multiple selection of techniques (labels shown, names as values)."""
    import ipywidgets as widgets

    return widgets.SelectMultiple(options=[(technique_label(t), t) for t in available], value=tuple(selected),
                                  rows=len(available), description="techniques",
                                  layout={"width": "26em"}, style=_STYLE)


def metric_picker(metric, available):
    """A drop-down of the metrics the curves can show."""
    import ipywidgets as widgets

    return widgets.Dropdown(options=[(metric_title(m), m) for m in available], value=metric,
                            description="metric", layout={"width": "22em"}, style=_STYLE)


__all__ = ["PLATFORM_SLIDERS", "WORKLOAD_SLIDERS", "load_slider", "metric_picker", "parameter_slider",
           "slider_label", "technique_picker"]
