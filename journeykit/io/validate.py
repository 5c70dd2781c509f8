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
    """The free attributes: one entry per attribute column (NULLs left out), then the entries of the
    attribute map columns (``Mapping.attribute_maps``; on a clash the column wins)."""
    if not mapping.attributes:
        columns = "MAP {}::MAP(VARCHAR, VARCHAR)"
    else:
        entries = ", ".join(f"{{'key': {lit(c)}, 'value': {_text(c)}}}" for c in mapping.attributes)
        columns = f"map_from_entries(list_filter([{entries}], lambda x: x.value IS NOT NULL))"
    for col in mapping.attribute_maps:
        given = f"COALESCE(CAST({q(col)} AS MAP(VARCHAR, VARCHAR)), MAP {{}}::MAP(VARCHAR, VARCHAR))"
        columns = f"map_concat({given}, {columns})"
    return columns


def _raw(columns: list[str], alias: str) -> str:
    fields = ", ".join(f"{lit(c)}, CAST({alias}.{q(c)} AS VARCHAR)" for c in columns if c != ROW_NUMBER)
    return f"CAST(json_object({fields}) AS VARCHAR)" if fields else "'{}'"


def _reason(checks: list[tuple[str, str, str | None]]) -> tuple[str, str]:
    """CASE expressions for the first failing check: (reason SQL, column SQL)."""
    reason = "CASE " + " ".join(f"WHEN {cond} THEN {msg}" for cond, msg, _ in checks) + " END"
    column = "CASE " + " ".join(f"WHEN {cond} THEN {lit(col) if col else 'NULL'}" for cond, _, col in checks) + " END"
    return reason, column


def _staged(fields: dict[str, str], checks: list[tuple[str, str, str | None]], join: str, joined: str,
            outputs: str, columns: list[str]) -> str:
    """Three-level SELECT: typed fields (``__jk_*``), the first failing check, and the staged columns.

    The raw row (JSON of the original columns) is built only for rejected rows.
    """
    typed = ", ".join(f"{expr} AS __jk_{name}" for name, expr in fields.items())
    reason, column = _reason(checks)
    return f"""
    SELECT {outputs},
      CASE WHEN v.reason IS NOT NULL THEN {_raw(columns, "v")} END AS raw, v.reason, v."column"
    FROM (SELECT s.*, {joined}, {reason} AS reason, {column} AS "column"
          FROM (SELECT *, {typed} FROM chunk) s {join}) v"""


def _timestamp_checks(rule: TimestampRule, ts_col: str | None, customer_col: str | None) -> list:
    return [
        ("s.__jk_customer_id IS NULL", "'missing customer id'", customer_col),
        ("s.__jk_ts_text IS NULL", "'missing timestamp'", ts_col),
        ("s.__jk_ts IS NULL",
         "'unparseable timestamp ''' || s.__jk_ts_text || ''' (expected " + rule.expected() + ")'", ts_col),
    ]


def _common_fields(mapping: Mapping, rule: TimestampRule) -> dict[str, str]:
    m = mapping.column
    return {
        "customer_id": _text(m("customer")), "case_id": _text(m("case")), "ts_text": _text(m("timestamp")),
        "ts": rule.sql(m("timestamp")), "given_touchpoint": _text(m("touchpoint")),
        "attributes": _attributes(mapping),
    }


def _common_outputs(file_index: int, seq_base: int) -> str:
    return (f"{file_index} AS file_index, v.{ROW_NUMBER} AS row_number, {seq_base} + v.{ROW_NUMBER} AS seq, "
            "v.__jk_customer_id AS customer_id, v.__jk_case_id AS case_id, v.__jk_ts AS timestamp, "
            "v.__jk_attributes AS attributes, v.__jk_given_id AS given_id")


def _content_hash(parts: list[str]) -> str:
    core = ["v.__jk_customer_id", "COALESCE(v.__jk_case_id, '')", "CAST(epoch_us(v.__jk_ts) AS VARCHAR)"]
    return f"md5(concat_ws(chr(31), {', '.join(core + parts)}, CAST(v.__jk_attributes AS VARCHAR))) AS content_hash"


