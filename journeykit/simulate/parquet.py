"""Write simulated journeys to Parquet, streaming block by block."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from journeykit.model import JourneyModel
from journeykit.simulate.api import DEFAULT_BLOCK_SIZE, SimulatedData, simulate

EVENTS_FILE = "events.parquet"
RESPONSES_FILE = "responses.parquet"


def write_parquet(
    model: JourneyModel | str | Path,
    out_dir: str | Path,
    customers: int,
    seed: int = 0,
    block_size: int = DEFAULT_BLOCK_SIZE,
    progress: Callable[[int], None] | None = None,
) -> tuple[Path, Path]:
    """:func:`~journeykit.simulate.simulate`, then :func:`write_simulated`."""
    data = simulate(model, customers=customers, seed=seed, block_size=block_size)
    return write_simulated(data, out_dir, progress)


def write_simulated(
    data: SimulatedData, out_dir: str | Path, progress: Callable[[int], None] | None = None
) -> tuple[Path, Path]:
    """Write ``events.parquet`` and ``responses.parquet`` (flat form) to ``out_dir``, block by block.

    Parameters
    ----------
    progress : callable, optional
        Called with the number of customers of each block once it is written.

    Returns
    -------
    (events path, responses path)
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = out / EVENTS_FILE, out / RESPONSES_FILE
    writers: tuple[pq.ParquetWriter, pq.ParquetWriter] | None = None
    try:
        for batch in data.iter_batches(flat=True):
            if writers is None:
                writers = (_writer(paths[0], batch.events.schema), _writer(paths[1], batch.responses.schema))
            writers[0].write_batch(batch.events)
            writers[1].write_batch(batch.responses)
            if progress is not None:
                progress(batch.customers)
    finally:
        if writers is not None:
            for w in writers:
                w.close()
    return paths


def _writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    """zstd-compressed; dictionary encoding only for the repetitive text columns (not the ids)."""
    repetitive = [f.name for f in schema if pa.types.is_string(f.type) and not f.name.endswith("_id")]
    return pq.ParquetWriter(path, schema, compression="zstd", use_dictionary=repetitive)
