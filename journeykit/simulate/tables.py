"""Arrow record batches from a generated :class:`~journeykit.simulate.generate.Block`.

Two forms:

* **flat** -- what a real export looks like and what ``journeykit ingest`` reads: ``event_id``,
  ``customer_id``, ``case_id``, ``timestamp``, ``event`` (raw name), ``value``, one column per customer
  attribute, ``channel`` (the real contact channel) and ``cycle`` (the purchase cycle, 0-based: ground
  truth for validation); responses: ``response_id``, ``customer_id``, ``case_id``, ``timestamp``,
  ``survey``, ``score``, ``comment`` and the customer attributes.
* **canonical** -- the workspace schemas :data:`~journeykit.engine.schema.EVENTS_SCHEMA` and
  :data:`~journeykit.engine.schema.RESPONSES_SCHEMA`, as ingest would store the flat form: touchpoint,
  stage from the model, the other columns except ``channel`` in ``attributes``, ``seq`` the global generation
  order, ``source`` naming the simulation, ``ingest_id`` NULL (nothing was ingested).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from journeykit.engine import schema
from journeykit.simulate.generate import COMMENT_TEXTS, Block
from journeykit.simulate.plan import Plan

_COMMENTS = pa.array(COMMENT_TEXTS, type=pa.string())


def _strings(values: list[str], index: np.ndarray) -> pa.Array:
    return pa.array(values, type=pa.string()).take(pa.array(index))


def _customer_numbers(block: Block) -> pa.Array:
    """Zero-padded customer numbers of the block's customers (``00000001`` for customer index 0)."""
    numbers = np.arange(block.first + 1, block.first + 1 + len(block.attributes))
    return pc.utf8_lpad(pa.array(numbers).cast(pa.string()), 8, "0")


def _timestamps(plan: Plan, seconds: np.ndarray) -> pa.Array:
    micros = plan.start_us + np.round(seconds * 1e6).astype(np.int64)
    return pa.array(micros, type=pa.int64()).cast(schema.UTC_TIMESTAMP)


def _ids(block: Block, cols: dict[str, np.ndarray], plan: Plan) -> tuple[pa.Array, pa.Array]:
    """Customer ids (``C00000001``) and case ids (``O00000001-2``: prefix, customer number, case number)."""
    numbers = _customer_numbers(block).take(pa.array(cols["customer"] - block.first))
    kind = cols["case_kind"]
    has = kind >= 0
    prefixes = _strings(plan.case_prefixes or [""], np.where(has, kind, 0))
    case_no = pa.array(cols["case_no"], mask=~has).cast(pa.string())
    case_ids = pc.binary_join_element_wise(pc.binary_join_element_wise(prefixes, numbers, ""), case_no, "-")
    return pc.binary_join_element_wise("C", numbers, ""), case_ids


def _attribute_columns(plan: Plan, block: Block, customer: np.ndarray) -> dict[str, pa.Array]:
    rows = customer - block.first
    return {
        name: _strings(values, block.attributes[rows, i])
        for i, (name, values) in enumerate(zip(plan.attributes, plan.attribute_values))
    }


def flat_events(plan: Plan, block: Block) -> pa.RecordBatch:
    """The block's events in the flat (export) form."""
    ev = block.events
    customer_ids, case_ids = _ids(block, ev, plan)
    value = ev["value"]
    cols = {
        "event_id": pc.binary_join_element_wise(customer_ids, pa.array(ev["index"]).cast(pa.string()), "-"),
        "customer_id": customer_ids,
        "case_id": case_ids,
        "timestamp": _timestamps(plan, ev["time"]),
        "event": _strings(plan.event_names, ev["event"]),
        "value": pa.array(value, mask=np.isnan(value)),
        **_attribute_columns(plan, block, ev["customer"]),
        "channel": _strings(plan.channels, ev["channel"]),
        "cycle": pa.array(ev["cycle"]),
    }
    return pa.RecordBatch.from_pydict(cols)


