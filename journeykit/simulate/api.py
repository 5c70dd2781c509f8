"""The simulator's entry point: :func:`simulate` returns lazily generated :class:`SimulatedData`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyarrow as pa

from journeykit.engine import schema
from journeykit.errors import JourneykitError
from journeykit.model import JourneyModel, load_model
from journeykit.options import DEFAULT_BLOCK_SIZE
from journeykit.simulate.generate import generate_block
from journeykit.simulate.plan import Plan, compile_plan
from journeykit.simulate.rng import CounterRNG
from journeykit.simulate.spec import simulation_spec
from journeykit.simulate.tables import canonical_events, canonical_responses, flat_events, flat_responses


class SimulationError(JourneykitError):
    """Invalid simulator arguments (customer count, seed, block size)."""


@dataclass(frozen=True)
class Batch:
    """The events and responses of one block of ``customers`` customers."""

    events: pa.RecordBatch
    responses: pa.RecordBatch
    customers: int


class SimulatedData:
    """Synthetic journeys, generated block by block when iterated.

    Use :meth:`iter_batches` to stream (memory bounded by the block size), or :attr:`events` and
    :attr:`responses` for whole canonical tables (generated once, kept in memory).
    """

    def __init__(self, plan: Plan, customers: int, seed: int, block_size: int):
        self.plan, self.customers, self.seed, self.block_size = plan, customers, seed, block_size

    @property
    def source(self) -> str:
        """``source`` of the canonical rows: names the generator and its seed."""
        return f"simulated(seed={self.seed})"

    def iter_batches(self, flat: bool = False) -> Iterator[Batch]:
        """Generate block by block; at least one (possibly empty) batch, so the schemas are known.

        Parameters
        ----------
        flat : bool
            Yield the flat export form written to Parquet (see :mod:`journeykit.simulate.tables`)
            instead of the canonical schemas.
        """
        rng = CounterRNG(self.seed)
        seq_events = seq_responses = 0
        for first in range(0, max(self.customers, 1), self.block_size):
            n = min(self.block_size, self.customers - first)
            block = generate_block(self.plan, rng, first, n)
            events, responses = flat_events(self.plan, block), flat_responses(self.plan, block)
            if not flat:
                events = canonical_events(self.plan, block, events, seq_events, self.source)
                responses = canonical_responses(self.plan, block, responses, seq_responses, self.source)
            seq_events += events.num_rows
            seq_responses += responses.num_rows
            yield Batch(events, responses, n)

    @cached_property
    def _tables(self) -> tuple[pa.Table, pa.Table]:
        batches = list(self.iter_batches())
        events = pa.Table.from_batches([b.events for b in batches], schema=schema.EVENTS_SCHEMA)
        responses = pa.Table.from_batches([b.responses for b in batches], schema=schema.RESPONSES_SCHEMA)
        return events, responses

    @property
    def events(self) -> pa.Table:
        """All events, canonical ``events`` schema."""
        return self._tables[0]

    @property
    def responses(self) -> pa.Table:
        """All survey responses, canonical ``responses`` schema."""
        return self._tables[1]


def simulate(
    model: JourneyModel | str | Path,
    customers: int,
    seed: int = 0,
    block_size: int = DEFAULT_BLOCK_SIZE,
) -> SimulatedData:
    """Synthetic journeys of ``customers`` customers from a model's ``simulation`` section.

    Parameters
    ----------
    model : JourneyModel or path of a journey model YAML
    customers : int
        Number of customers (>= 0).
    seed : int
        Same seed, same output, whatever ``block_size``.
    block_size : int
        Customers generated at a time.

    Raises
    ------
    ModelError
        When the simulation section is missing or invalid.
    SimulationError
        For a negative customer count or seed or a block size below 1.
    """
    file = "<journey model>"
    if not isinstance(model, JourneyModel):
        file = str(model)
        model = load_model(model)
    if customers < 0:
        raise SimulationError(f"customers must be >= 0, got {customers}")
    if seed < 0:
        raise SimulationError(f"seed must be >= 0, got {seed}")
    if block_size < 1:
        raise SimulationError(f"block_size must be >= 1, got {block_size}")
    plan = compile_plan(simulation_spec(model, file), model)
    return SimulatedData(plan, customers, seed, block_size)
