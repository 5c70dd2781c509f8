"""``journeykit analyze kpis | clv``: survey and operational KPIs, customer lifetime value."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from journeykit.cli.app import analyze_app
from journeykit.cli.common import (
    ChannelOpt,
    EndOpt,
    OutOpt,
    SegmentOpt,
    StartOpt,
    WorkspaceOpt,
    console,
    emit,
    filters_from,
    open_workspace,
    parse_date,
    show_table,
)
from journeykit.options import MIN_N, ClvUnit

#: Columns printed (``--out`` writes them all).
KPI_COLUMNS = ["group", "survey", "kpi", "unit", "n", "value", "ci_low", "ci_high"]
CLV_COLUMNS = [
    "customer_id", "frequency", "recency", "T", "p_alive", "expected_purchases", "expected_spend", "clv",
]
#: Customers printed by ``analyze clv``.
TOP_CUSTOMERS = 20


NpsMethod = Literal["wald", "adjusted_wald"]
ClvModel = Literal["bgnbd", "pareto"]
PurchaseColumn = Literal["touchpoint", "event", "stage"]

PurchaseOpt = Annotated[
    list[str] | None,
    typer.Option("--purchase", "-p", help="Purchase touchpoint (repeatable; default: payment)."),
]
ByOpt = Annotated[
    str | None,
    typer.Option("--by", help="touchpoint, stage, segment:<attribute> or period:day|week|month."),
]
SurveyOpt = Annotated[list[str] | None, typer.Option("--survey", help="Only this survey (repeatable).")]
NpsMethodOpt = Annotated[NpsMethod, typer.Option("--nps-method", help="NPS interval: Wald or adjusted Wald.")]
MinNOpt = Annotated[int, typer.Option("--min-n", min=1, help="Flag rows with fewer answers.")]
ConfidenceOpt = Annotated[float, typer.Option("--confidence", min=0.5, max=0.999, help="Interval level.")]
CompareOpt = Annotated[
    tuple[str, str] | None, typer.Option("--compare", help="Test the NPS difference between two groups: A B.")
]
OperationalOpt = Annotated[
    bool,
    typer.Option("--operational", help="Event KPIs (stage reach, repeat purchase, inactivity)."),
]
InactiveOpt = Annotated[float, typer.Option("--inactive-days", min=1, help="Inactive after this many days.")]
ColumnOpt = Annotated[PurchaseColumn, typer.Option("--column", help="Event column --purchase names.")]
ModelOpt = Annotated[ClvModel, typer.Option("--model", help="Repeat-purchase model: BG/NBD or Pareto/NBD.")]
HorizonOpt = Annotated[int, typer.Option("--horizon", min=1, help="Future periods valued.")]
UnitOpt = Annotated[ClvUnit, typer.Option("--unit", help="Time unit (a week is 7 days).")]
DiscountOpt = Annotated[
    float,
    typer.Option(
        "--discount", min=0.0,
        help="Discount rate per --unit period: 0.01 a week is 68%/year, 0.01 a day 3,678%/year "
        "(per period = (1+annual)^(days/365) − 1).",
    ),
]
CalibrationOpt = Annotated[
    str | None,
    typer.Option("--calibration-end", help="Fit on purchases up to this day, at most the last event (default)."),
]
HoldoutOpt = Annotated[
    str | None,
    typer.Option("--holdout-end", help="Compare predictions with purchases up to this day (at most the last event)."),
]
PerEventOpt = Annotated[
    bool, typer.Option("--per-event", help="Count every purchase event (default: one transaction per day).")
]
MinCustomersOpt = Annotated[int, typer.Option("--min-customers", min=2, help="Fewest customers to fit.")]


@analyze_app.command("kpis")
def kpis_cmd(
    workspace: WorkspaceOpt = Path("."),
    by: ByOpt = None,
    survey: SurveyOpt = None,
    nps_method: NpsMethodOpt = "wald",
    min_n: MinNOpt = MIN_N,
    confidence: ConfidenceOpt = 0.95,
    compare: CompareOpt = None,
    operational: OperationalOpt = False,
    purchase: PurchaseOpt = None,
    inactive_days: InactiveOpt = 90,
    start: StartOpt = None,
    end: EndOpt = None,
    segment: SegmentOpt = None,
    channel: ChannelOpt = None,
    out: OutOpt = None,
) -> None:
    """NPS, CSAT (top-2-box) and CES with confidence intervals per group, or operational KPIs from events."""
    from journeykit.analytics.kpis import operational_kpis, survey_kpis

    filters = filters_from(start, end, segment, channel)
    with open_workspace(workspace) as ws:
        if operational:
            result = operational_kpis(
                ws.engine, ws.model, purchase=purchase or ["payment"], inactive_days=inactive_days,
                filters=filters, min_n=min_n, confidence=confidence,
            )
        else:
            result = survey_kpis(
                ws.engine, ws.model, by=by, surveys=survey, filters=filters, min_n=min_n,
                confidence=confidence, nps_method=nps_method,
            )
    emit(result, out, KPI_COLUMNS)
    if compare is not None and not operational:
        difference = result.compare(*compare, confidence=confidence)
        show_table(difference, title=f"NPS: {compare[1]} minus {compare[0]}")


@analyze_app.command("clv")
def clv_cmd(
    workspace: WorkspaceOpt = Path("."),
    purchase: PurchaseOpt = None,
    column: ColumnOpt = "touchpoint",
    model: ModelOpt = "bgnbd",
    horizon: HorizonOpt = 52,
    unit: UnitOpt = "week",
    discount: DiscountOpt = 0.01,
    calibration_end: CalibrationOpt = None,
    holdout_end: HoldoutOpt = None,
    per_event: PerEventOpt = False,
    min_customers: MinCustomersOpt = 30,
    start: StartOpt = None,
    end: EndOpt = None,
    segment: SegmentOpt = None,
    channel: ChannelOpt = None,
    out: OutOpt = None,
) -> None:
    """Customer lifetime value: BG/NBD or Pareto/NBD purchases × gamma-gamma spend, discounted."""
    from journeykit.analytics.clv.clv import customer_lifetime_value, holdout_comparison
    from journeykit.analytics.clv.summary import calibration_holdout

    filters = filters_from(start, end, segment, channel)
    if holdout_end is not None and calibration_end is None:
        raise typer.BadParameter("--holdout-end needs --calibration-end", param_hint="--holdout-end")
    calibration_end = parse_date(calibration_end, "--calibration-end")
    holdout_end = parse_date(holdout_end, "--holdout-end")
    purchases = purchase or ["payment"]
    with open_workspace(workspace) as ws:
        summary = None
        if holdout_end is not None:  # before the fit, so that a holdout the data do not cover fails at once
            summary = calibration_holdout(
                ws.engine, purchases, calibration_end, holdout_end, unit, column, not per_event,
                filters,
            )
        result = customer_lifetime_value(
            ws.engine, purchases, model=model, horizon=horizon, unit=unit, discount_rate=discount,
            calibration_end=calibration_end, column=column, per_day=not per_event, filters=filters,
            min_customers=min_customers,
        )
        holdout = None if summary is None else holdout_comparison(result.transaction_model, summary)
    show_table(result.model_summary, title="Fitted models")
    emit(result, out, CLV_COLUMNS, max_rows=TOP_CUSTOMERS)
    if holdout is not None:
        show_table(holdout, title="Holdout: mean purchases by calibration frequency, actual vs model")
    console.print(f"[dim]optimiser: {result.transaction_model.message_}[/dim]", highlight=False)