def flat_responses(plan: Plan, block: Block) -> pa.RecordBatch:
    """The block's survey responses in the flat (export) form."""
    rs = block.responses
    customer_ids, case_ids = _ids(block, rs, plan)
    survey = _strings([s.name for s in plan.surveys] or [""], rs["survey"])
    event_key = pc.binary_join_element_wise(customer_ids, pa.array(rs["index"]).cast(pa.string()), "-")
    comment = rs["comment"]
    cols = {
        "response_id": pc.binary_join_element_wise(event_key, survey, "-"),
        "customer_id": customer_ids,
        "case_id": case_ids,
        "timestamp": _timestamps(plan, rs["time"]),
        "survey": survey,
        "score": pa.array(rs["score"]),
        "comment": _COMMENTS.take(pa.array(np.maximum(comment, 0), mask=comment < 0)),
        **_attribute_columns(plan, block, rs["customer"]),
    }
    return pa.RecordBatch.from_pydict(cols)


def _attribute_map(batch: pa.RecordBatch, names: list[str]) -> pa.Array:
    """``MAP(VARCHAR, VARCHAR)`` of the named columns, row by row."""
    n, m = batch.num_rows, len(names)
    columns = [batch.column(name).cast(pa.string()) for name in names]
    values = pa.concat_arrays(columns or [pa.array([], pa.string())])
    row_major = (np.arange(m)[None, :] * n + np.arange(n)[:, None]).ravel()
    keys = _strings(names or [""], np.tile(np.arange(m), n))
    offsets = pa.array(np.arange(n + 1, dtype=np.int32) * m)
    items = values.take(pa.array(row_major))
    return pa.MapArray.from_arrays(offsets, keys, items, type=schema.ATTRIBUTES_TYPE)


def canonical_events(
    plan: Plan, block: Block, flat: pa.RecordBatch, seq_start: int, source: str
) -> pa.RecordBatch:
    """The block's events in the canonical ``events`` schema (``flat`` is :func:`flat_events` of it)."""
    n = flat.num_rows
    tp = block.events["touchpoint"]
    cols = {
        "event_id": flat.column("event_id"),
        "customer_id": flat.column("customer_id"),
        "case_id": flat.column("case_id"),
        "timestamp": flat.column("timestamp"),
        "seq": pa.array(np.arange(seq_start, seq_start + n, dtype=np.int64)),
        "event": flat.column("event"),
        "touchpoint": _strings(plan.touchpoints, tp),
        "stage": _strings(plan.stages, tp),
        "channel": flat.column("channel"),
        "value": flat.column("value"),
        "attributes": _attribute_map(flat, [*plan.attributes, "cycle"]),
        "source": pa.repeat(pa.scalar(source, pa.string()), n),
        "ingest_id": pa.nulls(n, pa.int64()),
    }
    return pa.RecordBatch.from_pydict(cols, schema=schema.EVENTS_SCHEMA)


def canonical_responses(
    plan: Plan, block: Block, flat: pa.RecordBatch, seq_start: int, source: str
) -> pa.RecordBatch:
    """The block's responses in the canonical ``responses`` schema (``flat`` is :func:`flat_responses`)."""
    n = flat.num_rows
    survey = block.responses["survey"]
    cols = {
        "response_id": flat.column("response_id"),
        "customer_id": flat.column("customer_id"),
        "case_id": flat.column("case_id"),
        "timestamp": flat.column("timestamp"),
        "seq": pa.array(np.arange(seq_start, seq_start + n, dtype=np.int64)),
        "survey": flat.column("survey"),
        "kind": _strings([s.kind for s in plan.surveys] or [""], survey),
        "score": flat.column("score"),
        "comment": flat.column("comment"),
        "touchpoint": _strings([plan.touchpoints[s.touchpoint] for s in plan.surveys] or [""], survey),
        "attributes": _attribute_map(flat, plan.attributes),
        "source": pa.repeat(pa.scalar(source, pa.string()), n),
        "ingest_id": pa.nulls(n, pa.int64()),
    }
    return pa.RecordBatch.from_pydict(cols, schema=schema.RESPONSES_SCHEMA)
