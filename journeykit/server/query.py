"""Query parameters shared by every analysis: filters and output format."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from journeykit.engine import Filters

Format = Literal["json", "csv", "parquet"]

_COMMON = ("start", "end", "segment", "channel", "format")


class AnalysisQuery(BaseModel):
    """Filters (``start``, ``end``, ``segment``, ``channel``) and ``format``; subclasses add the options.

    Unknown parameters are refused (HTTP 422) rather than silently ignored.
    """

    model_config = ConfigDict(extra="forbid")

    start: datetime | None = Field(None, description="Keep events at or after this time (ISO 8601; naive = UTC).")
    end: datetime | None = Field(None, description="Keep events before this time (ISO 8601; naive = UTC).")
    segment: list[Annotated[str, Field(pattern=r"^[^=]+=.*$")]] = Field(
        default_factory=list, description="Segment filter 'attribute=value'; repeat it for more attributes or values."
    )
    channel: list[str] = Field(default_factory=list, description="Keep only these channels (repeatable).")
    format: Format = Field("json", description="json (default), csv or parquet (the result table).")

    def filters(self) -> Filters:
        segment: dict[str, list[str]] = {}
        for item in self.segment:
            key, _, value = item.partition("=")
            segment.setdefault(key, []).append(value)
        return Filters(start=self.start, end=self.end, segment=segment, channel=self.channel or None)

    def key(self) -> str:
        """What the result depends on (everything but the output format), as canonical JSON."""
        return self.model_dump_json(exclude={"format"})

    def options(self) -> dict[str, Any]:
        """The analysis-specific keyword arguments."""
        return self.model_dump(exclude=set(_COMMON))
