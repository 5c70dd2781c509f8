"""Benchmark reference sets: published or own KPI values with their source, year, unit and percentiles.

A reference set is a YAML file (``name``, ``version``, ``rows: [...]``) or a CSV with one row per figure and
the same columns.  Each row names a KPI of :data:`~journeykit.insight.benchmark.kpis.KPIS`, its unit
(required: an ACSI index is not a CSAT percentage), a value and/or percentiles ``p25 ≤ median ≤ p75`` with
``best`` beyond the better end and ``worst`` beyond the other, and its evidence (source, URL, year).
Values are converted to the KPI's canonical unit on load.  ``version`` freezes the set: an index is
comparable over time only when computed against the same version, and every result records the version
and a fingerprint of the rows.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from journeykit.errors import JourneykitError
from journeykit.insight.benchmark.kpis import KPIS

#: The reference set shipped with journeykit.
DEFAULT_REFERENCE = Path(__file__).resolve().parents[1] / "references" / "default.yaml"
PERCENTILES = ("worst", "p25", "median", "p75", "best")


class BenchmarkReferenceError(JourneykitError):
    """An invalid benchmark reference file: the file and, per problem, the key path and what was expected."""

    #: Problems spelled out in the message (all of them stay in ``problems``).
    SHOWN = 8

    def __init__(self, file: str, problems: list[tuple[str, str]]):
        self.file, self.problems = file, problems
        detail = "; ".join(f"{p}: {m}" for p, m in problems[: self.SHOWN])
        more = f"; … and {len(problems) - self.SHOWN} more" if len(problems) > self.SHOWN else ""
        super().__init__(f"{file}: invalid benchmark reference: {detail}{more}")


class ReferenceRow(BaseModel):
    """One benchmark figure (values in the KPI's canonical unit after loading)."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    kpi: str
    unit: str = Field(min_length=1)
    value: float | None = None
    p25: float | None = None
    median: float | None = None
    p75: float | None = None
    best: float | None = None
    worst: float | None = None
    scale: str | None = None
    stage: str | None = None
    industry: str = ""
    segment: str = ""
    region: str = ""
    year: str = Field(min_length=1)
    statistic: str = ""
    source: str = Field(min_length=1)
    url: str = ""
    evidence: str = ""
    notes: str = ""

    @model_validator(mode="after")
    def _check(self) -> "ReferenceRow":
        kpi = KPIS.get(self.kpi)
        if kpi is None:
            raise ValueError(f"kpi: unknown KPI '{self.kpi}' (expected one of {sorted(KPIS)})")
        factor = kpi.factor(self.unit)
        if factor is None:
            accepted = [kpi.unit, *kpi.units]
            raise ValueError(f"unit: '{self.unit}' is not a unit of {self.kpi} (expected one of {accepted})")
        numbers = {k: getattr(self, k) for k in ("value", *PERCENTILES) if getattr(self, k) is not None}
        if not numbers:
            raise ValueError("value: a value or at least one percentile is required")
        if self.kpi == "ces" and not self.scale:
            raise ValueError("scale: a CES figure needs its scale (e.g. '1-7'): CES is used on 1-5 and 1-7")
        if self.kpi == "conversion" and not self.stage:
            raise ValueError("stage: a conversion figure needs the stage it measures (customers reaching it)")
        converted = {k: v * factor for k, v in numbers.items()}
        for k, v in converted.items():
            if not kpi.low <= v <= kpi.high:
                raise ValueError(
                    f"{k}: {v:g} {kpi.unit} is outside the range of {self.kpi} [{kpi.low:g}, {kpi.high:g}]"
                )
        _check_order(converted, kpi.higher_is_better)
        for k, v in converted.items():
            object.__setattr__(self, k, v)
        object.__setattr__(self, "unit", kpi.unit)
        return self


def _check_order(values: dict[str, float], higher_is_better: bool) -> None:
    """Percentiles ascend numerically; ``best`` lies beyond the better end, ``worst`` beyond the other."""
    order = ["p25", "median", "p75"]
    ends = ("worst", "best") if higher_is_better else ("best", "worst")
    chain = [k for k in [ends[0], *order, ends[1]] if k in values]
    for a, b in zip(chain, chain[1:]):
        if values[a] > values[b]:
            raise ValueError(
                f"{b}: percentiles out of order: {a} = {values[a]:g} > {b} = {values[b]:g} "
                f"(expected {' <= '.join(chain)} for a "
                f"{'higher' if higher_is_better else 'lower'}-is-better KPI)"
            )


class ReferenceSet(BaseModel):
    """A named, versioned set of benchmark figures."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "benchmark reference"
    version: str = Field(min_length=1)
    description: str = ""
    rows: list[ReferenceRow] = Field(min_length=1)

    def fingerprint(self) -> str:
        """First 12 hex digits of the SHA-256 of the rows: the frozen identity of this version."""
        payload = json.dumps([r.model_dump() for r in self.rows], sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    def for_kpi(self, kpi: str, stage: str | None = None, industry: str | None = None) -> list[ReferenceRow]:
        """Rows of a KPI (of a stage for ``conversion``), optionally of one industry (case-insensitive
        substring)."""
        return [
            r for r in self.rows
            if r.kpi == kpi and (stage is None or r.stage == stage)
            and (industry is None or industry.lower() in r.industry.lower())
        ]

    def combine(self, other: "ReferenceSet") -> "ReferenceSet":
        """This set plus the rows of ``other`` (users add competitors and leaders to the default set)."""
        return ReferenceSet(
            name=f"{self.name} + {other.name}", version=f"{self.version}+{other.version}",
            description=self.description, rows=[*self.rows, *other.rows],
        )


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "(top level)"


def parse_reference(data: Any, file: str = "<reference>") -> ReferenceSet:
    """Validate parsed data as a :class:`ReferenceSet`.

    Raises
    ------
    BenchmarkReferenceError
        With the file and the key path of every problem (``rows[3].unit: ...``).
    """
    if not isinstance(data, dict):
        found = type(data).__name__
        problem = f"expected a mapping with version and rows, got {found}"
        raise BenchmarkReferenceError(file, [("(top level)", problem)])
    try:
        return ReferenceSet.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            path = _key_path(err["loc"])
            field, sep, rest = msg.partition(": ")
            if sep and field in ReferenceRow.model_fields:  # row-level checks name their field
                path, msg = f"{path}.{field}", rest
            problems.append((path, msg))
        raise BenchmarkReferenceError(file, problems) from None


def _check_csv_header(path: Path, text: str) -> None:
    """Raise once for the whole file when its columns are not a reference's (rather than once per row)."""
    header = next(csv.reader(text.splitlines()), [])
    fields = ReferenceRow.model_fields
    required = [name for name, f in fields.items() if f.is_required()]
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in fields]
    if missing or unknown:
        parts = [f"missing {', '.join(missing)}"] if missing else []
        parts += [f"unknown {', '.join(unknown)}"] if unknown else []
        expected = f"expected columns: {', '.join(fields)} (required: {', '.join(required)})"
        raise BenchmarkReferenceError(str(path), [("(columns)", f"{'; '.join(parts)}; {expected}")])


def _csv_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [{k: v for k, v in row.items() if v not in ("", None)} for row in rows]


def load_reference(path: str | Path | None = None) -> ReferenceSet:
    """Load a reference set from YAML or CSV (default: the set shipped with journeykit).

    A CSV holds the rows only; its name is the file name and its version the file's SHA-256 prefix.

    Raises
    ------
    BenchmarkReferenceError
        Unreadable file, invalid YAML, unknown KPIs, missing units, percentiles out of order, ...
    """
    path = Path(path) if path is not None else DEFAULT_REFERENCE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BenchmarkReferenceError(str(path), [("(file)", f"cannot read: {exc.strerror}")]) from None
    if path.suffix.lower() == ".csv":
        _check_csv_header(path, text)
        data = {
            "name": path.stem, "version": hashlib.sha256(text.encode()).hexdigest()[:12],
            "rows": _csv_rows(path),
        }
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", exc)
            raise BenchmarkReferenceError(str(path), [("(yaml)", f"not valid YAML: {problem}")]) from None
    return parse_reference(data, str(path))
