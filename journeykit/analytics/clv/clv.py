"""Discounted customer lifetime value from a repeat-purchase model and a spend model.

For a customer with history ``(x, t_x, T)``, a horizon of ``H`` periods and a discount rate ``d`` per
period, the expected discounted value of future purchases is

    CLV = E[M | m̄, x] · Σ_{k=1..H} (E[Y(k) | x, t_x, T] − E[Y(k−1) | x, t_x, T]) / (1+d)^k,

with ``E[Y(k)|·]`` the conditional expected purchases of the BG/NBD or Pareto/NBD model (purchases in
period ``k`` discounted to the start, as in Fader, Hardie & Lee 2005 "RFM and CLV" with discrete
periods) and ``E[M|·]`` the gamma-gamma expected spend per transaction.

``d`` is a rate per period of the chosen unit, so the same number means very different rates: 0.01 per
week is 68% a year, 0.01 per day 3,678% a year.  The effective annual rate is ``(1+d)^(365/days) − 1``
(``days`` = 7 for a week, 1 for a day) and an annual rate ``r`` is ``(1+r)^(days/365) − 1`` per period;
:func:`customer_lifetime_value` notes the annual rate when it exceeds :data:`PLAUSIBLE_ANNUAL_DISCOUNT`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

import numpy as np
import pandas as pd

from journeykit.analytics.clv._fit import MIN_CUSTOMERS
from journeykit.analytics.clv.bgnbd import BetaGeoFitter
from journeykit.analytics.clv.gamma_gamma import GammaGammaFitter
from journeykit.analytics.clv.pareto_nbd import ParetoNBDFitter
from journeykit.analytics.clv.summary import calibration_holdout, check_unit
from journeykit.engine import Engine, Filters, as_engine, as_filters
from journeykit.errors import JourneykitError, as_list, check_at_least
from journeykit.result import Result

#: Repeat-purchase models by CLI name.
TRANSACTION_MODELS = {"bgnbd": BetaGeoFitter, "pareto": ParetoNBDFitter}
#: Above this |correlation| of frequency and mean spend, gamma-gamma's independence assumption is doubtful.
SPEND_CORRELATION_WARNING = 0.3
#: Above this effective annual discount rate (100% a year) the per-period rate is probably in the wrong unit.
PLAUSIBLE_ANNUAL_DISCOUNT = 1.0
#: Days in a year for converting discount rates.
YEAR_DAYS = 365


class TransactionModel(Protocol):
    """What the CLV computations need from a fitted repeat-purchase model."""

    params_: pd.Series

    def expected_purchases(self, t) -> np.ndarray: ...

    def conditional_expected_purchases(self, t, frequency, recency, T) -> np.ndarray: ...

    def probability_alive(self, frequency, recency, T) -> np.ndarray: ...


def discounted_purchases(
    model: TransactionModel, frequency, recency, T, horizon: int, discount_rate: float
) -> np.ndarray:
    """``Σ_{k=1..H} (E[Y(k)] − E[Y(k−1)]) / (1+d)^k`` per customer (see the module docstring)."""
    if horizon < 1 or int(horizon) != horizon:
        raise JourneykitError(f"the horizon must be a whole number of periods >= 1, got {horizon}")
    check_at_least("discount_rate", discount_rate, 0, integer=False)
    x, t_x, big_t = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    periods = np.arange(int(horizon) + 1, dtype=float)
    cumulative = model.conditional_expected_purchases(
        periods[:, None], x[None, :], t_x[None, :], big_t[None, :]
    )
    return (1.0 + discount_rate) ** -periods[1:] @ np.diff(cumulative, axis=0)


def annual_discount_rate(discount_rate: float, unit: str) -> float:
    """Effective annual rate ``(1+d)^(365/days) − 1`` of a discount rate ``d`` per ``unit``.

    Parameters
    ----------
    discount_rate : float
        Discount rate per period.
    unit : {"week", "day"}
        The period.

    Returns
    -------
    float
        The compounded rate over 365 days (e.g. 0.68 for 0.01 a week).

    Raises
    ------
    OptionError
        A negative rate.
    JourneykitError
        An unknown unit.
    """
    check_at_least("discount_rate", discount_rate, 0, integer=False)
    return (1.0 + discount_rate) ** (YEAR_DAYS / check_unit(unit)) - 1.0


def period_discount_rate(annual_rate: float, unit: str) -> float:
    """Discount rate per ``unit`` equivalent to ``annual_rate``: ``(1+r)^(days/365) − 1``.

    Parameters
    ----------
    annual_rate : float
        Discount rate per year (365 days).
    unit : {"week", "day"}
        The period.

    Returns
    -------
    float
        The rate per period (e.g. 0.00183 a week for 10% a year).

    Raises
    ------
    OptionError
        A negative rate.
    JourneykitError
        An unknown unit.
    """
    check_at_least("annual_rate", annual_rate, 0, integer=False)
    return (1.0 + annual_rate) ** (check_unit(unit) / YEAR_DAYS) - 1.0


def _discount_note(discount_rate: float, unit: str) -> str | None:
    """A note when the per-period rate compounds to an implausible annual rate, else ``None``."""
    annual, days = annual_discount_rate(discount_rate, unit), check_unit(unit)
    if annual <= PLAUSIBLE_ANNUAL_DISCOUNT:
        return None
    return (
        f"The discount rate {discount_rate:g} is per {unit}, i.e. {annual:,.0%} a year "
        f"((1 + {discount_rate:g})^({YEAR_DAYS}/{days}) − 1); for an annual rate r use "
        f"(1 + r)^({days}/{YEAR_DAYS}) − 1 per {unit} (10% a year = {period_discount_rate(0.1, unit):.3g} per "
        f"{unit})."
    )


def holdout_comparison(
    model: TransactionModel, summary: pd.DataFrame, max_frequency: int = 7
) -> pd.DataFrame:
    """Mean actual vs predicted holdout purchases by calibration frequency (``max_frequency`` = that or more).

    ``summary`` is a :func:`~journeykit.analytics.clv.summary.calibration_holdout` frame with holdout
    columns.  This is the conditional-expectation check of Fader, Hardie & Lee (2005, Figure 5).
    """
    if "frequency_holdout" not in summary.columns:
        raise JourneykitError(
            "the summary has no holdout period: pass observation_end to calibration_holdout"
        )
    predicted = model.conditional_expected_purchases(
        summary["duration_holdout"], summary["frequency"], summary["recency"], summary["T"]
    )
    frame = pd.DataFrame(
        {
            "frequency": np.minimum(summary["frequency"].to_numpy(), max_frequency),
            "actual": summary["frequency_holdout"].to_numpy(dtype=float),
            "predicted": predicted,
        }
    )
    table = frame.groupby("frequency").agg(
        customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    )
    table.index = [f"{i}+" if i == max_frequency else str(i) for i in table.index]
    return table.rename_axis("calibration_frequency").reset_index()


@dataclass
class ClvResult(Result):
    """Per-customer lifetime value (``table``) with the fitted models.

    ``table`` columns: ``customer_id``, ``frequency``, ``recency``, ``T``, ``monetary_value``,
    ``p_alive``, ``expected_purchases`` (over the horizon, undiscounted), ``expected_spend`` (per
    transaction), ``clv`` (discounted).  ``model_summary`` stacks the parameter summaries of the
    transaction and spend models.
    """

    transaction_model: Any = None
    spend_model: GammaGammaFitter | None = None
    model_summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    title: str = "Customer lifetime value"

    def figure(self):
        """Heatmap of P(alive) over calibration frequency and recency."""
        from journeykit.analytics.clv.figures import frequency_recency_figure

        return frequency_recency_figure(self.transaction_model, self.table)


def _fit_spend(summary: pd.DataFrame, min_customers: int, notes: list[str]) -> GammaGammaFitter | None:
    repeaters = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    if len(repeaters) < min_customers:
        notes.append(
            f"Spend model not fitted: {len(repeaters)} customers have repeat purchases with a value "
            f"(at least {min_customers} needed); expected spend and CLV are left empty."
        )
        return None
    corr = float(np.corrcoef(repeaters["frequency"], repeaters["monetary_value"])[0, 1])
    if abs(corr) > SPEND_CORRELATION_WARNING:
        notes.append(
            f"Frequency and mean spend correlate ({corr:.2f}); the gamma-gamma model assumes they are "
            "independent, so expected spend may be biased."
        )
    return GammaGammaFitter().fit(repeaters["frequency"], repeaters["monetary_value"], min_customers)


def customer_lifetime_value(
    engine: Engine,
    purchase: str | list[str],
    model: str = "bgnbd",
    horizon: int = 52,
    unit: str = "week",
    discount_rate: float = 0.01,
    calibration_end: str | date | datetime | None = None,
    column: str = "touchpoint",
    per_day: bool = True,
    filters: Filters | None = None,
    min_customers: int = MIN_CUSTOMERS,
) -> ClvResult:
    """Fit a repeat-purchase model (and gamma-gamma spend) to the purchases and value every customer.

    Parameters
    ----------
    engine : Engine
    purchase : str or list of str
        Purchase touchpoint(s) (or event names / stages, see ``column``).
    model : {"bgnbd", "pareto"}
        Repeat-purchase model.
    horizon : int
        Number of future periods (``unit``) valued.
    unit : {"week", "day"}
        Time unit of recency, age, horizon and discount rate.
    discount_rate : float
        Discount rate per period of ``unit`` (0.01 per week is 68% a year, 0.01 per day 3,678% a year;
        see :func:`period_discount_rate`).  An effective annual rate above 100% adds a note.
    calibration_end : date, optional
        Fit on purchases up to this day, at most the last day of data (the default).
    min_customers : int
        Fewest customers (and repeat customers with values, for the spend model) to fit.

    Raises
    ------
    FitError, ConvergenceError
        Too few customers, no repeat purchases, or an optimiser that does not converge.
    OptionError
        A calibration end after the last event, or a negative discount rate.
    """
    engine, filters = as_engine(engine), as_filters(filters)
    purchase = as_list("purchase", purchase)
    if model not in TRANSACTION_MODELS:
        raise JourneykitError(f"unknown CLV model {model!r} (expected one of {list(TRANSACTION_MODELS)})")
    discount_note = _discount_note(discount_rate, unit)
    summary = calibration_holdout(engine, purchase, calibration_end, None, unit, column, per_day, filters)
    notes = [discount_note] if discount_note is not None else []
    x, t_x, big_t = summary["frequency"], summary["recency"], summary["T"]
    fitted = TRANSACTION_MODELS[model]().fit(x, t_x, big_t, min_customers)
    spend = _fit_spend(summary, min_customers, notes)
    notes += [f"{type(m).__name__}: {note}" for m in (fitted, spend) if m is not None for note in m.notes_]
    expected_spend = np.full(len(x), np.nan)
    if spend is not None:
        expected_spend = spend.conditional_expected_spend(x, summary["monetary_value"])
    table = summary.reset_index().assign(
        p_alive=fitted.probability_alive(x, t_x, big_t),
        expected_purchases=fitted.conditional_expected_purchases(horizon, x, t_x, big_t),
        expected_spend=expected_spend,
        clv=expected_spend * discounted_purchases(fitted, x, t_x, big_t, horizon, discount_rate),
    )
    summaries = {type(fitted).__name__: fitted.summary}
    if spend is not None:
        summaries[type(spend).__name__] = spend.summary
    return ClvResult(
        table=table.sort_values("clv", ascending=False, na_position="last").reset_index(drop=True),
        params={
            "purchase": purchase, "model": model, "horizon": horizon, "unit": unit,
            "discount_rate": discount_rate, "annual_discount_rate": annual_discount_rate(discount_rate, unit),
            "calibration_end": str(calibration_end) if calibration_end is not None else "last day of data",
            "per_day": per_day,
        },
        notes=notes,
        transaction_model=fitted,
        spend_model=spend,
        model_summary=pd.concat(summaries, names=["model", "parameter"]).reset_index(),
    )
