"""PERT commands: ``journeykit pert PLAN`` and ``journeykit plan from-log|estimate|explain|convert``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from journeykit.cli.app import app
from journeykit.cli.common import PlanOutOpt, UnitOutOpt, WorkspaceOpt, console, open_workspace, show_table
from journeykit.errors import InputError

plan_app = typer.Typer(help="Build, explain and convert PERT plans.", no_args_is_help=True)
app.add_typer(plan_app, name="plan")

PlanArg = Annotated[Path, typer.Argument(help="Plan file: .yaml/.yml, .csv, .xml (MS Project) or .sm (PSPLIB).")]


@app.command()
def pert(
    plan_file: PlanArg,
    deadline: Annotated[float | None, typer.Option("--deadline", "-d", help="Deadline in the plan's unit.")] = None,
    confidence: Annotated[
        float, typer.Option("--confidence", "-c", help="Probability for the deadline to quote.")
    ] = 0.9,
    iterations: Annotated[int, typer.Option("--iterations", "-n", help="Monte Carlo iterations (0: none).")] = 20_000,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (same seed, same result).")] = None,
    figure: Annotated[Path | None, typer.Option("--figure", help="Write the figures to this HTML file.")] = None,
    out: PlanOutOpt = None,
) -> None:
    """Critical path, analytic PERT and Monte Carlo schedule risk of a plan."""
    from journeykit.io.tables import write_table
    from journeykit.schedule.plan_io import read_plan

    if not 0 < confidence < 1:
        raise InputError("--confidence", f"must be strictly between 0 and 1, got {confidence}")
    plan = read_plan(plan_file)
    sched = plan.cpm()
    analytic = plan.pert()
    unit = plan.unit
    console.print(f"[bold]{plan.name}[/bold]: {len(plan)} activities, {len(plan.dependencies)} dependencies")
    console.print(f"critical path ({sched.duration:.4g} {unit}): " + " -> ".join(analytic.path))
    console.print(f"analytic PERT: mean {analytic.mean:.4g} {unit}, std {analytic.std:.4g}; "
                  f"deadline met with probability {confidence:g}: {analytic.deadline(confidence):.4g} {unit}")
    if deadline is not None:
        console.print(f"analytic P(finish <= {deadline:g}) = {analytic.probability(deadline):.3f}")
    table = sched.table.drop(columns=[c for c in ("start_date", "finish_date") if c in sched.table])
    figures = [sched.pert_chart(), sched.figure()]
    if iterations:
        sim = plan.simulate(iterations=iterations, seed=seed, deadline=deadline)
        show_table(sim.summary(), title=f"Monte Carlo ({iterations:,} iterations)")
        pct = sim.percentiles()
        if "finish_date" in pct:
            dates = ", ".join(f"{p} {str(d)[:10]}" for p, d in zip(pct["percentile"], pct["finish_date"]))
            console.print(f"finish dates from {plan.start}: {dates}")
        quoted = sim.deadline_for(confidence)
        console.print(f"simulated deadline met with probability {confidence:g}: {quoted:.4g} {unit}")
        table = table.merge(sim.table[["id", "criticality", "sensitivity"]], on="id")
        figures += [sim.figure(), sim.tornado()]
        top = table.sort_values(["criticality", "sensitivity"], ascending=False)
        show_table(top[["id", "es", "total_float", "criticality", "sensitivity"]], title="Activities", max_rows=15)
    else:
        columns = ["id", "name", "es", "ef", "ls", "lf", "total_float", "critical"]
        show_table(table[columns], title="Activities", max_rows=15)
    if out is not None:
        console.print(f"written: {write_table(table, out)}")
    if figure is not None:
        from journeykit.report.document import Section, render_html

        html = render_html([Section(f"PERT: {plan.name}", figures=figures, tables=[("Activities", table)])],
                           title=f"PERT: {plan.name}", subtitle=str(plan_file))
        figure.parent.mkdir(parents=True, exist_ok=True)
        figure.write_text(html, encoding="utf-8")
        console.print(f"written: {figure}")


@plan_app.command("from-log")
def from_log(
    process: Annotated[
        str, typer.Option("--process", "-p", help="Stage name, or touchpoints/events separated by commas.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Plan file to write: .yaml, .csv or .xml.")],
    unit: Annotated[str, typer.Option("--unit", help="seconds, minutes, hours or days.")] = "hours",
    fit: Annotated[
        str, typer.Option("--fit", help="empirical, auto, lognormal, beta_pert or triangular.")
    ] = "empirical",
    deadline: Annotated[
        float | None, typer.Option("--deadline", "-d", help="Also report P(done within this time, in --unit).")
    ] = None,
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Discover a plan (main path and step durations) of a case process from the workspace's events."""
    from journeykit.schedule.from_log import plan_from_log
    from journeykit.schedule.plan_io import write_plan

    ws = open_workspace(workspace)
    res = plan_from_log(ws.engine, process, unit=unit, fit=fit)  # type: ignore[arg-type]
    show_table(res.table, title=f"Plan of '{process}' from the event log ({unit})")
    for note in res.notes:
        console.print(f"[dim]{note}[/dim]")
    if deadline is not None:
        planned = res.plan.simulate(iterations=20_000, seed=0).probability(deadline)
        observed = res.observed_probability(deadline) if res.case_totals.size else float("nan")
        console.print(f"P(done within {deadline:g} {unit}) = {planned:.2f} from the plan "
                      f"(observed on the main-path cases: {observed:.2f})")
    console.print(f"written: {write_plan(res.plan, out)}")


