"""Synthetic customer journeys generated from a journey model's ``simulation`` section.

>>> data = simulate(load_model("journey.yaml"), customers=10_000, seed=1)   # doctest: +SKIP
>>> data.events, data.responses                  # canonical Arrow tables
>>> write_parquet("journey.yaml", "out/", customers=100_000, seed=1)        # doctest: +SKIP

See docs/simulate.md for the section's keys and the generation model.
"""

from journeykit.simulate.api import DEFAULT_BLOCK_SIZE, Batch, SimulatedData, SimulationError, simulate
from journeykit.simulate.parquet import write_parquet, write_simulated
from journeykit.simulate.spec import SimulationSpec, simulation_spec

__all__ = [
    "DEFAULT_BLOCK_SIZE",
    "Batch",
    "SimulatedData",
    "SimulationError",
    "SimulationSpec",
    "simulate",
    "simulation_spec",
    "write_parquet",
    "write_simulated",
]
