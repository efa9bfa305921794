"""Presets: published measurements with their sources (see :mod:`.published`).

The records are data files (``virtmodel/data/``); this package turns them into
objects and offers the look-ups. It sits at the bottom with
:mod:`virtmodel.references`: it imports neither the model nor the techniques
(the EC2 lens that builds models from published facts is :mod:`virtmodel.lenses.ec2`).
Import is light (no pandas until a table is asked for).
"""

from .published import (
    GENERATIONS,
    MACHINES,
    NESTED_PAGING,
    Finding,
    Machine,
    Measurement,
    finding,
    findings,
    launch_date,
    machine,
    measurement,
    measurements,
    measurements_table,
    processor_generations,
    sources,
)

__all__ = [
    "GENERATIONS", "MACHINES", "NESTED_PAGING", "Finding", "Machine", "Measurement", "finding", "findings",
    "launch_date", "machine", "measurement", "measurements", "measurements_table",
    "processor_generations", "sources",
]
