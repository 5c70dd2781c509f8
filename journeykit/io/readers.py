"""Streaming readers of raw input files: CSV, Parquet, JSON lines, XES (plain or .gz).

Every reader yields :class:`RawChunk` objects: an Arrow table of the file's columns plus a 1-based
``row_number`` per row (the data row, header excluded; for JSON lines the line number; for XES the
event's position in the file), and the rows that could not even be parsed into columns (``bad_rows``:
row number, raw text, reason).  Readers never interpret values; validation happens in
:mod:`journeykit.io.validate`.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from journeykit.errors import InputError

ROW_NUMBER = "__row"
DEFAULT_CHUNK_ROWS = 200_000


@dataclass
class BadRow:
    """An input row that could not be split into columns."""

    row_number: int
    raw: str
    reason: str


@dataclass
class RawChunk:
    """A block of input rows.

    Attributes
    ----------
    table : pyarrow.Table
        The rows; column ``__row`` holds each row's 1-based number in the file.
    bad_rows : list of BadRow
        Rows of this block that could not be parsed at all.
    bytes_read : int
        Position reached in the (compressed) file, for progress bars.
    """

    table: pa.Table
    bad_rows: list[BadRow] = field(default_factory=list)
    bytes_read: int = 0


def file_format(path: Path) -> str:
    """The input format by extension: csv, parquet, jsonl or xes (``.gz`` allowed for text formats)."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for ext, fmt in ((".csv", "csv"), (".tsv", "csv"), (".parquet", "parquet"), (".pq", "parquet"),
                     (".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "jsonl"), (".xes", "xes")):
        if name.endswith(ext):
            return fmt
    raise InputError(str(path), "unknown file type (expected .csv, .tsv, .parquet, .jsonl/.json, .xes or .xes.gz)")


def read_chunks(path: str | Path, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[RawChunk]:
    """Stream a file as :class:`RawChunk` blocks of at most about ``chunk_rows`` rows."""
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), "file not found")
    fmt = file_format(path)
    reader = {"csv": _csv_chunks, "parquet": _parquet_chunks, "jsonl": _jsonl_chunks, "xes": _xes_chunks}[fmt]
    try:
        yield from reader(path, chunk_rows)
    except (UnicodeDecodeError, pa.ArrowInvalid) as exc:
        if isinstance(exc, pa.ArrowInvalid) and "UTF8" not in str(exc).upper().replace("-", ""):
            raise
        line = _first_non_utf8_line(path)
        rows = {None: "the file is", 1: "line 1 (the header) is"}
        where = rows.get(line, f"line {line} (data row {(line or 0) - 1}) is")
        raise InputError(
            str(path), f"{where} not UTF-8 text; save the file as UTF-8 (in Excel: 'CSV UTF-8')"
        ) from None


