"""Workspace commands: init, ingest, simulate, demo, info."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from journeykit.cli.app import app
from journeykit.cli.common import console
from journeykit.workspace import Workspace


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create the workspace in.")],
    model: Annotated[
        Path | None, typer.Option("--model", "-m", help="Journey model YAML (default: the e-commerce example).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing workspace.")] = False,
) -> None:
    """Create a workspace: a folder with journey.yaml and an empty DuckDB database."""
    ws = Workspace.init(directory, model=model, force=force)
    console.print(f"workspace created: {ws.path} (model {ws.model_path.name}, database {ws.db_path.name})")
