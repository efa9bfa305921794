"""Human labels for what figures and tables show: techniques, workloads, metrics, parameters.

A figure's axes and legends name things in words, never by their code names
(``bare_metal``, ``hardware_assist``, ``small_packet_rr``). The words come from
where each thing is declared:

* a technique: its class's ``label`` (:func:`virtmodel.techniques.label_of`,
  settings in brackets for a variant), or an EC2 generation's label
  (:mod:`virtmodel.lenses.ec2`), or :data:`DISPLAY_NAMES`;
* a workload preset: :data:`WORKLOAD_NAMES`;
* a metric: the metric table's ``label`` (:mod:`virtmodel.metrics`);
* a model parameter: the first clause of its description in the symbol registry
  (:mod:`virtmodel.symbols`).

>>> label("hardware_assist")
'Hardware-assisted (VT-x/AMD-V)'
>>> label("small_packet_rr")
'small-packet request/response'
>>> label("bare_metal")
'Bare metal (*.metal)'
"""

from __future__ import annotations

import re

from .errors import ParameterError

#: display names of the workload presets (:mod:`virtmodel.workloads`)
WORKLOAD_NAMES = {
    "cpu_bound": "CPU-bound job",
    "syscall_heavy": "system-call-heavy server",
    "kernel_build": "kernel build",
    "small_packet_rr": "small-packet request/response",
    "bulk_transfer": "bulk transfer",
    "oltp": "OLTP database",
    "web_serving": "web server",
}

#: display names of code names that are neither a registered technique nor a preset
DISPLAY_NAMES = {
    "bare_metal": "bare metal",
    "native": "bare metal",
}

_CODE_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def technique(name) -> str:
    """The display name of a technique (a name, an analysis label with settings, or an EC2 generation)."""
    from .techniques import TECHNIQUES, label_of

    text = str(name)
    base = text.partition("(")[0]
    if base in TECHNIQUES:
        return label_of(text)
    generations = _ec2_labels()
    if text in generations:
        return generations[text]
    return DISPLAY_NAMES.get(text, text.replace("_", " "))


def workload(name) -> str:
    """The display name of a workload preset (other names: underscores as spaces)."""
    return WORKLOAD_NAMES.get(str(name), str(name).replace("_", " "))


def metric(name, unit: bool = False) -> str:
    """The metric table's label of ``name`` (with ``[unit]`` if ``unit``); any percentile by name too."""
    from .metrics import label as metric_label
    from .metrics import unit as metric_unit

    text = metric_label(name)
    shown = metric_unit(name) if unit else ""
    return f"{text} [{shown}]" if shown not in ("", "1", "count") else text


def parameter(name) -> str:
    """A model parameter's short meaning from the symbol registry (``"system calls per request"``)."""
    from .symbols import info

    return info(name).description.split(" (")[0]


def label(name) -> str:
    """Whatever ``name`` is (technique, EC2 generation, workload preset, metric), its display name."""
    text = str(name)
    if text in WORKLOAD_NAMES:
        return workload(text)
    shown = technique(text)
    if shown != text.replace("_", " ") or text in DISPLAY_NAMES:
        return shown
    try:
        return metric(text)
    except (ParameterError, KeyError):  # not a metric either: the name, readable
        return shown


def code_names(text) -> list:
    """The code names of techniques, presets, metrics, parameters or EC2 generations that ``text`` contains."""
    from .metrics import names as metric_names
    from .symbols import registry
    from .techniques import names as technique_names

    known = {*technique_names(), *WORKLOAD_NAMES, *DISPLAY_NAMES, *_ec2_labels(), *metric_names(), *registry()}
    return [word for word in _CODE_NAME.findall(str(text)) if word in known]


def _ec2_labels() -> dict:
    from .lenses.ec2 import EC2_GENERATIONS

    return {name: generation.label for name, generation in EC2_GENERATIONS.items()}


__all__ = ["DISPLAY_NAMES", "WORKLOAD_NAMES", "code_names", "label", "metric", "parameter", "technique", "workload"]