def events_select(
    mapping: Mapping, columns: list[str], file_index: int, seq_base: int, rule: TimestampRule, strict: bool
) -> str:
    """SELECT producing staged event rows from the chunk (see module docstring).

    ``seq`` is ``seq_base + row number``: input order, with gaps where rows are rejected or duplicates.
    """
    m = mapping.column
    fields = _common_fields(mapping, rule) | {
        "event": _text(m("event")), "value_text": _text(m("value")), "given_id": _text(m("event_id")),
        "given_channel": _text(m("channel")),
    }
    checks = _timestamp_checks(rule, m("timestamp"), m("customer")) + [
        ("s.__jk_event IS NULL", "'missing event name'", m("event")),
        ("s.__jk_value_text IS NOT NULL AND TRY_CAST(s.__jk_value_text AS DOUBLE) IS NULL",
         "'value ''' || s.__jk_value_text || ''' is not a number'", m("value")),
    ]
    if strict:
        checks.append((
            "tp.touchpoint IS NULL",
            "'unknown touchpoint: event ''' || s.__jk_event || ''' matches no touchpoint of the journey model'",
            m("touchpoint") or m("event"),
        ))
    join = "LEFT JOIN tp_map tp ON tp.key = COALESCE(s.__jk_given_touchpoint, s.__jk_event)"
    outputs = (
        f"{_common_outputs(file_index, seq_base)}, v.__jk_event AS event, "
        "TRY_CAST(v.__jk_value_text AS DOUBLE) AS value, v.__jk_tp_touchpoint AS touchpoint, "
        "v.__jk_tp_stage AS stage, COALESCE(v.__jk_given_channel, v.__jk_tp_channel) AS channel, "
        + _content_hash(["v.__jk_event", "COALESCE(v.__jk_value_text, '')"])
    )
    joined = "tp.touchpoint AS __jk_tp_touchpoint, tp.stage AS __jk_tp_stage, tp.channel AS __jk_tp_channel"
    return _staged(fields, checks, join, joined, outputs, columns)


def responses_select(
    mapping: Mapping,
    columns: list[str],
    file_index: int,
    seq_base: int,
    rule: TimestampRule,
    survey_constant: str | None,
) -> str:
    """SELECT producing staged response rows from the chunk; ``survey_map`` holds the model's surveys."""
    m = mapping.column
    fields = _common_fields(mapping, rule) | {
        "survey": lit(survey_constant) if survey_constant else _text(m("survey")),
        "score_text": _text(m("score")), "comment": _text(m("comment")), "given_id": _text(m("response_id")),
    }
    score = "TRY_CAST(s.__jk_score_text AS DOUBLE)"
    checks = _timestamp_checks(rule, m("timestamp"), m("customer")) + [
        ("s.__jk_survey IS NULL", "'missing survey name'", m("survey")),
        ("sv.name IS NULL",
         "'unknown survey ''' || s.__jk_survey || ''' (expected one of the journey model''s surveys: ' || "
         "(SELECT string_agg(name, ', ' ORDER BY name) FROM survey_map) || ')'", m("survey")),
        ("s.__jk_score_text IS NULL", "'missing score'", m("score")),
        (f"{score} IS NULL", "'score ''' || s.__jk_score_text || ''' is not a number'", m("score")),
        (f"{score} < sv.low OR {score} > sv.high",
         "'score ' || s.__jk_score_text || ' out of range for survey ''' || sv.name || ''' (expected ' "
         "|| CAST(sv.low AS VARCHAR) || ' to ' || CAST(sv.high AS VARCHAR) || ')'", m("score")),
        # NPS, CSAT and CES answers are points on a scale: 9.5 is a typing or export error, not an answer
        (f"sv.kind IN ('nps', 'csat', 'ces') AND {score} <> floor({score})",
         "'score ' || s.__jk_score_text || ' is not a whole number (survey ''' || sv.name || ''' is a ' "
         "|| upper(sv.kind) || ' scale)'", m("score")),
    ]
    join = "LEFT JOIN survey_map sv ON sv.name = s.__jk_survey"
    outputs = (
        f"{_common_outputs(file_index, seq_base)}, v.__jk_survey AS survey, v.__jk_sv_kind AS kind, "
        "TRY_CAST(v.__jk_score_text AS DOUBLE) AS score, v.__jk_comment AS comment, "
        "COALESCE(v.__jk_given_touchpoint, v.__jk_sv_touchpoint) AS touchpoint, "
        + _content_hash(["v.__jk_survey", "COALESCE(v.__jk_score_text, '')", "COALESCE(v.__jk_comment, '')"])
    )
    joined = "sv.kind AS __jk_sv_kind, sv.touchpoint AS __jk_sv_touchpoint"
    return _staged(fields, checks, join, joined, outputs, columns)
