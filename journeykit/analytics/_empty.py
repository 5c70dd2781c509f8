"""Why a filtered selection of events is empty, in words for error messages."""

from __future__ import annotations

import ibis.expr.types as ir

from journeykit.engine import Engine, Filters
from journeykit.engine.expr import attribute_keys


def why_no_events(engine: Engine, raw: ir.Table, filters: Filters) -> str:
    """The reason ``filters.apply(raw)`` has no rows: no events at all, a segment attribute that does not
    exist (with the attributes that do), or no event matching the filters."""
    if int(engine.execute(raw.count())) == 0:
        return "the workspace holds no events (ingest some with 'journeykit ingest')"
    for key in filters.segment:
        if not bool(engine.execute(raw.attributes.contains(key).any())):
            known = ", ".join(engine.execute(attribute_keys(raw))["key"]) or "none"
            return f"the segment attribute '{key}' does not exist in the events (attributes: {known})"
    return f"no events match the filters ({filters.describe()})"
