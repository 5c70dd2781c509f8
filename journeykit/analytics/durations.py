"""Summary statistics of durations and distinct counts, exact or approximate by an explicit flag."""

from __future__ import annotations

import ibis.expr.types as ir

#: The quantile reported as ``p90_seconds``.
P90 = 0.9


def duration_stats(seconds: ir.NumericColumn, exact: bool = True) -> dict[str, ir.Scalar]:
    """Aggregates ``mean_seconds``, ``median_seconds`` and ``p90_seconds`` of a duration column.

    Exact quantiles interpolate linearly between order statistics (DuckDB ``quantile_cont``, Spark
    ``percentile``, numpy's default); ``exact=False`` uses the backends' approximate quantiles.
    """
    if exact:
        median, p90 = seconds.median(), seconds.quantile(P90)
    else:
        median, p90 = seconds.approx_median(), seconds.approx_quantile(P90)
    return {"mean_seconds": seconds.mean(), "median_seconds": median, "p90_seconds": p90}


def distinct_count(column: ir.Column, exact: bool = True) -> ir.IntegerScalar:
    """``COUNT(DISTINCT column)``, or an approximate (HyperLogLog) count when ``exact`` is false."""
    return column.nunique() if exact else column.approx_nunique()
