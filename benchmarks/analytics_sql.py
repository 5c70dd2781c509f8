"""Hand-written DuckDB SQL computing what each benchmarked journeykit analysis returns: the floors.

Each floor computes the same result as the journeykit call it is compared with, column for column:

* ``DFG``: ``transitions(level="event")``: per (source, target) the count, distinct customers, mean /
  median / p90 seconds, the journeys starting at the source and its outgoing total (for the probability);
* ``VARIANTS``: ``variants(level="event")``: per distinct sequence its count, mean throughput, its text and
  length, most frequent first;
* :func:`funnel`: ``funnel(STEPS, window=7 d)``: per-step counts, mean / median / p90 seconds from the
  previous step and median from step 1, the weekly conversion trend and the time-to-convert histogram
  (three queries on a temporary table of the counted attempts, as journeykit does);
* :func:`cohorts`: ``cohorts("payment", "repeat_purchase", period="month")``: cohort sizes, retained
  customers per period and the last observed timestamp (which marks incomplete cells);
* :func:`timing`: ``stage_dwell()`` and ``time_between("product_view", "payment")``.

A plain step name in journeykit matches an event whose touchpoint, stage *or* raw event name equals it, so
the funnel and cohort floors test the three columns too.
"""

from __future__ import annotations

#: The benchmarked funnel and its conversion window.
STEPS = ["product_view", "cart_add", "checkout", "payment", "order_confirmation"]
WINDOW = 7 * 86400
#: Bins of the funnel's time-to-convert histogram (journeykit's default).
BINS = 20
_WEEK_SHIFT = 3 * 86400

DFG = """
WITH s AS (
  SELECT customer_id, event AS source,
         LEAD(event) OVER w AS target,
         epoch(LEAD(timestamp) OVER w) - epoch(timestamp) AS gap,
         (LAG(event) OVER w IS NULL)::INT AS first
  FROM events
  WHERE customer_id IS NOT NULL AND event IS NOT NULL
  WINDOW w AS (PARTITION BY customer_id ORDER BY timestamp, seq)
), g AS (
  SELECT source, target, count(*) AS count, count(DISTINCT customer_id) AS customers, sum(first) AS starts,
         avg(gap) AS mean_seconds, median(gap) AS median_seconds, quantile_cont(gap, 0.9) AS p90_seconds
  FROM s GROUP BY source, target
)
SELECT *, sum(count) FILTER (WHERE target IS NOT NULL) OVER (PARTITION BY source) AS outgoing FROM g
"""

VARIANTS = """
WITH per AS (
  SELECT customer_id, list(event ORDER BY timestamp, seq) AS sequence,
         epoch(max(timestamp)) - epoch(min(timestamp)) AS throughput
  FROM events WHERE customer_id IS NOT NULL AND event IS NOT NULL GROUP BY customer_id
), v AS (
  SELECT sequence, count(*) AS count, avg(throughput) AS mean_throughput_seconds FROM per GROUP BY sequence
)
SELECT array_to_string(sequence, ' → ') AS variant, len(sequence) AS length, count, mean_throughput_seconds, sequence
FROM v ORDER BY count DESC, variant
"""


def _matches(name: str) -> str:
    return f"'{name}' IN (touchpoint, stage, event)"


def _any_of(names: list[str]) -> str:
    listed = ", ".join(f"'{n}'" for n in names)
    return f"(touchpoint IN ({listed}) OR stage IN ({listed}) OR event IN ({listed}))"


