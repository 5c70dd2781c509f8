"""Workspace commands: init, ingest, info, report, demo."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from journeykit.cli.app import app
from journeykit.cli.common import WorkspaceOpt, console, open_workspace, show_table
from journeykit.errors import InputError
from journeykit.options import INGEST_MEMORY_LIMIT

if TYPE_CHECKING:
    from journeykit.io.ingest import IngestOptions, IngestReport
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
    from journeykit.workspace import Workspace

    ws = Workspace.init(directory, model=model, force=force)
    console.print(f"workspace created: {ws.path} (model {ws.model_path.name}, database {ws.db_path.name})")


def run_ingest(ws: Workspace, files: list[Path], options: IngestOptions) -> IngestReport:
    """Ingest with a rich progress bar and print the counts."""
    from journeykit.io.ingest import ingest_files

    for f in files:
        if not f.exists():
            raise InputError(str(f), "file not found")
    total = sum(f.stat().st_size for f in files if f.exists())
    done_before: dict[int, int] = {}
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TextColumn("{task.fields[rows]:,} rows"),
        TimeElapsedColumn(), console=console, transient=False,
    ) as progress:
        task = progress.add_task(f"ingest {options.target}", total=total or 1, rows=0)

        def on_progress(index: int, path: Path, done: int, size: int, rows: int) -> None:
            done_before[index] = done
            progress.update(task, completed=sum(done_before.values()), rows=rows)

        report = ingest_files(ws, files, options, on_progress)
    console.print(
        f"{options.target}: read {report.rows_read:,} rows = accepted {report.accepted:,} "
        f"(new {report.new:,}, already present {report.duplicates:,}) + rejected {report.rejected:,}"
        f"  [{report.seconds:.1f} s]"
    )
    for reason, n, first in report.rejects_by_reason[:10]:
        console.print(f"  rejected {n:,}: {reason}\n    first: {first}", highlight=False)
    if report.rejected:
        console.print("  every rejected row: journeykit info --rejects FILE", highlight=False)
    return report


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="CSV, TSV, Parquet, JSON lines or XES files (.gz allowed).")],
    workspace: WorkspaceOpt = Path("."),
    map: Annotated[
        str | None,
        typer.Option("--map", help="Columns for canonical fields, e.g. customer=cust_id,timestamp=ts,event=action "
                     "(events: customer, case, timestamp, event, value, event_id, touchpoint, channel; responses: "
                     "customer, case, timestamp, survey, score, comment, touchpoint, response_id)."),
    ] = None,
    responses: Annotated[bool, typer.Option("--responses", help="The files hold survey responses.")] = False,
    survey: Annotated[str | None, typer.Option("--survey", help="Survey name for every row (responses).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Reject events that map to no touchpoint.")] = False,
    timezone: Annotated[str, typer.Option("--timezone", help="Time zone of timestamps without an offset.")] = "UTC",
    timestamp_format: Annotated[
        str | None,
        typer.Option("--timestamp-format", help="strptime pattern, 'epoch' or 'epoch_ms' (default: ISO 8601)."),
    ] = None,
    memory_limit: Annotated[
        str, typer.Option("--memory-limit", help="DuckDB memory while ingesting, spilling beyond it "
                          "(768MB holds 10M rows; raise it for larger single ingests).")
    ] = INGEST_MEMORY_LIMIT,
) -> None:
    """Load event logs (or survey responses) into the workspace, in one transaction.

    Every row read ends up accepted or in the rejects table with its file, row, column and reason.
    """
    from journeykit.io.ingest import IngestOptions
    from journeykit.io.mapping import parse_map_option

    ws = open_workspace(workspace, duckdb_only=True)
    options = IngestOptions(
        target="responses" if responses or survey else "events",
        mapping=parse_map_option(map), strict=strict, timezone=timezone,
        timestamp_format=timestamp_format, survey=survey, memory_limit=memory_limit,
    )
    run_ingest(ws, files, options)


@app.command()
def info(
    workspace: WorkspaceOpt = Path("."),
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the rejects-by-reason table to FILE.")] = None,
    rejects: Annotated[
        Path | None,
        typer.Option("--rejects", help="Write every rejected row (file, row, column, reason, raw) to FILE "
                     "(.csv, .parquet or .html)."),
    ] = None,
) -> None:
    """Table counts, event date range and rejects by reason."""
    from journeykit.io.summary import rejected_rows, workspace_summary
    from journeykit.io.tables import write_table

    ws = open_workspace(workspace)
    s = workspace_summary(ws)
    console.print(f"workspace {ws.path}: model '{ws.model.name}' ({len(ws.model.stages)} stages, "
                  f"{len(ws.model.touchpoints)} touchpoints, {len(ws.model.surveys)} surveys)")
    for name, n in s["counts"].items():
        console.print(f"  {name:<10} {n:>12,}")
    if s["first"] is not None:
        console.print(f"  events from {s['first']} to {s['last']}")
    if len(s["rejects_by_reason"]):
        show_table(s["rejects_by_reason"], title="rejects by reason")
    if out is not None:
        console.print(f"written: {write_table(s['rejects_by_reason'], out)}")
    if rejects is not None:
        console.print(f"written: {write_table(rejected_rows(ws), rejects)}")


@app.command()
def report(
    workspace: WorkspaceOpt = Path("."),
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("report.html"),
) -> None:
    """Write the self-contained HTML report of every analysis the workspace supports."""
    ws = open_workspace(workspace)
    path = write_report_with_progress(ws, out)
    console.print(f"report written: {path.resolve()}")


def write_report_with_progress(ws: Workspace, out: Path) -> Path:
    """Write the report with a progress bar over its sections (gone once written)."""
    from journeykit.report import write_report

    with Progress(
        TextColumn("[bold]report[/bold] {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    ) as progress:
        task = progress.add_task("", total=None)

        def on_section(done: int, total: int, name: str) -> None:
            progress.update(task, completed=done, total=total, description=name)

        return write_report(ws, out, on_section)


@app.command()
def demo(
    directory: Annotated[Path, typer.Option("--dir", help="Workspace folder for the demo.")] = Path("demo"),
    customers: Annotated[int, typer.Option("--customers", help="Simulated customers.")] = 50_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
) -> None:
    """Run the whole demo: create a workspace, simulate customers, ingest, write demo/report.html."""
    from journeykit.io.ingest import IngestOptions
    from journeykit.simulate import write_parquet
    from journeykit.workspace import EXAMPLE_VALUE_CHAIN, VALUE_CHAIN_FILE, Workspace

    ws = Workspace.init(directory, force=True)
    shutil.copyfile(EXAMPLE_VALUE_CHAIN, directory / VALUE_CHAIN_FILE)
    console.print(f"simulating {customers:,} customers (seed {seed}) from {ws.model_path}")
    events_path, responses_path = write_parquet(ws.model, directory / "data", customers=customers, seed=seed)
    run_ingest(ws, [events_path], IngestOptions(target="events"))
    run_ingest(ws, [responses_path], IngestOptions(target="responses"))
    path = write_report_with_progress(ws, directory / "report.html")
    console.print(f"[bold green]report written:[/bold green] {path.resolve()}")


@app.command()
def export(
    workspace: WorkspaceOpt = Path("."),
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder (Parquet) or .xes/.xes.gz file.")] = Path("export"),
    by: Annotated[str, typer.Option("--by", help="XES traces per 'case' or 'customer'.")] = "case",
) -> None:
    """Export events and responses as month-partitioned Parquet (for Spark), or events as XES."""
    from journeykit.io.export import export_parquet, export_xes

    ws = open_workspace(workspace, duckdb_only=True)
    if out.name.lower().endswith((".xes", ".xes.gz")):
        console.print(f"written: {export_xes(ws, out, by=by)}")
    else:
        for table, path in export_parquet(ws, out).items():
            console.print(f"{table}: {path}")
