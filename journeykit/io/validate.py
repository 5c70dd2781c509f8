"""Row validation of one input chunk, as a DuckDB ``SELECT`` over the registered chunk.

Each input row becomes one staging row: the typed canonical fields, the raw row as JSON, and ``reason``
(NULL when the row is valid, else the first problem found) with the offending ``column``.  The chunk is
registered as the view ``chunk`` and the touchpoint mapping of its distinct event names as ``tp_map``.
"""

from __future__ import annotations

from dataclasses import dataclass

from journeykit.io.mapping import Mapping
from journeykit.io.readers import ROW_NUMBER


def q(name: str) -> str:
    """Quote an identifier for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    """Quote a string literal for DuckDB."""
    return "'" + text.replace("'", "''") + "'"


def _text(col: str | None) -> str:
    return f"NULLIF(TRIM(CAST({q(col)} AS VARCHAR)), '')" if col else "CAST(NULL AS VARCHAR)"


@dataclass(frozen=True)
class TimestampRule:
    """How timestamps are parsed.

    ``format``: ``None`` for ISO 8601 (offsets honoured), ``"epoch"`` / ``"epoch_ms"`` for Unix time,
    or a ``strptime`` pattern such as ``"%d/%m/%Y %H:%M"``.  Values without an offset are read in the
    session time zone (the ``--timezone`` option, UTC by default).
    """

    format: str | None = None

    def sql(self, col: str) -> str:
        text = _text(col)
        if self.format is None:
            return f"TRY_CAST({q(col)} AS TIMESTAMPTZ)"
        if self.format == "epoch":
            return f"to_timestamp(TRY_CAST({text} AS DOUBLE))"
        if self.format == "epoch_ms":
            return f"to_timestamp(TRY_CAST({text} AS DOUBLE) / 1000.0)"
        return f"CAST(TRY_STRPTIME({text}, {lit(self.format)}) AS TIMESTAMPTZ)"

    def expected(self) -> str:
        if self.format is None:
            return "an ISO 8601 date-time such as 2024-05-01T13:45:00+02:00"
        if self.format in ("epoch", "epoch_ms"):
            return f"Unix time ({'seconds' if self.format == 'epoch' else 'milliseconds'})"
        return f"a date-time in the format {self.format}"


def _attributes(mapping: Mapping) -> str:
    if not mapping.attributes:
        return "MAP {}::MAP(VARCHAR, VARCHAR)"
    entries = ", ".join(f"{{'key': {lit(c)}, 'value': {_text(c)}}}" for c in mapping.attributes)
    return f"map_from_entries(list_filter([{entries}], lambda x: x.value IS NOT NULL))"


def _raw(columns: list[str]) -> str:
    fields = ", ".join(f"{lit(c)}, CAST({q(c)} AS VARCHAR)" for c in columns if c != ROW_NUMBER)
    return f"CAST(json_object({fields}) AS VARCHAR)" if fields else "'{}'"


def _reason(checks: list[tuple[str, str, str | None]]) -> tuple[str, str]:
    """CASE expressions for the first failing check: (reason SQL, column SQL)."""
    reason = "CASE " + " ".join(f"WHEN {cond} THEN {msg}" for cond, msg, _ in checks) + " END"
    column = "CASE " + " ".join(f"WHEN {cond} THEN {lit(col) if col else 'NULL'}" for cond, _, col in checks) + " END"
    return reason, column


def events_select(
    mapping: Mapping, columns: list[str], file_index: int, rule: TimestampRule, strict: bool
) -> str:
    """SELECT producing ``_jk_stage_events`` rows from the chunk (see module docstring)."""
    m = mapping.column
    ts_col = m("timestamp")
    inner = f"""
      SELECT {ROW_NUMBER} AS row_number,
        {_text(m('customer'))} AS customer_id,
        {_text(m('case'))} AS case_id,
        {_text(ts_col)} AS ts_text,
        {rule.sql(ts_col)} AS ts,
        {_text(m('event'))} AS event,
        {_text(m('value'))} AS value_text,
        {_text(m('event_id'))} AS given_id,
        {_text(m('touchpoint'))} AS given_touchpoint,
        {_text(m('channel'))} AS given_channel,
        {_attributes(mapping)} AS attributes,
        {_raw(columns)} AS raw
      FROM chunk"""
    checks = [
        ("s.customer_id IS NULL", "'missing customer id'", m("customer")),
        ("s.ts_text IS NULL", "'missing timestamp'", ts_col),
        ("s.ts IS NULL", f"'unparseable timestamp ''' || s.ts_text || ''' (expected {rule.expected()})'", ts_col),
        ("s.event IS NULL", "'missing event name'", m("event")),
        (
            "s.value_text IS NOT NULL AND TRY_CAST(s.value_text AS DOUBLE) IS NULL",
            "'value ''' || s.value_text || ''' is not a number'",
            m("value"),
        ),
    ]
    if strict:
        checks.append(
            (
                "tp.touchpoint IS NULL",
                "'unknown touchpoint: event ''' || s.event || ''' matches no touchpoint of the journey model'",
                m("touchpoint") or m("event"),
            )
        )
    reason, column = _reason(checks)
    return f"""
    SELECT {file_index} AS file_index, s.row_number, s.customer_id, s.case_id, s.ts AS timestamp, s.event,
      TRY_CAST(s.value_text AS DOUBLE) AS value, tp.touchpoint, tp.stage,
      COALESCE(s.given_channel, tp.channel) AS channel, s.attributes, s.given_id,
      md5(concat_ws(chr(31), s.customer_id, COALESCE(s.case_id, ''), CAST(epoch_us(s.ts) AS VARCHAR), s.event,
          COALESCE(s.value_text, ''), CAST(s.attributes AS VARCHAR))) AS content_hash,
      s.raw, {reason} AS reason, {column} AS "column"
    FROM ({inner}) s LEFT JOIN tp_map tp ON tp.key = COALESCE(s.given_touchpoint, s.event)"""


def responses_select(
    mapping: Mapping,
    columns: list[str],
    file_index: int,
    rule: TimestampRule,
    survey_constant: str | None,
) -> str:
    """SELECT producing ``_jk_stage_responses`` rows from the chunk; ``survey_map`` holds the model's surveys."""
    m = mapping.column
    ts_col = m("timestamp")
    survey = lit(survey_constant) if survey_constant else _text(m("survey"))
    inner = f"""
      SELECT {ROW_NUMBER} AS row_number,
        {_text(m('customer'))} AS customer_id,
        {_text(m('case'))} AS case_id,
        {_text(ts_col)} AS ts_text,
        {rule.sql(ts_col)} AS ts,
        {survey} AS survey,
        {_text(m('score'))} AS score_text,
        {_text(m('comment'))} AS comment,
        {_text(m('touchpoint'))} AS given_touchpoint,
        {_text(m('response_id'))} AS given_id,
        {_attributes(mapping)} AS attributes,
        {_raw(columns)} AS raw
      FROM chunk"""
    score = "TRY_CAST(s.score_text AS DOUBLE)"
    checks = [
        ("s.customer_id IS NULL", "'missing customer id'", m("customer")),
        ("s.ts_text IS NULL", "'missing timestamp'", ts_col),
        ("s.ts IS NULL", f"'unparseable timestamp ''' || s.ts_text || ''' (expected {rule.expected()})'", ts_col),
        ("s.survey IS NULL", "'missing survey name'", m("survey")),
        (
            "sv.name IS NULL",
            "'unknown survey ''' || s.survey || ''' (expected one of the journey model''s surveys: ' || "
            "(SELECT string_agg(name, ', ' ORDER BY name) FROM survey_map) || ')'",
            m("survey"),
        ),
        ("s.score_text IS NULL", "'missing score'", m("score")),
        (f"{score} IS NULL", "'score ''' || s.score_text || ''' is not a number'", m("score")),
        (
            f"{score} < sv.low OR {score} > sv.high",
            "'score ' || s.score_text || ' out of range for survey ''' || sv.name || ''' (expected ' "
            "|| CAST(sv.low AS VARCHAR) || ' to ' || CAST(sv.high AS VARCHAR) || ')'",
            m("score"),
        ),
    ]
    reason, column = _reason(checks)
    return f"""
    SELECT {file_index} AS file_index, s.row_number, s.customer_id, s.case_id, s.ts AS timestamp,
      s.survey, sv.kind, {score} AS score, s.comment, COALESCE(s.given_touchpoint, sv.touchpoint) AS touchpoint,
      s.attributes, s.given_id,
      md5(concat_ws(chr(31), s.customer_id, COALESCE(s.case_id, ''), CAST(epoch_us(s.ts) AS VARCHAR), s.survey,
          COALESCE(s.score_text, ''), COALESCE(s.comment, ''), CAST(s.attributes AS VARCHAR))) AS content_hash,
      s.raw, {reason} AS reason, {column} AS "column"
    FROM ({inner}) s LEFT JOIN survey_map sv ON sv.name = s.survey"""