def funnel() -> list[str]:
    """Ordered funnel, greedy earliest matching by ASOF joins, uniques (furthest step, then earliest entry).

    The first statement stores the counted attempts in a temporary table ``best``; the next three are the
    step table, the weekly trend and the histogram.
    """
    flags = ", ".join(f"{_matches(s)} AS s{k}" for k, s in enumerate(STEPS, 1))
    parts = [
        f"""r AS (
  SELECT customer_id, timestamp, seq, epoch(timestamp) AS t, {flags},
         row_number() OVER (PARTITION BY customer_id ORDER BY timestamp, seq) AS rn
  FROM events WHERE {_any_of(STEPS)})""",
        "a1 AS (SELECT customer_id, timestamp, seq, rn AS p1, t AS t1 FROM r WHERE s1)",
    ]
    for k in range(2, len(STEPS) + 1):
        parts.append(
            f"""j{k} AS (
  SELECT a.*, s.rn AS q{k}, s.t AS u{k} FROM a{k - 1} a
  ASOF LEFT JOIN (SELECT customer_id, rn, t FROM r WHERE s{k}) s
  ON a.customer_id = s.customer_id AND s.rn > a.p{k - 1})"""
        )
        ok = f"u{k} - t1 <= {WINDOW}"
        parts.append(
            f"a{k} AS (SELECT * EXCLUDE (q{k}, u{k}), CASE WHEN {ok} THEN q{k} END AS p{k}, "
            f"CASE WHEN {ok} THEN u{k} END AS t{k} FROM j{k})"
        )
    n = len(STEPS)
    reached = "CASE " + " ".join(f"WHEN t{k} IS NOT NULL THEN {k}" for k in range(n, 1, -1)) + " ELSE 1 END"
    best = (
        "CREATE OR REPLACE TEMP TABLE best AS WITH " + ",\n".join(parts) + f"""
SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY {reached} DESC, timestamp, seq)
               AS k FROM a{n}) WHERE k = 1"""
    )
    aggs = [f"count(t{k}) AS c{k}" for k in range(1, n + 1)]
    for k in range(2, n + 1):
        d = f"t{k} - t{k - 1}"
        aggs += [f"avg({d}) AS mean{k}", f"quantile_cont({d}, 0.5) AS median{k}", f"quantile_cont({d}, 0.9) AS p90{k}",
                 f"quantile_cont(t{k} - t1, 0.5) AS start{k}"]
    steps = "SELECT " + ", ".join(aggs) + " FROM best"
    trend = (
        f"SELECT floor((t1 + {_WEEK_SHIFT}) / {7 * 86400}) AS period_index, count(*) AS entered, "
        f"count(t{n}) AS converted FROM best GROUP BY 1 ORDER BY 1"
    )
    long = " UNION ALL ".join(f"SELECT {k} AS step, t{k} - t1 AS s FROM best WHERE t{k} IS NOT NULL" for k in range(2, n + 1))
    histogram = f"""
SELECT step, top, CASE WHEN top > 0 THEN least(floor(s / top * {BINS}), {BINS - 1}) ELSE 0 END AS bin, count(*) AS count
FROM (SELECT *, max(s) OVER (PARTITION BY step) AS top FROM ({long})) GROUP BY ALL ORDER BY step, bin"""
    return [best, steps, trend, histogram]


def cohorts() -> str:
    """Monthly cohorts of the first ``payment``, retained by a later ``repeat_purchase``."""
    month = "year(timestamp) * 12 + month(timestamp) - 1"
    return f"""
WITH m AS (
  SELECT customer_id, timestamp, seq, {month} AS cohort FROM (
    SELECT customer_id, timestamp, seq,
           row_number() OVER (PARTITION BY customer_id ORDER BY timestamp, seq) AS k
    FROM events WHERE {_any_of(["payment"])}) WHERE k = 1
), r AS (
  SELECT customer_id, timestamp, seq, {month} AS p FROM events WHERE {_any_of(["repeat_purchase"])}
), h AS (
  SELECT DISTINCT m.customer_id, m.cohort, r.p - m.cohort AS period FROM m JOIN r
  ON m.customer_id = r.customer_id AND (r.timestamp > m.timestamp OR (r.timestamp = m.timestamp AND r.seq > m.seq))
)
SELECT s.cohort, s.size, h.period, count(h.customer_id) AS retained, (SELECT max(timestamp) FROM events) AS last
FROM (SELECT cohort, count(*) AS size FROM m GROUP BY cohort) s LEFT JOIN h ON h.cohort = s.cohort
GROUP BY ALL
"""


def timing() -> list[str]:
    """Stage dwell (runs of consecutive events in one stage) and the time from the first product_view to the
    first payment after it (touchpoints)."""
    dwell = """
WITH s AS (
  SELECT customer_id, stage, timestamp, seq, LAG(stage) OVER w AS previous
  FROM events WHERE customer_id IS NOT NULL AND stage IS NOT NULL
  WINDOW w AS (PARTITION BY customer_id ORDER BY timestamp, seq)
), runs AS (
  SELECT customer_id, stage, epoch(LEAD(timestamp) OVER w) - epoch(timestamp) AS dwell
  FROM s WHERE previous IS DISTINCT FROM stage
  WINDOW w AS (PARTITION BY customer_id ORDER BY timestamp, seq)
)
SELECT stage, count(*) AS visits, count(DISTINCT customer_id) AS customers, count(dwell) AS completed,
       avg(dwell) AS mean_seconds, median(dwell) AS median_seconds, quantile_cont(dwell, 0.9) AS p90_seconds
FROM runs GROUP BY stage
"""
    between = """
WITH s AS (
  SELECT customer_id, touchpoint AS step, timestamp,
         row_number() OVER (PARTITION BY customer_id ORDER BY timestamp, seq) AS pos
  FROM events WHERE customer_id IS NOT NULL AND touchpoint IN ('product_view', 'payment')
), a AS (
  SELECT customer_id, min(pos) AS pos, arg_min(timestamp, pos) AS start FROM s WHERE step = 'product_view'
  GROUP BY customer_id
), per AS (
  SELECT a.customer_id, epoch(min(s.timestamp)) - epoch(a.start) AS seconds
  FROM a LEFT JOIN s ON s.customer_id = a.customer_id AND s.step = 'payment' AND s.pos > a.pos
  GROUP BY a.customer_id, a.start
)
SELECT count(*) AS journeys, count(seconds) AS reached, avg(seconds) AS mean_seconds,
       median(seconds) AS median_seconds, quantile_cont(seconds, 0.9) AS p90_seconds,
       min(seconds) AS min_seconds, max(seconds) AS max_seconds
FROM per
"""
    return [dwell, between]
