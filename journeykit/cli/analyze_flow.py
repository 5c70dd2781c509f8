"""``journeykit analyze transitions | paths | timing``: the journey map, paths and variants, timing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from journeykit.cli.app import analyze_app
from journeykit.cli.common import (
    ApproxOpt,
    ChannelOpt,
    EndOpt,
    JourneyOpt,
    LevelOpt,
    OutOpt,
    SegmentOpt,
    StartOpt,
    WorkspaceOpt,
    emit,
    filters_from,
    open_workspace,
)
from journeykit.errors import OptionError
from journeykit.options import Direction

TimingKind = Literal["dwell", "between", "bottlenecks", "throughput"]
#: The timing kinds whose journeys and steps are fixed (no --by, --level), and what they are.
FIXED_TIMING: dict[str, str] = {
    "dwell": "dwell times are per customer and stage",
    "throughput": "throughput is per case, over all its events",
}

CollapseOpt = Annotated[bool, typer.Option("--collapse", help="Merge consecutive repeats of the same step.")]


def _given(ctx: typer.Context, *names: str) -> list[str]:
    """The options of the parameters ``names`` that the command line sets (as written: ``--top-per-step``).

    Sources are compared by name: Typer runs on its own copy of Click, whose ``ParameterSource`` is not Click's.
    """
    flags = {param.name: param.opts[0] for param in ctx.command.params}
    return [flags[name] for name in names if ctx.get_parameter_source(name).name == "COMMANDLINE"]


def _clean(rules: list[str] | None) -> list[tuple[str, str | None]]:
    out = []
    for rule in rules or []:
        pattern, sep, alias = rule.rpartition("=")
        if not sep or not pattern:
            raise typer.BadParameter(
                f"{rule!r}: expected REGEX=ALIAS (an empty alias drops the step)", param_hint="--clean"
            )
        out.append((pattern, alias or None))
    return out


@analyze_app.command("transitions")
def transitions_cmd(
    workspace: WorkspaceOpt = Path("."),
    by: JourneyOpt = "customer",
    level: LevelOpt = "touchpoint",
    min_count: Annotated[int, typer.Option("--min-count", min=1, help="Hide rarer transitions.")] = 1,
    collapse: Annotated[
        bool | None,
        typer.Option("--collapse/--no-collapse", help="Merge consecutive repeats (default: at stage level)."),
    ] = None,
    approx: ApproxOpt = False,
    start: StartOpt = None,
    end: EndOpt = None,
    segment: SegmentOpt = None,
    channel: ChannelOpt = None,
    out: OutOpt = None,
) -> None:
    """The journey map: directly-follows transitions with counts, probabilities and times between steps."""
    from journeykit.analytics.transitions import transitions as run_transitions

    filters = filters_from(start, end, segment, channel)
    with open_workspace(workspace) as ws:
        result = run_transitions(
            ws.engine, by=by, level=level, min_count=min_count, collapse_repeats=collapse,
            filters=filters, exact=not approx,
        )
    emit(result, out)


@analyze_app.command("paths")
def paths_cmd(
    ctx: typer.Context,
    workspace: WorkspaceOpt = Path("."),
    anchor: Annotated[
        str | None, typer.Option("--anchor", "-a", help="Show the paths around this step (default: whole variants).")
    ] = None,
    direction: Annotated[
        Direction, typer.Option("--direction", help="Paths after, before or between steps.")
    ] = "after",
    until: Annotated[str | None, typer.Option("--until", help="End step of --direction between.")] = None,
    steps: Annotated[int, typer.Option("--steps", "-n", min=1, help="Steps shown around the anchor.")] = 3,
    top: Annotated[
        int, typer.Option("--top", min=1, help="Most frequent paths/variants kept; the rest is 'other'.")
    ] = 25,
    top_per_step: Annotated[int, typer.Option("--top-per-step", min=1, help="Labels kept per position.")] = 8,
    by: JourneyOpt = "customer",
    level: LevelOpt = "touchpoint",
    collapse: CollapseOpt = False,
    clean: Annotated[
        list[str] | None, typer.Option("--clean", help="Rename steps matching REGEX: REGEX=ALIAS (repeatable).")
    ] = None,
    session_gap: Annotated[
        float | None, typer.Option("--session-gap", help="Split journeys into sessions after this many idle minutes.")
    ] = None,
    session_attribute: Annotated[
        str | None, typer.Option("--session-attribute", help="Split journeys into sessions by this attribute.")
    ] = None,
    start: StartOpt = None,
    end: EndOpt = None,
    segment: SegmentOpt = None,
    channel: ChannelOpt = None,
    out: OutOpt = None,
) -> None:
    """Variants (whole journeys), or the paths after, before or between chosen steps."""
    from journeykit.analytics.paths import paths as run_paths
    from journeykit.analytics.paths import variants
    from journeykit.analytics.sequences import Sessions

    filters = filters_from(start, end, segment, channel)
    if session_gap is not None and session_attribute is not None:
        raise OptionError("use either --session-gap or --session-attribute, not both")
    if session_gap is not None and not session_gap > 0:
        raise OptionError(f"--session-gap must be > 0 minutes, got {session_gap:g}")
    if anchor is None:
        around = _given(ctx, "direction", "until", "steps", "top_per_step")
        if around:
            raise OptionError(f"{', '.join(around)}: only with --anchor (without it the command shows whole variants)")
    elif (direction == "between") != (until is not None):
        raise OptionError("--until is required with --direction between and only allowed with it")
    sessions = None
    if session_attribute is not None:
        sessions = Sessions(attribute=session_attribute)
    elif session_gap is not None:
        sessions = Sessions(timeout_minutes=session_gap)
    common = dict(by=by, level=level, collapse_repeats=collapse, clean=_clean(clean), sessions=sessions,
                  filters=filters)
    with open_workspace(workspace) as ws:
        if anchor is None:
            result = variants(ws.engine, top=top, **common)
        else:
            result = run_paths(
                ws.engine, anchor, direction=direction, until=until, steps=steps, top_per_step=top_per_step,
                top_paths=top, **common,
            )
    emit(result, out)


@analyze_app.command("timing")
def timing_cmd(
    ctx: typer.Context,
    workspace: WorkspaceOpt = Path("."),
    kind: Annotated[
        TimingKind,
        typer.Option(
            "--kind", help="dwell per stage, time between two steps, bottleneck transitions, case throughput."
        ),
    ] = "dwell",
    source: Annotated[str | None, typer.Option("--from", help="First step (--kind between).")] = None,
    target: Annotated[str | None, typer.Option("--to", help="Second step (--kind between).")] = None,
    by: JourneyOpt = "customer",
    level: LevelOpt = "touchpoint",
    approx: ApproxOpt = False,
    start: StartOpt = None,
    end: EndOpt = None,
    segment: SegmentOpt = None,
    channel: ChannelOpt = None,
    out: OutOpt = None,
) -> None:
    """Timing: dwell time per stage, time between two steps, bottlenecks, case first-response and resolution."""
    from journeykit.analytics.timing import bottlenecks, case_throughput, stage_dwell, time_between

    filters = filters_from(start, end, segment, channel)
    if (kind == "between") != (source is not None and target is not None):
        raise OptionError("--from and --to are required with --kind between, and only used with it")
    fixed = _given(ctx, "by", "level") if kind in FIXED_TIMING else []
    if fixed:
        raise OptionError(f"--kind {kind} does not take {', '.join(fixed)} ({FIXED_TIMING[kind]})")
    exact = not approx
    with open_workspace(workspace) as ws:
        if kind == "dwell":
            order = [s.name for s in ws.model.stages]
            result = stage_dwell(ws.engine, stage_order=order, filters=filters, exact=exact)
        elif kind == "between":
            result = time_between(ws.engine, source, target, by=by, level=level, filters=filters, exact=exact)
        elif kind == "bottlenecks":
            result = bottlenecks(ws.engine, by=by, level=level, filters=filters, exact=exact)
        else:
            result = case_throughput(ws.engine, filters=filters, exact=exact)
    emit(result, out)
