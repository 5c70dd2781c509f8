"""Conventions shared by every CLI command: ``--workspace/-w``, ``--out``, one-line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from journeykit.workspace import Workspace

console = Console()
err_console = Console(stderr=True)

WorkspaceOpt = Annotated[
    Path, typer.Option("--workspace", "-w", help="Workspace folder (default: the current directory).")
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Write the result table to FILE: .csv, .parquet or .html by extension."),
]


def open_workspace(path: Path) -> Workspace:
    return Workspace.open(path)


def show_table(df: pd.DataFrame, title: str | None = None, max_rows: int = 40) -> None:
    """Print a DataFrame as a rich table (first ``max_rows`` rows)."""
    table = Table(title=title, show_lines=False)
    for col in df.columns:
        table.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(df[col]) else "left")
    for row in df.head(max_rows).itertuples(index=False):
        table.add_row(*(_fmt(v) for v in row))
    console.print(table)
    if len(df) > max_rows:
        console.print(f"[dim]… {len(df) - max_rows} more rows (use --out to write them all)[/dim]")


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1e6 else f"{v:,.0f}"
    return "" if v is None else str(v)
