"""Lenses: real systems seen through the model (a layer above :mod:`virtmodel.model`).

A lens maps published facts about a real system (:mod:`virtmodel.presets`,
``virtmodel/data/``) onto the model's techniques and platforms, and builds
models of it. :mod:`.ec2` does so for Amazon EC2's instance generations.
"""

from .ec2 import (
    EC2_GENERATIONS,
    EC2_INSTANCES,
    EC2Generation,
    Fact,
    ec2_fact,
    ec2_facts_table,
    ec2_generation,
    ec2_generations_table,
    ec2_instances_table,
    ec2_model,
)

__all__ = ["EC2_GENERATIONS", "EC2_INSTANCES", "EC2Generation", "Fact", "ec2_fact", "ec2_facts_table",
           "ec2_generation", "ec2_generations_table", "ec2_instances_table", "ec2_model"]
