"""Conventions shared by every CLI command: ``--workspace/-w``, ``--out``, one-line errors."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from journeykit.errors import JourneykitError

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
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Write the result table to FILE: .csv, .parquet or .html by extension (times in seconds)."),
]


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


def show_table(df: pd.DataFrame, title: str | None = None, max_rows: int = 40) -> None:
    """Print a DataFrame as a rich table (first ``max_rows`` rows).

    For reading, not for further use: times (columns named ``*seconds*``) are shown in the largest unit
    that fits (``3.2 h``, ``41 d``) under a header saying ``time``, large numbers without exponents, missing
    values blank.  ``--out`` writes the table itself (times in seconds).
    """
    import pandas as pd

    table = Table(title=title, show_lines=False)
    durations = [_is_duration(str(col)) for col in df.columns]
    for col, duration in zip(df.columns, durations):
        header = str(col).replace("seconds", "time") if duration else str(col)
        table.add_column(header, justify="right" if pd.api.types.is_numeric_dtype(df[col]) else "left")
    for row in df.head(max_rows).itertuples(index=False):
        table.add_row(*(_duration(v) if duration else _fmt(v) for v, duration in zip(row, durations)))
    console.print(table)
    if len(df) > max_rows:
        console.print(f"[dim]… {len(df) - max_rows} more rows (use --out to write them all)[/dim]")


def _is_duration(column: str) -> bool:
    return "seconds" in column.split("_")


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v) in ("NaT", "<NA>")


def _fmt(v: object) -> str:
    if _missing(v):
        return ""
    if isinstance(v, float) and math.isfinite(v):
        return f"{v:,.4g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


#: Units a time is shown in, largest first.
_TIME_UNITS = (("d", 86_400.0), ("h", 3_600.0), ("min", 60.0), ("s", 1.0))


def _duration(seconds: object) -> str:
    """A time in seconds in the largest unit it reaches: ``0.5 s``, ``12.3 min``, ``41 d``."""
    if _missing(seconds) or not isinstance(seconds, int | float) or not math.isfinite(seconds):
        return _fmt(seconds)
    unit, size = next(((u, n) for u, n in _TIME_UNITS if abs(seconds) >= n), _TIME_UNITS[-1])
    value = seconds / size
    return f"{value:,.1f} {unit}" if abs(value) < 100 else f"{value:,.0f} {unit}"


# ------------------------------------------------------------------------- filters every analysis takes
StartOpt = Annotated[str | None, typer.Option("--start", help="Only events at or after this date/time (UTC).")]
EndOpt = Annotated[str | None, typer.Option("--end", help="Only events before this date/time (UTC).")]
SegmentOpt = Annotated[
    list[str] | None,
    typer.Option("--segment", help="Keep events whose attribute KEY equals VALUE: key=value (repeatable)."),
]
ChannelOpt = Annotated[list[str] | None, typer.Option("--channel", help="Keep only this channel (repeatable).")]
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


def emit(result: Result, out: Path | None, columns: list[str] | None = None, max_rows: int = 40) -> None:
    """Print a result (its main ``columns``, default all) and its notes; ``--out`` gets the whole table."""
    table = result.table if columns is None else result.table[[c for c in columns if c in result.table.columns]]
    show_table(table, title=result.title, max_rows=max_rows)
    for note in result.notes:
        console.print(f"[dim]note: {note}[/dim]", highlight=False)
    if out is not None:
        from journeykit.io.tables import write_table

        console.print(f"written: {write_table(result.table, out)}")
