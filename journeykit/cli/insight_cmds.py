"""``journeykit benchmark`` and ``journeykit insight moments | value-chain | feedback | process``."""

from __future__ import annotations

from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from journeykit.cli.app import app
from journeykit.cli.common import (
    JourneyOpt,
    LevelOpt,
    OutOpt,
    WorkspaceOpt,
    console,
    open_workspace,
    show_table,
)
from journeykit.options import OUTCOMES

if TYPE_CHECKING:
    from journeykit.engine import Filters
    from journeykit.result import Result

insight_app = typer.Typer(
    help="Moments of truth, value chain, feedback themes and process benchmarks.", no_args_is_help=True
)
app.add_typer(insight_app, name="insight")

TouchpointsOpt = Annotated[list[str] | None, typer.Option(help="Touchpoint name (repeatable).")]


def _notes(result: Result) -> None:
    for note in result.notes:
        console.print(f"[dim]note: {note}[/dim]", highlight=False)


def _write(table, out: Path | None) -> None:
    from journeykit.io.tables import write_table

    if out is not None:
        console.print(f"written: {write_table(table, out)}")


def _weights(items: list[str] | None) -> dict[str, float] | None:
    weights = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        try:
            if not sep or not key:
                raise ValueError(item)
            weights[key] = float(value)
        except ValueError:
            message = f"{item!r}: expected KPI=WEIGHT (e.g. nps=2)"
            raise typer.BadParameter(message, param_hint="--weight") from None
    return weights or None


@app.command("benchmark")
def benchmark_cmd(
    workspace: WorkspaceOpt = Path("."),
    reference: Annotated[
        list[str] | None,
        typer.Option("--reference", "-r", help="Reference set YAML or CSV; repeatable, combined in order; "
                     "'default' is the shipped set (the default when none is given)."),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Also per group: an attribute (segment, region) or channel.")
    ] = None,
    periods: Annotated[
        str | None, typer.Option("--periods", help="Index per period: day, week or month.")
    ] = None,
    industry: Annotated[
        str | None, typer.Option("--industry", help="Only reference rows of this industry.")
    ] = None,
    support: TouchpointsOpt = None,
    purchase: TouchpointsOpt = None,
    weight: Annotated[
        list[str] | None, typer.Option("--weight", help="KPI weight in the index: KPI=W (repeatable).")
    ] = None,
    min_n: Annotated[
        int, typer.Option("--min-n", min=1, help="Warn when a KPI rests on fewer answers.")
    ] = 30,
    out: OutOpt = None,
) -> None:
    """Benchmark the journey's KPIs against a reference set: scores, journey and stage index, trend."""
    from journeykit.insight import benchmark as run_benchmark
    from journeykit.insight.benchmark import load_reference
    from journeykit.insight.benchmark.measure import normalise_grouping

    sets = [load_reference(None if r == "default" else r) for r in reference or ["default"]]
    combined = reduce(lambda a, b: a.combine(b), sets)
    with open_workspace(workspace) as ws:
        result = run_benchmark(
            ws.engine, ws.model, reference=combined, by=normalise_grouping(by), periods=periods,
            weights=_weights(weight), industry=industry, support=support, purchase=purchase, min_n=min_n,
        )
    console.print(f"[bold]{result.title}[/bold] (fingerprint {result.params['fingerprint']})")
    show_table(result.index, title="Benchmark index")
    columns = ["group", "kpi_id", "n", "value", "ci_low", "ci_high", "frontier", "worst", "score",
               "score_low", "score_high", "gap", "small_sample"]
    show_table(result.table[columns], title="KPI scores (distance to frontier)")
    if not result.trend.empty:
        show_table(result.trend[result.trend["scope"] == "journey"], title=f"Index per {periods}")
    _notes(result)
    _write(result.table, out)


@insight_app.command("moments")
def moments_cmd(
    workspace: WorkspaceOpt = Path("."),
    outcome: Annotated[
        str, typer.Option("--outcome", help=f"Loyalty outcome: {', '.join(OUTCOMES)}.")
    ] = "churned",
    experience: Annotated[
        list[str] | None,
        typer.Option("--experience", "-e",
                     help="Driver: visit:TP, slow:TP>5d, loop:TP, low:SURVEY<=3, score:SURVEY (repeatable)."),
    ] = None,
    anchor: TouchpointsOpt = None,
    window_days: Annotated[
        float, typer.Option("--window-days", min=0.001, help="Experience window after the anchor.")
    ] = 30.0,
    method: Annotated[str, typer.Option("--method", help="auto, lmg or relative_weights.")] = "auto",
    replicates: Annotated[int, typer.Option("--replicates", min=0, help="Bootstrap replicates.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", min=0)] = 0,
    out: OutOpt = None,
) -> None:
    """Moments of truth: lift, phi, adjusted odds ratios and relative importance of touchpoint experiences."""
    from journeykit.insight import moments_of_truth, parse_experience

    experiences = [parse_experience(e) for e in experience] if experience else None
    with open_workspace(workspace) as ws:
        result = moments_of_truth(
            ws.engine, ws.model, outcome, experiences, anchor=anchor, window_days=window_days, method=method,
            replicates=replicates, seed=seed,
        )
    columns = ["driver", "exposed", "rate_with", "rate_without", "difference", "phi", "odds_ratio",
               "or_low", "or_high", "significant", "share", "share_low", "share_high", "rank",
               "rank_stability", "priority", "revenue_at_stake", "revenue_rank"]
    show_table(result.table[columns], title=f"{result.title}: {result.params['customers']:,} customers")
    _notes(result)
    _write(result.table, out)


