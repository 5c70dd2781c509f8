"""Conventions shared by every CLI command: ``--workspace/-w``, ``--out``, one-line errors."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from journeykit.display import cell_text, header, without_internal
from journeykit.errors import JourneykitError
from journeykit.options import By, Level

if TYPE_CHECKING:  # the engine, pandas and the workspace load when a command runs, not for --help
    import pandas as pd

    from journeykit.engine import Engine, Filters
    from journeykit.result import Result
    from journeykit.workspace import Workspace

console = Console()
err_console = Console(stderr=True)

WorkspaceOpt = Annotated[
    Path, typer.Option("--workspace", "-w", help="Workspace folder (default: the current directory).")
]
_OUT_HELP = "Write the result table to FILE: .csv, .parquet or .html by extension"
OutOpt = Annotated[
    Path | None, typer.Option("--out", "-o", help=f"{_OUT_HELP} (CSV and Parquet: times in seconds; HTML: as shown).")
]
#: ``--out`` of the planning commands, whose tables are in the plan's unit, not seconds.
PlanOutOpt = Annotated[Path | None, typer.Option("--out", "-o", help=f"{_OUT_HELP} (times in the plan's unit).")]
#: ``--out`` of the commands that build their plan from the log in ``--unit``.
UnitOutOpt = Annotated[Path | None, typer.Option("--out", "-o", help=f"{_OUT_HELP} (times in --unit).")]


@dataclass
class EngineChoice:
    """The root ``--engine`` options: where a command reads events and responses from.

    ``duckdb`` is the workspace's own database; ``spark`` reads the Parquet under ``data`` (or the session
    catalogue's tables) on a SparkSession made from ``master`` and ``conf`` (or the active one).
    """

    kind: str = "duckdb"
    master: str | None = None
    data: str | None = None
    conf: dict[str, str] = field(default_factory=dict)
    _session: Any = None
    _owns_session: bool = False
    _engine: Engine | None = None

    def configure(self, kind: str, master: str | None, data: str | None, conf: dict[str, str]) -> None:
        """Set the options of the command about to run (no session is started yet)."""
        self.close()
        self.kind, self.master, self.data, self.conf = kind, master, data, conf

    def engine(self) -> Engine | None:
        """The Spark engine (started on first use), or None for the workspace's DuckDB database."""
        if self.kind != "spark":
            return None
        if self._engine is None:
            from journeykit.engine.spark_session import spark_engine, spark_session

            # PySpark warns on every fetch that it is not tested with pandas 3; the parity suite is
            warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
            self._session, self._owns_session = spark_session(self.master, self.conf)
            self._engine = spark_engine(self._session, self.data)
        return self._engine

    def close(self) -> None:
        """Stop the SparkSession if this command started it."""
        if self._owns_session:
            self._session.stop()
        self._session, self._owns_session, self._engine = None, False, None


#: The engine options of the running command (set by the root callback).
engine_choice = EngineChoice()


def open_workspace(path: Path, *, duckdb_only: bool = False) -> Workspace:
    """Open the workspace at ``path`` on the engine chosen with ``--engine``.

    Commands that write to or serve the workspace database (ingest, export, serve) pass ``duckdb_only``:
    with ``--engine spark`` they stop with an error saying so.
    """
    if duckdb_only and engine_choice.kind != "duckdb":
        raise JourneykitError(
            "this command works on the workspace's DuckDB database only; --engine spark is for the commands "
            "that read: info, report, analyze, insight, plan from-log, ccpm cases"
        )
    from journeykit.workspace import Workspace

    return Workspace.open(path, engine=engine_choice.engine())


#: Widest the first text column of a terminal table is kept (the key that names each row).
KEY_WIDTH = 32


def show_table(df: pd.DataFrame, title: str | None = None, max_rows: int = 40) -> None:
    """Print a DataFrame as a rich table (first ``max_rows`` rows), cells as :mod:`journeykit.display` shows
    them (times in readable units, no exponents, missing values blank); ``--out`` writes the values."""
    import pandas as pd

    df = without_internal(df)
    table = Table(title=title, show_lines=False)
    for k, col in enumerate(df.columns):
        numeric = pd.api.types.is_numeric_dtype(df[col])
        # the first text column names the rows ('slow:support_contact>15h'): it keeps its width, others shrink
        widest = 0 if k or numeric or df.empty else int(df[col].astype(str).str.len().max())
        table.add_column(header(col), justify="right" if numeric else "left", min_width=min(widest, KEY_WIDTH) or None)
    for row in df.head(max_rows).itertuples(index=False):
        table.add_row(*(cell_text(v, col) for v, col in zip(row, df.columns)))
    console.print(table)
    if len(df) > max_rows:
        console.print(f"[dim]… {len(df) - max_rows} more rows (use --out to write them all)[/dim]")


# ------------------------------------------------------------------------- filters every analysis takes
StartOpt = Annotated[str | None, typer.Option("--start", help="Only events at or after this date/time (UTC).")]
EndOpt = Annotated[str | None, typer.Option("--end", help="Only events before this date/time (UTC).")]
SegmentOpt = Annotated[
    list[str] | None,
    typer.Option("--segment", help="Keep events whose attribute KEY equals VALUE: key=value (repeatable)."),
]
ChannelOpt = Annotated[list[str] | None, typer.Option("--channel", help="Keep only this channel (repeatable).")]
JourneyOpt = Annotated[By, typer.Option("--by", help="One journey per customer or per case (case_id).")]
LevelOpt = Annotated[Level, typer.Option("--level", help="Steps are touchpoints, stages or raw events.")]
ApproxOpt = Annotated[bool, typer.Option("--approx", help="Approximate quantiles and distinct counts (large data).")]


def parse_date(value: str | None, option: str) -> str | None:
    """Check an ISO date option; a bad value is a usage error naming the option."""
    if value is not None:
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise typer.BadParameter(
                f"{value!r} is not an ISO date or date-time (YYYY-MM-DD[THH:MM])", param_hint=option
            ) from None
    return value


def filters_from(start: str | None, end: str | None, segment: list[str] | None, channel: list[str] | None) -> Filters:
    """The :class:`Filters` of the ``--start/--end/--segment/--channel`` options."""
    from journeykit.engine import Filters

    pairs: dict[str, list[str]] = {}
    for item in segment or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{item!r}: expected key=value", param_hint="--segment")
        pairs.setdefault(key, []).append(value)
    channels = list(channel) if channel else None
    return Filters(start=parse_date(start, "--start"), end=parse_date(end, "--end"), segment=pairs, channel=channels)


def emit(
    result: Result,
    out: Path | None,
    columns: list[str] | None = None,
    max_rows: int = 40,
    shown: pd.DataFrame | None = None,
    title: str | None = None,
) -> None:
    """Print a result (its main ``columns``, default all, or a ``shown`` form of its table under ``title``)
    and its notes; ``--out`` gets the whole table as it is."""
    table = result.table if columns is None else result.table[[c for c in columns if c in result.table.columns]]
    show_table(table if shown is None else shown, title=title or result.title, max_rows=max_rows)
    for note in result.notes:
        console.print(f"[dim]note: {note}[/dim]", highlight=False)
    if out is not None:
        from journeykit.io.tables import write_table

        console.print(f"written: {write_table(result.table, out, title=title or result.title, notes=result.notes)}")