@plan_app.command("estimate")
def estimate(
    start: Annotated[str, typer.Option("--from", help="Touchpoint or event where the duration starts.")],
    end: Annotated[str, typer.Option("--to", help="Touchpoint or event where it ends.")],
    unit: Annotated[str, typer.Option("--unit", help="seconds, minutes, hours or days.")] = "hours",
    fit: Annotated[
        str, typer.Option("--fit", help="auto, lognormal, empirical, beta_pert or triangular.")
    ] = "auto",
    workspace: WorkspaceOpt = Path("."),
    out: UnitOutOpt = None,
) -> None:
    """Three-point estimate and fitted distribution of the time between two steps of the cases."""
    from journeykit.io.tables import write_table
    from journeykit.schedule.estimates import estimate_duration
    from journeykit.schedule.from_log import step_durations

    ws = open_workspace(workspace)
    est = estimate_duration(step_durations(ws.engine, start, end, unit=unit), fit=fit)  # type: ignore[arg-type]
    show_table(est.table, title=f"Time from '{start}' to '{end}' ({unit})")
    for note in est.notes:
        console.print(f"[dim]{note}[/dim]")
    console.print(f"fitted distribution: {est.fitted!r}", highlight=False)
    if out is not None:
        console.print(f"written: {write_table(est.table, out)}")


@plan_app.command("explain")
def explain(
    plan_file: PlanArg,
    activity: Annotated[str, typer.Argument(help="Activity id.")],
) -> None:
    """Why an activity is or is not critical: its floats and the chains that drive and bind it."""
    from journeykit.schedule.plan_io import read_plan

    console.print(read_plan(plan_file).cpm().explain(activity), highlight=False)


@plan_app.command("convert")
def convert(
    source: PlanArg,
    target: Annotated[Path, typer.Argument(help="Output plan file: .yaml, .csv or .xml (MS Project).")],
    allow_loss: Annotated[
        bool, typer.Option("--allow-loss", help="Write a CSV even if it cannot hold the whole plan.")
    ] = False,
) -> None:
    """Convert a plan between YAML, CSV, MS Project XML (and from PSPLIB)."""
    from journeykit.schedule.plan_io import csv_losses, read_plan, write_plan

    plan = read_plan(source)
    lost = csv_losses(plan) if target.suffix.lower() == ".csv" else []
    if lost and not allow_loss:
        raise InputError(str(target), f"a CSV plan cannot hold {'; '.join(lost)}: write .yaml or .xml, or give "
                         "--allow-loss")
    for item in lost:
        console.print(f"[yellow]not in the CSV: {item}[/yellow]")
    console.print(f"written: {write_plan(plan, target)}")


__all__ = ["plan_app"]