@insight_app.command("value-chain")
def value_chain_cmd(
    workspace: WorkspaceOpt = Path("."),
    chain: Annotated[
        Path | None,
        typer.Option("--chain", help="Value chain YAML (default: the touchpoint costs of the model)."),
    ] = None,
    outcome: Annotated[
        str | None,
        typer.Option("--outcome", help="Add loyalty lift from a moments-of-truth analysis of this outcome."),
    ] = None,
    out: OutOpt = None,
) -> None:
    """Value chain: cost-to-serve per touchpoint and stage (TDABC), capacity, value and improvements."""
    from journeykit.insight import moments_of_truth
    from journeykit.insight import value_chain as run_value_chain
    from journeykit.model.value_chain import from_touchpoint_costs, load_value_chain

    with open_workspace(workspace) as ws:
        vc = load_value_chain(chain, ws.model) if chain is not None else from_touchpoint_costs(ws.model)
        moments = moments_of_truth(ws.engine, ws.model, outcome) if outcome else None
        result = run_value_chain(ws.engine, ws.model, vc, moments=moments)
    show_table(result.table, title=result.title)
    show_table(result.resources, title="Resources (per period)")
    show_table(result.stages, title="Stages (per period)")
    show_table(result.improvements, title="Improvements")
    _notes(result)
    _write(result.table, out)


@insight_app.command("feedback")
def feedback_cmd(
    workspace: WorkspaceOpt = Path("."),
    themes: Annotated[int, typer.Option("--themes", "-k", min=2, help="Number of themes.")] = 8,
    survey: Annotated[
        list[str] | None, typer.Option("--survey", help="Only this survey (repeatable).")
    ] = None,
    period: Annotated[str, typer.Option("--period", help="day, week or month.")] = "month",
    out: OutOpt = None,
) -> None:
    """Feedback text: sentiment (VADER) and themes (TF-IDF + NMF) of survey comments, with NPS impact."""
    from journeykit.insight import feedback as run_feedback

    with open_workspace(workspace) as ws:
        result = run_feedback(ws.engine, ws.model, k=themes, surveys=survey, period=period)
    show_table(result.table, title=f"{result.title}: {result.params['comments']:,} comments")
    _notes(result)
    _write(result.table, out)


def _side(
    start: str | None, end: str | None, segment: list[str] | None, channel: str | None, option: str
) -> Filters:
    from journeykit.engine import Filters

    pairs: dict[str, str] = {}
    for item in segment or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{item!r}: expected key=value", param_hint=option)
        pairs[key] = value
    return Filters(start=start, end=end, segment=pairs, channel=channel)


@insight_app.command("process")
def process_cmd(
    workspace: WorkspaceOpt = Path("."),
    a_start: Annotated[str | None, typer.Option("--a-start", help="Journey A: events from (UTC).")] = None,
    a_end: Annotated[str | None, typer.Option("--a-end", help="Journey A: events before.")] = None,
    a_segment: Annotated[list[str] | None, typer.Option("--a-segment", help="Journey A: key=value.")] = None,
    a_channel: Annotated[str | None, typer.Option("--a-channel", help="Journey A: channel.")] = None,
    b_start: Annotated[str | None, typer.Option("--b-start", help="Journey B: events from.")] = None,
    b_end: Annotated[str | None, typer.Option("--b-end", help="Journey B: events before.")] = None,
    b_segment: Annotated[list[str] | None, typer.Option("--b-segment", help="Journey B: key=value.")] = None,
    b_channel: Annotated[str | None, typer.Option("--b-channel", help="Journey B: channel.")] = None,
    min_count: Annotated[
        int, typer.Option("--min-count", min=1, help="Occurrences needed on both sides.")
    ] = 30,
    by: JourneyOpt = "customer",
    level: LevelOpt = "touchpoint",
    out: OutOpt = None,
) -> None:
    """Process benchmark: median time per transition of journeys A and B, and where B is slower."""
    from journeykit.insight import compare_process

    a = _side(a_start, a_end, a_segment, a_channel, "--a-segment")
    b = _side(b_start, b_end, b_segment, b_channel, "--b-segment")
    with open_workspace(workspace) as ws:
        result = compare_process(ws.engine, a, b, a.describe(), b.describe(), level=level, by=by,
                                 min_count=min_count)
    show_table(result.table, title=result.title)
    show_table(result.variants, title="Variants (share of journeys)")
    _notes(result)
    _write(result.table, out)
