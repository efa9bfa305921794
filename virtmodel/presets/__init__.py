"""Presets: published measurements with their sources (see :mod:`.published`).

Import is light (no pandas until a table is asked for).
"""

from .published import (
    GENERATIONS,
    MACHINES,
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
    "GENERATIONS", "MACHINES", "Finding", "Machine", "Measurement", "finding", "findings",
    "launch_date", "machine", "measurement", "measurements", "measurements_table",
    "processor_generations", "sources",
]