def _first_non_utf8_line(path: Path) -> int | None:
    """1-based number of the first line that is not valid UTF-8 (the header is line 1)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as fh:
        for number, line in enumerate(fh, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def _with_rows(table: pa.Table, rows: list[int] | range) -> pa.Table:
    return table.append_column(ROW_NUMBER, pa.array(rows, type=pa.int64()))


# --------------------------------------------------------------------------------------------- CSV
def _csv_chunks(path: Path, chunk_rows: int) -> Iterator[RawChunk]:
    delimiter = "\t" if path.name.lower().removesuffix(".gz").endswith(".tsv") else ","
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh, delimiter=delimiter), None)
    if not header:
        raise InputError(str(path), "empty file: expected a header row with column names")
    for dup in {h for h in header if header.count(h) > 1}:
        raise InputError(str(path), f"duplicate column name '{dup}' in the header", row=0)

    bad: list[BadRow] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        # pyarrow numbers physical lines from 1 including the header; data rows are numbered from 1
        number = (row.number - 1) if row.number is not None else -1
        bad.append(BadRow(number, row.text, f"row has {row.actual_columns} fields, expected {row.expected_columns}"))
        return "skip"

    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=16 << 20, use_threads=False),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={h: pa.string() for h in header}, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    raw_size = path.stat().st_size
    next_row = 1
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    pending_bad: list[BadRow] = []

    def flush() -> RawChunk:
        nonlocal next_row, pending, pending_rows, pending_bad
        table = pa.Table.from_batches(pending, schema=reader.schema)
        skip = {b.row_number for b in pending_bad}
        rows: list[int] = []
        r = next_row
        while len(rows) < table.num_rows:
            if r not in skip:
                rows.append(r)
            r += 1
        next_row = max([r] + [b + 1 for b in skip])
        chunk = RawChunk(_with_rows(table, rows), pending_bad, _position(reader, raw_size))
        pending, pending_rows, pending_bad = [], 0, []
        return chunk

    for batch in reader:
        pending.append(batch)
        pending_rows += batch.num_rows
        pending_bad.extend(bad)
        bad.clear()
        if pending_rows >= chunk_rows:
            yield flush()
    pending_bad.extend(bad)
    if pending or pending_bad:
        yield flush()


def _position(reader: pacsv.CSVStreamingReader, total: int) -> int:
    try:
        return min(reader.bytes_read, total)  # type: ignore[attr-defined]
    except AttributeError:
        return 0


# ----------------------------------------------------------------------------------------- Parquet
def _parquet_chunks(path: Path, chunk_rows: int) -> Iterator[RawChunk]:
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:
        raise InputError(str(path), f"not a readable Parquet file: {exc}") from None
    total = pf.metadata.num_rows or 1
    size = path.stat().st_size
    next_row = 1
    for batch in pf.iter_batches(batch_size=chunk_rows):
        table = pa.Table.from_batches([batch])
        rows = range(next_row, next_row + table.num_rows)
        next_row += table.num_rows
        yield RawChunk(_with_rows(table, rows), [], int(size * min(1.0, (next_row - 1) / total)))


# -------------------------------------------------------------------------------------- JSON lines
def _jsonl_chunks(path: Path, chunk_rows: int) -> Iterator[RawChunk]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    records: list[dict[str, str | None]] = []
    rows: list[int] = []
    bad: list[BadRow] = []
    with opener(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            text = line.strip()
            if not text:
                continue
            try:
                obj = json.loads(text)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                bad.append(BadRow(number, text.decode("utf-8", "replace"), f"invalid JSON: {exc}"))
                continue
            if not isinstance(obj, dict):
                bad.append(BadRow(number, text.decode("utf-8", "replace"), "expected a JSON object per line"))
                continue
            records.append({k: _scalar_text(v) for k, v in obj.items()})
            rows.append(number)
            if len(records) >= chunk_rows:
                yield RawChunk(_records_table(records, rows), bad, fh.tell())
                records, rows, bad = [], [], []
        if records or bad:
            yield RawChunk(_records_table(records, rows), bad, fh.tell())


def _scalar_text(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v) if isinstance(v, float) else str(v)
    return json.dumps(v, ensure_ascii=False)


def _records_table(records: list[dict[str, str | None]], rows: list[int]) -> pa.Table:
    names = dict.fromkeys(k for r in records for k in r)
    cols = {n: pa.array([r.get(n) for r in records], type=pa.string()) for n in names}
    cols[ROW_NUMBER] = pa.array(rows, type=pa.int64())
    return pa.table(cols)


# --------------------------------------------------------------------------------------------- XES
def _xes_chunks(path: Path, chunk_rows: int) -> Iterator[RawChunk]:
    from journeykit.io.xes import iter_xes_events

    records: list[dict[str, str | None]] = []
    rows: list[int] = []
    for number, record in enumerate(iter_xes_events(path), start=1):
        records.append(record)
        rows.append(number)
        if len(records) >= chunk_rows:
            yield RawChunk(_records_table(records, rows), [], 0)
            records, rows = [], []
    if records:
        yield RawChunk(_records_table(records, rows), [], 0)
