"""``journeykit simulate``: write synthetic journeys (events.parquet, responses.parquet)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from journeykit.cli.app import app
from journeykit.cli.common import WorkspaceOpt, console
from journeykit.options import DEFAULT_BLOCK_SIZE


def _model_path(model: Path | None, workspace: Path) -> Path:
    """``--model``, else the workspace's journey.yaml, else the bundled e-commerce example."""
    from journeykit.workspace import EXAMPLE_MODEL, MODEL_FILE

    if model is not None:
        return model
    in_workspace = workspace / MODEL_FILE
    return in_workspace if in_workspace.exists() else EXAMPLE_MODEL


@app.command()
def simulate(
    customers: Annotated[int, typer.Option("--customers", "-n", min=0, help="Number of customers.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed: same seed, same files.")] = 0,
    model: Annotated[
        Path | None,
        typer.Option("--model", "-m", help="Journey model YAML with a simulation section "
                     "(default: the workspace's journey.yaml, else the bundled e-commerce example)."),
    ] = None,
    workspace: WorkspaceOpt = Path("."),
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write events.parquet and responses.parquet to.")
    ] = Path("simulated"),
    block_size: Annotated[
        int, typer.Option("--block-size", min=1, help="Customers generated at a time (bounds memory).")
    ] = DEFAULT_BLOCK_SIZE,
) -> None:
    """Generate synthetic customer journeys from a journey model and write them as Parquet."""
    import pyarrow.parquet as pq

    from journeykit.simulate import simulate as run_simulation
    from journeykit.simulate import write_simulated

    path = _model_path(model, workspace)
    data = run_simulation(path, customers=customers, seed=seed, block_size=block_size)
    console.print(f"simulating {customers:,} customers from {path} (seed {seed})")
    with Progress(
        TextColumn("customers"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("simulate", total=customers)
        events, responses = write_simulated(data, out, progress=lambda n: progress.advance(task, n))
    for label, file in (("events", events), ("responses", responses)):
        console.print(f"{label}: {pq.ParquetFile(file).metadata.num_rows:,} rows -> {file}")
