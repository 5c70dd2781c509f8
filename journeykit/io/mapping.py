"""Which input column feeds which canonical field (``--map customer=cust_id,timestamp=ts,...``)."""

from __future__ import annotations

from dataclasses import dataclass

from journeykit.errors import InputError

#: Canonical fields of each target table, with the input column names tried when none is given.
CANDIDATES: dict[str, dict[str, tuple[str, ...]]] = {
    "events": {
        "customer": ("customer_id", "customer", "cust_id", "user_id", "client_id", "case:customer"),
        "case": ("case_id", "case:concept:name", "ticket_id", "order_id"),
        "timestamp": ("timestamp", "time:timestamp", "event_time", "ts", "time", "datetime", "date"),
        "event": ("event", "event_name", "concept:name", "activity", "action"),
        "value": ("value", "revenue", "amount"),
        "event_id": ("event_id",),
        "touchpoint": (),
        "channel": ("channel",),
    },
    "responses": {
        "customer": ("customer_id", "customer", "cust_id", "user_id", "client_id"),
        "case": ("case_id", "ticket_id", "order_id"),
        "timestamp": ("timestamp", "response_time", "ts", "time", "datetime", "date"),
        "survey": ("survey", "survey_name", "question"),
        "score": ("score", "rating", "answer"),
        "comment": ("comment", "comments", "text", "verbatim"),
        "touchpoint": ("touchpoint",),
        "response_id": ("response_id",),
    },
}

REQUIRED = {"events": ("customer", "timestamp", "event"), "responses": ("customer", "timestamp", "score")}

#: A map column of this name holds free attributes (as a workspace stores and exports them): its entries
#: become attributes themselves instead of one attribute holding the whole map as text.
ATTRIBUTE_MAP = "attributes"
#: Columns a workspace sets itself.  A file exported from a workspace (it has them all and an
#: ``attributes`` map) carries them; they are not read back as free attributes: the sequence number,
#: source and ingest id are those of the new ingest, touchpoints and stages (events) and survey kinds
#: (responses) come from the journey model.
MANAGED: dict[str, tuple[str, ...]] = {
    "events": ("seq", "touchpoint", "stage", "source", "ingest_id"),
    "responses": ("seq", "kind", "source", "ingest_id"),
}


def parse_map_option(text: str | None) -> dict[str, str]:
    """Parse ``"customer=cust_id,timestamp=ts"`` into ``{"customer": "cust_id", ...}``."""
    out: dict[str, str] = {}
    if not text:
        return out
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise InputError("--map", f"'{part}' is not FIELD=COLUMN")
        key, col = (s.strip() for s in part.split("=", 1))
        out[key] = col
    return out


@dataclass(frozen=True)
class Mapping:
    """Resolved mapping: canonical field -> input column (or ``None``) and the free attribute columns."""

    fields: dict[str, str | None]
    attributes: tuple[str, ...]
    #: Map columns whose entries are merged into the free attributes (``ATTRIBUTE_MAP``).
    attribute_maps: tuple[str, ...] = ()
    #: Columns of a workspace export that are set again by this ingest and not read (``MANAGED``).
    managed: tuple[str, ...] = ()

    def column(self, field: str) -> str | None:
        return self.fields.get(field)


def resolve_mapping(
    file: str,
    columns: list[str],
    target: str,
    user: dict[str, str],
    constants: frozenset[str] = frozenset(),
    map_columns: frozenset[str] = frozenset(),
) -> Mapping:
    """Match input columns to the canonical fields of ``target`` (``events`` or ``responses``).

    A field named in ``user`` must exist in ``columns``; otherwise the first candidate name present is
    used.  Required fields that stay unmapped (and are not given as a constant) raise
    :class:`InputError` naming the file, the field and the columns found.  ``map_columns`` names the
    columns of a map type: an ``attributes`` map is merged into the free attributes, and when the file is
    a workspace export (the ``attributes`` map and every ``MANAGED`` column) the managed columns are set
    again by this ingest rather than read.
    """
    known = CANDIDATES[target]
    for key in user:
        if key not in known:
            raise InputError(file, f"--map: unknown field '{key}' (expected one of {sorted(known)})")
    fields: dict[str, str | None] = {}
    for key, candidates in known.items():
        if key in user:
            if user[key] not in columns:
                raise InputError(file, f"--map {key}={user[key]}: no such column (columns: {', '.join(columns)})")
            fields[key] = user[key]
        else:
            fields[key] = next((c for c in candidates if c in columns), None)
    for key in REQUIRED[target]:
        if fields[key] is None and key not in constants:
            raise InputError(
                file,
                f"no column for the required field '{key}': name one with --map {key}=COLUMN "
                f"(columns: {', '.join(columns)})",
            )
    used = {c for c in fields.values() if c is not None}
    maps = (ATTRIBUTE_MAP,) if ATTRIBUTE_MAP in map_columns and ATTRIBUTE_MAP not in used else ()
    exported = bool(maps) and set(MANAGED[target]) <= set(columns)
    managed = tuple(c for c in MANAGED[target] if c not in used) if exported else ()
    skipped = used | set(maps) | set(managed)
    return Mapping(fields, tuple(c for c in columns if c not in skipped), maps, managed)
