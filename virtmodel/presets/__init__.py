"""Presets: published measurements with their sources (see :mod:`.published`).

Import is light (no pandas until a table is asked for).
"""

from .ec2 import EC2_GENERATIONS, ec2_facts_table, ec2_generation, ec2_generations_table, ec2_model
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
    "EC2_GENERATIONS", "GENERATIONS", "MACHINES", "Finding", "Machine", "Measurement", "ec2_facts_table",
    "ec2_generation", "ec2_generations_table", "ec2_model", "finding", "findings",
    "launch_date", "machine", "measurement", "measurements", "measurements_table",
    "processor_generations", "sources",
]
