"""Summary statistics of durations and distinct counts, exact or approximate by an explicit flag."""

from __future__ import annotations

import ibis.expr.types as ir

#: The quantile reported as ``p90_seconds``.
P90 = 0.9


#: Aggregate column holding the median and the p90 until :func:`split_quantiles` names them.
QUANTILES = "_quantiles"


def duration_stats(seconds: ir.NumericColumn, exact: bool = True) -> dict[str, ir.Scalar]:
    """Aggregates ``mean_seconds`` and the pair (median, p90) of a duration column; pass the aggregated
    table to :func:`split_quantiles` for ``median_seconds`` and ``p90_seconds``.

    Exact quantiles interpolate linearly between order statistics (DuckDB ``quantile_cont``, Spark
    ``percentile``, numpy's default); ``exact=False`` uses the backends' approximate quantiles.  Both
    quantiles are one aggregate: DuckDB then collects and sorts a group's values once, not twice (transitions
    on 10.1M events, hand-written SQL: 7.4 -> 6.9 CPU seconds).
    """
    pair = [0.5, P90]
    quantiles = seconds.quantile(pair) if exact else seconds.approx_quantile(pair)
    return {"mean_seconds": seconds.mean(), QUANTILES: quantiles}


def split_quantiles(t: ir.Table) -> ir.Table:
    """``t`` with :func:`duration_stats`'s pair as ``median_seconds`` and ``p90_seconds`` (at the end)."""
    pair = t[QUANTILES]
    return t.mutate(median_seconds=pair[0], p90_seconds=pair[1]).drop(QUANTILES)


def distinct_count(column: ir.Column, exact: bool = True) -> ir.IntegerScalar:
    """``COUNT(DISTINCT column)``, or an approximate (HyperLogLog) count when ``exact`` is false."""
    return column.nunique() if exact else column.approx_nunique()
