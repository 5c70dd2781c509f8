"""Critical chain commands: ``journeykit ccpm PLAN`` (or ``ccpm plan PLAN``) and ``ccpm
status|portfolio|cases|rcpsp``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import click
import typer
from typer.core import TyperGroup

from journeykit.cli.app import app
from journeykit.cli.common import PlanOutOpt, UnitOutOpt, WorkspaceOpt, console, open_workspace, show_table
from journeykit.errors import InputError
from journeykit.options import KIND_SHARE


class PlanFirstGroup(TyperGroup):
    """A command group whose first argument may be a plan file instead of a command.

    ``journeykit ccpm PLAN.yaml [OPTIONS]`` runs ``journeykit ccpm plan PLAN.yaml [OPTIONS]``: a first
    argument that names no command but an existing file, or has a plan file's suffix (so that a missing
    file gets the plan command's "not found" error rather than "no such command"), is the plan.
    """

    suffixes = (".yaml", ".yml", ".csv", ".xml", ".sm")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = args[0] if args else ""
        if first and not first.startswith("-") and first not in self.commands and (
            Path(first).is_file() or Path(first).suffix.lower() in self.suffixes
        ):
            args = ["plan", *args]
        return super().parse_args(ctx, args)


ccpm_app = typer.Typer(
    cls=PlanFirstGroup,
    help="Critical Chain: resource-levelled plans, buffers, fever charts.  'journeykit ccpm PLAN [OPTIONS]' "
         "builds the plan of a file (the same as 'journeykit ccpm plan PLAN'); the commands below do the rest.",
    no_args_is_help=True,
    subcommand_metavar="PLAN [OPTIONS] | COMMAND [ARGS]...",
)
app.add_typer(ccpm_app, name="ccpm")

PlanArg = Annotated[Path, typer.Argument(help="Plan file: .yaml/.yml, .csv, .xml (MS Project) or .sm (PSPLIB).")]
BufferOpt = Annotated[str, typer.Option("--buffer", "-b", help="Project buffer: cut_and_paste, root_square_error, "
                                        "adaptive_density, adaptive_resource or calibrated.")]
FeedingOpt = Annotated[str | None, typer.Option("--feeding-buffer",
                                                help="Feeding buffer method (default: as --buffer).")]
CutOpt = Annotated[float, typer.Option("--cut", help="Aggressive share of fixed estimates.")]
StepOpt = Annotated[float, typer.Option("--step", help="Plan units per scheduling period.")]
TargetOpt = Annotated[float, typer.Option("--target", help="On-time probability of the calibrated buffers.")]
SchedulesOpt = Annotated[int, typer.Option("--schedules", help="Schedules tried when levelling resources.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed (same seed, same plan).")]
FigureOpt = Annotated[Path | None, typer.Option("--figure", help="Write the figures to this HTML file.")]
BandOpt = Annotated[str | None, typer.Option(help="Zone line as 'consumption at 0 %,at 100 %' (shares).")]


def _write_figures(path: Path, title: str, figures: list, tables: list) -> None:
    from journeykit.report.document import Section, render_html

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html([Section(title, figures=figures, tables=tables)], title=title), encoding="utf-8")
    console.print(f"written: {path}")


def _build(plan_file: Path, buffer: str, feeding: str | None, cut: float, step: float, target: float,
           schedules: int, seed: int):
    from journeykit.schedule.ccpm import ccpm
    from journeykit.schedule.plan_io import read_plan

    plan = read_plan(plan_file)
    return plan, ccpm(plan, cut=cut, step=step, buffer=buffer, feeding_buffer=feeding, target=target,
                      schedules=schedules, seed=seed)


def _bands(yellow: str | None, red: str | None):
    from journeykit.schedule.ccpm import Bands

    def pair(text: str | None, option: str, default: tuple[float, float]) -> tuple[float, float]:
        if text is None:
            return default
        try:
            a, b = (float(v) for v in text.split(","))
        except ValueError:
            raise InputError(option, f"expected two shares 'start,end' such as 0.33,0.67, got {text!r}") from None
        return a, b

    default = Bands()
    return Bands(pair(yellow, "--yellow", default.yellow), pair(red, "--red", default.red))


@ccpm_app.command("plan")
def plan_cmd(
    plan_file: PlanArg,
    buffer: BufferOpt = "root_square_error",
    feeding_buffer: FeedingOpt = None,
    cut: CutOpt = 0.5,
    step: StepOpt = 1.0,
    target: TargetOpt = 0.9,
    schedules: SchedulesOpt = 1000,
    seed: SeedOpt = 0,
    figure: FigureOpt = None,
    out: PlanOutOpt = None,
) -> None:
    """Critical-chain plan: aggressive estimates, resource levelling, critical chain and buffers (also
    'journeykit ccpm PLAN')."""
    from journeykit.io.tables import write_table

    plan, result = _build(plan_file, buffer, feeding_buffer, cut, step, target, schedules, seed)
    unit = f"periods of {step:g} {plan.unit}" if step != 1 else plan.unit
    console.print(f"[bold]{plan.name}[/bold]: {len(plan)} activities; levelled length "
                  f"{result.params['levelled_makespan']} (critical path {result.params['critical_path_bound']}) {unit}")
    console.print("critical chain: " + " -> ".join(result.chain_names))
    console.print(f"chain ends at {result.chain_end}, project buffer {result.project_buffer} ({buffer}), "
                  f"due at {result.due} {unit}; simulated P(on time) = {result.on_time_probability():.2f}")
    for note in result.notes:
        console.print(f"[yellow]{note}[/yellow]")
    show_table(result.buffers, title="Buffers")
    show_table(result.table, title="Activities")
    if out is not None:
        console.print(f"written: {write_table(result.table, out)}")
    if figure is not None:
        _write_figures(figure, f"Critical chain: {plan.name}", [result.figure(), result.load_figure()],
                       [("Buffers", result.buffers), ("Activities", result.table)])


@ccpm_app.command("status")
def status_cmd(
    plan_file: PlanArg,
    progress: Annotated[Path, typer.Argument(help="CSV with columns date (or as_of), activity, remaining.")],
    start: Annotated[str | None, typer.Option("--start", help="Plan start date (default: the plan's).")] = None,
    yellow: BandOpt = None,
    red: BandOpt = None,
    buffer: BufferOpt = "root_square_error",
    feeding_buffer: FeedingOpt = None,
    cut: CutOpt = 0.5,
    step: StepOpt = 1.0,
    target: TargetOpt = 0.9,
    schedules: SchedulesOpt = 1000,
    seed: SeedOpt = 0,
    figure: FigureOpt = None,
    out: PlanOutOpt = None,
) -> None:
    """Buffer status and fever chart from progress reports (remaining durations as of each date)."""

    from journeykit.io.tables import write_table
    from journeykit.schedule.ccpm import ProgressError, fever_chart

    bands = _bands(yellow, red)
    try:
        first = date.fromisoformat(start) if start else None
    except ValueError:
        raise InputError("--start", f"expected a date YYYY-MM-DD, got {start!r}") from None
    frame = _read_progress(progress)
    plan, result = _build(plan_file, buffer, feeding_buffer, cut, step, target, schedules, seed)
    try:
        chart = fever_chart(result, frame, start=first, bands=bands)
    except ProgressError as exc:
        raise InputError(str(progress), str(exc)) from None
    latest = chart.latest
    console.print(f"[bold]{plan.name}[/bold]: as of {latest.as_of * step:g} {plan.unit}: critical chain "
                  f"{latest.completion:.0%} complete, project buffer {latest.consumption:.0%} consumed: "
                  f"[bold]{latest.zone}[/bold]; forecast chain end {latest.forecast_end * step:g} (planned "
                  f"{result.chain_end * step:g}, due {result.due * step:g})")
    show_table(chart.table, title="Fever chart (project buffer)")
    show_table(latest.table, title="Buffers")
    if len(latest.eating):
        show_table(latest.eating, title="Activities eating the buffer")
    if out is not None:
        console.print(f"written: {write_table(chart.table, out)}")
    if figure is not None:
        _write_figures(figure, f"Buffer status: {plan.name}", [chart.figure(), result.figure()],
                       [("Fever chart", chart.table), ("Buffers", latest.table), ("Buffer eaters", latest.eating),
                        ("Forecast", latest.forecast)])


@ccpm_app.command("portfolio")
def portfolio_cmd(
    plan_files: Annotated[list[Path], typer.Argument(help="Plan files in priority order (shared resources by name).")],
    progress: Annotated[Path | None, typer.Option("--progress", help="CSV: project, date (or as_of), activity, "
                                                   "remaining; ranks all open work by buffer status.")] = None,
    capacity_buffer: Annotated[float, typer.Option("--capacity-buffer",
                                                   help="Drum idle share after each project.")] = 0.25,
    drum: Annotated[str | None, typer.Option("--drum", help="Drum resource (default: the most loaded).")] = None,
    buffer: BufferOpt = "root_square_error",
    schedules: SchedulesOpt = 1000,
    seed: SeedOpt = 0,
    out: PlanOutOpt = None,
) -> None:
    """Several projects sharing resources: stagger them on the drum; rank open work by buffer status."""

    from journeykit.io.tables import write_table
    from journeykit.schedule.ccpm import ProgressError, fever_chart, rank_open_work, stagger

    built = {}
    for path in plan_files:
        plan, result = _build(path, buffer, None, 0.5, 1.0, 0.9, schedules, seed)
        if plan.name in built:
            raise InputError(str(path), f"two plans are named '{plan.name}': project names must differ")
        built[plan.name] = result
    portfolio = stagger(list(built.values()), capacity_buffer=capacity_buffer, drum=drum)
    console.print(f"drum: [bold]{portfolio.drum}[/bold] (capacity buffer {capacity_buffer:.0%})")
    show_table(portfolio.table, title="Staggered projects")
    show_table(portfolio.load, title="Resource load")
    for note in portfolio.notes:
        console.print(f"[yellow]{note}[/yellow]")
    table = portfolio.table
    if progress is not None:
        frame = _read_progress(progress)
        if "project" not in frame:
            raise InputError(str(progress), "the portfolio progress CSV needs a 'project' column")
        unknown = sorted(set(frame["project"].astype(str)) - set(built))
        if unknown:
            raise InputError(str(progress),
                             f"progress for unknown projects: {', '.join(unknown)} (plans: {', '.join(built)})")
        statuses = {}
        offsets = dict(zip(portfolio.table["project"], portfolio.table["offset"]))
        for name, rows in frame.groupby(frame["project"].astype(str), sort=False):
            try:  # each project's progress is on the portfolio's clock: its plan starts at its offset
                own = rows.drop(columns="project").reset_index(drop=True)
                statuses[name] = fever_chart(built[name], own, shift=float(offsets[name])).latest
            except ProgressError as exc:
                raise InputError(str(progress), f"project {name} (its rows counted on their own): {exc}") from None
        table = rank_open_work(statuses)
        show_table(table, title="Open work, most urgent first")
    if out is not None:
        console.print(f"written: {write_table(table, out)}")


def _read_progress(path: Path):
    """The progress CSV as a DataFrame; unreadable files raise InputError naming the file."""
    import pandas as pd

    try:
        return pd.read_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(str(path), f"cannot read the progress CSV: {exc}") from None


_SLA_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_sla(text: str, unit: str) -> float:
    """``"48h"``, ``"2d"``, ``"90m"`` (or a bare number in ``unit``) converted to ``unit``."""
    from journeykit.schedule.ccpm.progress import UNIT_SECONDS

    text = text.strip().lower()
    suffix = _SLA_UNITS.get(text[-1:]) if text[-1:].isalpha() else unit
    number = text[:-1] if text[-1:].isalpha() else text
    try:
        value = float(number)
    except ValueError:
        value = float("nan")
    if suffix is None or not value > 0:
        raise InputError("--sla", f"expected a positive duration such as 48h, 2d or 90m, got {text!r}")
    return value * UNIT_SECONDS[suffix] / UNIT_SECONDS[unit]


@ccpm_app.command("cases")
def cases_cmd(
    sla: Annotated[str, typer.Option("--sla", help="Time allowed per case from its first event: 48h, 2d, 90m.")],
    process: Annotated[str, typer.Option("--process", "-p",
                                         help="Stage name, or touchpoints/events separated by commas.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Status time (default: the last event).")] = None,
    closed: Annotated[str | None, typer.Option("--closed",
                                               help="Steps that also close a case, comma-separated.")] = None,
    kind_share: Annotated[float, typer.Option(
        "--kind-share", help="Share of the cases a first step must start to be a kind of case with its own template.")
    ] = KIND_SHARE,
    unit: Annotated[str, typer.Option("--unit", help="seconds, minutes, hours or days.")] = "hours",
    fit: Annotated[str, typer.Option("--fit",
                                     help="empirical, auto, lognormal, beta_pert or triangular.")] = "empirical",
    workspace: WorkspaceOpt = Path("."),
    figure: FigureOpt = None,
    out: UnitOutOpt = None,
) -> None:
    """Open support cases as critical chains with their SLA as due date: who will breach unless someone acts.

    Each kind of case (its first step) gets its own template; a case is closed at a step where cases of its
    kind end."""
    import pandas as pd

    from journeykit.io.tables import write_table
    from journeykit.schedule.ccpm.cases import case_events, case_status_by_kind
    from journeykit.schedule.from_log import plans_by_kind

    engine = open_workspace(workspace).engine
    templates = plans_by_kind(engine, process, unit=unit, fit=fit, min_share=kind_share)
    try:
        when = pd.Timestamp(as_of) if as_of else None
    except ValueError:
        raise InputError("--as-of", f"expected a date or time, got {as_of!r}") from None
    steps = [s.strip() for s in closed.split(",")] if closed else []
    status = case_status_by_kind(templates, case_events(engine, process), parse_sla(sla, unit), as_of=when,
                                 closed_steps=steps)
    for note in [t.notes[0] for t in templates] + status.notes:
        console.print(f"[dim]{note}[/dim]")
    counts = status.table["zone"].value_counts()
    likely = int((status.table["p_breach"] >= 0.5).sum())
    console.print(f"open cases: {len(status.table)} (red {counts.get('red', 0)}, yellow {counts.get('yellow', 0)}, "
                  f"green {counts.get('green', 0)}); [bold]{likely} likely to breach the {sla} SLA[/bold]")
    show_table(_times_in_seconds(status.table, ("elapsed", "due", "forecast_end"), unit),
               title="Open cases, most likely breaches first", max_rows=25)
    if out is not None:
        console.print(f"written: {write_table(status.table, out)}")
    if figure is not None:
        _write_figures(figure, f"Live cases against a {sla} SLA", [status.figure()], [("Open cases", status.table)])


def _times_in_seconds(table, columns: tuple[str, ...], unit: str):
    """``table`` with ``columns`` (in ``unit``) as ``<column>_seconds``, so the terminal shows them as times."""
    from journeykit.schedule.ccpm.progress import UNIT_SECONDS

    return table.assign(**{f"{c}_seconds": table[c] * UNIT_SECONDS[unit] for c in columns})[
        [f"{c}_seconds" if c in columns else c for c in table.columns]
    ]


@ccpm_app.command("rcpsp")
def rcpsp_cmd(
    instance: Annotated[Path, typer.Argument(help="PSPLIB .sm file or any plan file with resources.")],
    method: Annotated[str, typer.Option("--method", "-m", help="serial, parallel, sampling, ga or cpsat.")] = "ga",
    rule: Annotated[str, typer.Option("--rule", help="LFT, LST, MTS or GRPW.")] = "LFT",
    schedules: SchedulesOpt = 1000,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Seconds (ga, sampling, cpsat).")] = None,
    seed: SeedOpt = 0,
    figure: FigureOpt = None,
    out: PlanOutOpt = None,
) -> None:
    """Resource-constrained schedule of a plan or PSPLIB instance, with its lower bounds."""
    from journeykit.io.tables import write_table
    from journeykit.schedule.rcpsp import RcpspProblem, solve_rcpsp

    if instance.suffix.lower() == ".sm":
        from journeykit.io.psplib import read_psplib

        problem = RcpspProblem.from_psplib(read_psplib(instance))
    else:
        from journeykit.schedule.ccpm import plan_problem
        from journeykit.schedule.plan_io import read_plan

        plan = read_plan(instance)
        problem = plan_problem(plan, plan.durations("mean"))
    result = solve_rcpsp(problem, method, rule=rule, schedules=schedules, time_limit=time_limit, seed=seed)
    proof = " (optimal)" if result.optimal else ""
    console.print(f"[bold]{problem.name}[/bold]: makespan {result.makespan}{proof}; critical-path bound "
                  f"{result.critical_path_bound}, lower bound {result.lower_bound}; {result.params}")
    show_table(result.table, title="Schedule", max_rows=20)
    if out is not None:
        console.print(f"written: {write_table(result.table, out)}")
    if figure is not None:
        _write_figures(figure, f"Schedule: {problem.name}", [result.figure(), result.load_figure()],
                       [("Schedule", result.table)])


__all__ = ["ccpm_app"]
