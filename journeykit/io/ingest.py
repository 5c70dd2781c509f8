"""Ingest input files into a workspace's ``events`` or ``responses`` table.

Guarantees
----------
- **Accounting**: every input row is either accepted (new, or already present) or stored in ``rejects``
  with its file, row number, raw content, column and reason; ``rows_read = accepted + rejected``.
- **Atomicity**: one ingest is one DuckDB transaction: an error, or the process being killed, leaves the
  workspace exactly as it was.  Rows are staged in a table created inside the transaction, so large
  files are written to the database file instead of being held in memory.
- **Idempotence**: the event id is the given id column or a content hash plus the occurrence number of
  that content within its file, so ingesting the same file again adds nothing.
- **Order**: ``seq`` continues the workspace's sequence in input order (file by file, row by row).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from journeykit.engine import schema
from journeykit.engine.customer_rank import rank_events
from journeykit.errors import InputError, WorkspaceError
from journeykit.io.mapping import Mapping, resolve_mapping
from journeykit.io.readers import DEFAULT_CHUNK_ROWS, ROW_NUMBER, RawChunk, read_chunks
from journeykit.io.validate import TimestampRule, events_select, lit, q, responses_select
from journeykit.model import JourneyModel
from journeykit.options import INGEST_MEMORY_LIMIT
from journeykit.workspace import Workspace

ProgressCallback = Callable[[int, Path, int, int, int], None]
"""``(file index, path, bytes read, file size, rows read so far)``."""

_STAGE = "_jk_stage"


@dataclass
class IngestReport:
    """Counts of one ingest: ``rows_read == accepted + rejected`` (``accepted`` includes ``duplicates``)."""

    ingest_id: int
    target: str
    files: list[str]
    rows_read: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    #: ``(reason with its values masked, rows, the first such row: "file row N: full reason")``
    rejects_by_reason: list[tuple[str, int, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def new(self) -> int:
        """Rows added to the table (accepted minus those already present)."""
        return self.accepted - self.duplicates

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.accepted + self.rejected


@dataclass(frozen=True)
class IngestOptions:
    """How to read the input (see ``journeykit ingest --help``)."""

    target: str = "events"
    mapping: dict[str, str] = field(default_factory=dict)
    strict: bool = False
    timezone: str = "UTC"
    timestamp_format: str | None = None
    survey: str | None = None
    chunk_rows: int = DEFAULT_CHUNK_ROWS
    #: DuckDB memory limit while ingesting (spilling to disk beyond it); 10M rows fit in the default
    memory_limit: str = INGEST_MEMORY_LIMIT


def ingest_files(
    ws: Workspace,
    paths: Sequence[str | Path],
    options: IngestOptions | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """Ingest ``paths`` into ``ws`` in one transaction; see the module docstring for the guarantees."""
    opts = options or IngestOptions()
    if opts.target not in ("events", "responses"):
        raise InputError("--target", f"unknown target '{opts.target}' (expected events or responses)")
    paths = [Path(p) for p in paths]
    for p in paths:
        if not p.exists():
            raise InputError(str(p), "file not found")
    if opts.survey is not None and opts.survey not in ws.model.survey_by_name:
        raise InputError("--survey", f"unknown survey '{opts.survey}' (expected one of {sorted(ws.model.survey_by_name)})")
    con = ws.engine.backend.con
    _check_timezone(con, opts.timezone)
    _check_timestamp_format(con, opts.timestamp_format)
    started = time.perf_counter()
    with _ingest_settings(con, opts.memory_limit):
        con.execute("BEGIN TRANSACTION")
        report: IngestReport | None = None
        try:
            ingest_id = con.execute("SELECT COALESCE(MAX(ingest_id), 0) + 1 FROM ingests").fetchone()[0]
            report = IngestReport(ingest_id, opts.target, [str(p) for p in paths])
            _Stager(con, ws.model, opts, report, on_progress).run(paths)
            _finish(con, opts.target, report)
            con.execute("COMMIT")
        except BaseException as exc:
            con.execute("ROLLBACK")
            con.execute("SET TimeZone = 'UTC'")
            if isinstance(exc, duckdb.OutOfMemoryException):
                raise WorkspaceError(
                    f"{', '.join(str(p) for p in paths)}: the ingest of {report.rows_read if report else 0:,} rows "
                    f"ran out of its {opts.memory_limit} memory limit; nothing was stored. Raise it "
                    "(--memory-limit 4GB) or ingest the files in smaller parts"
                ) from None
            raise
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _ingest_settings(con: duckdb.DuckDBPyConnection, memory_limit: str) -> Iterator[None]:
    """Bounded memory and no insertion-order bookkeeping while ingesting; DuckDB's defaults again after.

    DuckDB settings apply to the whole database instance, so a server that ingests an upload must get its
    reads' settings back (journeykit sets these two nowhere else; ``current_setting`` rounds the memory
    limit, so it is reset rather than restored).  Spills go to DuckDB's default temporary directory next to
    the database file (``journeykit.duckdb.tmp`` in the workspace), which cannot be switched once used.
    """
    try:
        con.execute(f"SET memory_limit = {lit(memory_limit)}")
    except duckdb.Error:
        raise InputError("--memory-limit", f"{memory_limit!r} is not a memory size (e.g. 768MB, 4GB)") from None
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute("RESET memory_limit")
        con.execute("RESET preserve_insertion_order")


def _check_timezone(con, tz: str) -> None:
    try:
        con.execute(f"SET TimeZone = {lit(tz)}")
    except duckdb.Error:
        raise InputError("--timezone", f"unknown time zone '{tz}' (expected an IANA name such as Europe/Rome)") from None
    finally:
        con.execute("SET TimeZone = 'UTC'")


def _check_timestamp_format(con, fmt: str | None) -> None:
    if fmt is None or fmt in ("epoch", "epoch_ms"):
        return
    try:
        con.execute("SELECT try_strptime('2000-01-01', ?)", [fmt])
    except duckdb.Error as exc:
        detail = str(exc).split(": ", 1)[-1].split(":")[0]
        raise InputError(
            "--timestamp-format",
            f"'{fmt}' is not a strptime format ({detail}); e.g. '%d/%m/%Y %H:%M', or epoch / epoch_ms",
        ) from None


class _Stager:
    """Reads every file chunk by chunk and appends validated rows to the staging table."""

    def __init__(self, con, model: JourneyModel, opts: IngestOptions, report: IngestReport,
                 on_progress: ProgressCallback | None):
        self.con, self.model, self.opts, self.report, self.on_progress = con, model, opts, report, on_progress
        self.rule = TimestampRule(opts.timestamp_format)
        self.staged = False
        self.seq_base = con.execute(f"SELECT COALESCE(MAX(seq), 0) FROM {opts.target}").fetchone()[0]
        self.file_offset = 0  # rows read from the files before the current one
        con.execute(f"DROP TABLE IF EXISTS {_STAGE}")
        con.execute("CREATE TEMP TABLE _jk_files (file_index INTEGER, source VARCHAR, path VARCHAR)")
        if opts.target == "responses":
            self._register_surveys()

    def run(self, paths: list[Path]) -> None:
        for index, path in enumerate(paths):
            self.con.execute(f"INSERT INTO _jk_files VALUES ({index}, {lit(path.name)}, {lit(str(path))})")
            size = path.stat().st_size
            for chunk in read_chunks(path, self.opts.chunk_rows):
                self._stage_chunk(index, path, chunk)
                if self.on_progress:
                    self.on_progress(index, path, chunk.bytes_read or size, size, self.report.rows_read)
            if self.on_progress:
                self.on_progress(index, path, size, size, self.report.rows_read)
            self.file_offset = self.report.rows_read

    def _stage_chunk(self, index: int, path: Path, chunk: RawChunk) -> None:
        self.report.rows_read += chunk.table.num_rows + len(chunk.bad_rows)
        if chunk.bad_rows:
            rows = pa.table({
                "ingest_id": [self.report.ingest_id] * len(chunk.bad_rows),
                "file": [str(path)] * len(chunk.bad_rows),
                "row_number": [b.row_number for b in chunk.bad_rows],
                "raw": [b.raw for b in chunk.bad_rows],
                "column": pa.nulls(len(chunk.bad_rows), pa.string()),
                "reason": [b.reason for b in chunk.bad_rows],
            })
            self.con.register("_jk_bad", rows)
            self.con.execute("INSERT INTO rejects SELECT * FROM _jk_bad")
            self.con.unregister("_jk_bad")
        if chunk.table.num_rows == 0:
            return
        columns = [c for c in chunk.table.column_names if c != ROW_NUMBER]
        constants = frozenset({"survey"}) if self.opts.survey else frozenset()
        maps = frozenset(f.name for f in chunk.table.schema if pa.types.is_map(f.type))
        mapping = resolve_mapping(str(path), columns, self.opts.target, self.opts.mapping, constants, maps)
        self.con.register("chunk", chunk.table)
        self.con.execute(f"SET TimeZone = {lit(self.opts.timezone)}")
        seq_base = self.seq_base + self.file_offset
        if self.opts.target == "events":
            self._register_touchpoints(mapping)
            select = events_select(mapping, columns, index, seq_base, self.rule, self.opts.strict)
        else:
            select = responses_select(mapping, columns, index, seq_base, self.rule, self.opts.survey)
        verb = f"INSERT INTO {_STAGE} " if self.staged else f"CREATE TEMP TABLE {_STAGE} AS "
        self.con.execute(verb + select)
        self.staged = True
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.unregister("chunk")

    def _register_touchpoints(self, mapping: Mapping) -> None:
        by_touchpoint = mapping.column("touchpoint") is not None
        col = mapping.column("touchpoint") or mapping.column("event")
        keys = [r[0] for r in self.con.execute(
            f"SELECT DISTINCT NULLIF(TRIM(CAST({q(col)} AS VARCHAR)), '') FROM chunk").fetchall() if r[0] is not None]
        rows = []
        for key in keys:
            tp = key if by_touchpoint else self.model.touchpoint_of(key)
            t = self.model.touchpoint_by_name.get(tp) if tp else None
            rows.append((key, t.name if t else None, t.stage if t else None, t.channel if t else None))
        table = pa.table(
            {name: pa.array([r[i] for r in rows], type=pa.string())
             for i, name in enumerate(("key", "touchpoint", "stage", "channel"))}
        )
        self.con.register("tp_map", table)

    def _register_surveys(self) -> None:
        surveys = self.model.surveys
        table = pa.table({
            "name": pa.array([s.name for s in surveys], type=pa.string()),
            "kind": pa.array([s.kind for s in surveys], type=pa.string()),
            "low": pa.array([float(s.scale[0]) for s in surveys], type=pa.float64()),
            "high": pa.array([float(s.scale[1]) for s in surveys], type=pa.float64()),
            "touchpoint": pa.array([s.touchpoint for s in surveys], type=pa.string()),
        })
        self.con.register("survey_map", table)


def _select_list(target: str, report: IngestReport) -> str:
    """The canonical columns of ``target`` in order, as read from the staged rows ``n`` and files ``f``."""
    special = {"source": "f.source", "ingest_id": str(report.ingest_id), "event_id": "k.event_id",
               "response_id": "k.response_id"}
    return ", ".join(special.get(name, f"n.{name}") for name in schema.TABLES[target].names)


def _finish(con, target: str, report: IngestReport) -> None:
    """Move staged rows to ``rejects`` and the target table; record the ingest."""
    if con.execute(f"SELECT COUNT(*) FROM duckdb_columns() WHERE table_name = '{_STAGE}' "
                   "AND column_name = 'row_number'").fetchone()[0]:
        con.execute(f"""
            INSERT INTO rejects
            SELECT {report.ingest_id}, f.path, s.row_number, s.raw, s."column", s.reason
            FROM {_STAGE} s JOIN _jk_files f USING (file_index)
            WHERE s.reason IS NOT NULL""")
        id_col = "event_id" if target == "events" else "response_id"
        report.accepted = con.execute(f"SELECT COUNT(*) FROM {_STAGE} WHERE reason IS NULL").fetchone()[0]
        # ids on a narrow projection: the given id, or the content hash + occurrence number within the file
        con.execute(f"""
            CREATE TEMP TABLE _jk_ids AS
            SELECT file_index, row_number, COALESCE(given_id, content_hash || '-' || CAST(
                     row_number() OVER (PARTITION BY file_index, content_hash ORDER BY row_number) - 1 AS VARCHAR))
                   AS id
            FROM {_STAGE} WHERE reason IS NULL""")
        columns = ", ".join(schema.TABLES[target].names)
        inserted = con.execute(f"""
            INSERT INTO {target} ({columns})
            SELECT {_select_list(target, report)}
            FROM {_STAGE} n
            JOIN (SELECT file_index, row_number, id AS {id_col} FROM _jk_ids i
                  WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE t.{id_col} = i.id)
                  QUALIFY row_number() OVER (PARTITION BY id ORDER BY file_index, row_number) = 1) k
              USING (file_index, row_number)
            JOIN _jk_files f USING (file_index)""").fetchone()[0]
        con.execute("DROP TABLE _jk_ids")
        report.duplicates = report.accepted - inserted
        if target == schema.EVENTS and inserted:
            rank_events(con)
    report.rejected = con.execute(
        f"SELECT COUNT(*) FROM rejects WHERE ingest_id = {report.ingest_id}").fetchone()[0]
    report.rejects_by_reason = [
        (r[0], r[1], r[2]) for r in con.execute(
            f"""SELECT regexp_replace(reason, '''[^'']*''', '''…''', 'g') AS r, COUNT(*) AS n,
                       arg_min(file || ' row ' || row_number || ': ' || reason, row_number) AS first
                FROM rejects WHERE ingest_id = {report.ingest_id} GROUP BY r ORDER BY n DESC, r""").fetchall()
    ]
    con.execute(
        "INSERT INTO ingests VALUES (?, now(), ?, ?, ?, ?, ?, ?)",
        [report.ingest_id, "; ".join(report.files), target, report.rows_read, report.accepted,
         report.duplicates, report.rejected],
    )
    con.execute(f"DROP TABLE IF EXISTS {_STAGE}")
    con.execute("DROP TABLE IF EXISTS _jk_files")
