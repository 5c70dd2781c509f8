"""XES (IEEE 1849-2016) event logs: a streaming reader (lxml ``iterparse``) and a writer.

Reading
-------
The reader yields one flat record per event: the event's attributes under their keys (``concept:name``,
``time:timestamp``, ``org:resource``, ...) and the enclosing trace's attributes prefixed ``case:``
(``case:concept:name`` is the case id), the convention of the process-mining tools.  Values stay text;
``list`` and ``container`` attributes become JSON text.  An event's ``identity:id`` (the XES Identity
extension) comes as ``event_id``, the ingest's id column, unless the event has an ``event_id``
attribute of its own.  Memory stays flat: each event element is released as soon as it has been read.
Trace attributes are expected before the trace's events (as every XES writer puts them); one that comes
after the events applies only to later events.

Logs written by :func:`journeykit.io.export.export_xes` declare the journeykit extension
(:data:`JOURNEYKIT_URI`).  Their records use the canonical column names instead: ``event_id``,
``customer_id``, ``case_id``, ``timestamp``, ``event``, ``value`` and ``channel`` are always present
(``None`` when the event has none), the free attributes keep their own keys, and ``touchpoint``,
``stage`` and ``source`` are left out because the ingest derives them again (from the journey model and
the file).  The ingest's mapping takes the canonical names before any other candidate column, so an
export ingests back to the same events whatever its free attributes are called.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import IO

from lxml import etree

from journeykit.errors import InputError

Record = dict[str, str | None]

_SIMPLE = {"string", "date", "int", "float", "boolean", "id"}
_NESTED = {"list", "container"}

#: URI identifying the journeykit extension (prefix ``journeykit``) of :func:`export_xes` logs.  It names
#: the extension and is not meant to be fetched; tools that do not know it read its attributes as
#: ordinary ones.
JOURNEYKIT_URI = "urn:journeykit:xes:1"

#: Extensions :func:`write_xes` can declare: prefix -> (name, URI).
EXTENSIONS: dict[str, tuple[str, str]] = {
    "concept": ("Concept", "http://www.xes-standard.org/concept.xesext"),
    "time": ("Time", "http://www.xes-standard.org/time.xesext"),
    "identity": ("Identity", "http://www.xes-standard.org/identity.xesext"),
    "org": ("Organizational", "http://www.xes-standard.org/org.xesext"),
    "lifecycle": ("Lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
    "cost": ("Cost", "http://www.xes-standard.org/cost.xesext"),
    "semantic": ("Semantic", "http://www.xes-standard.org/semantic.xesext"),
    "micro": ("Micro", "http://www.xes-standard.org/micro.xesext"),
    "artifactlifecycle": ("ArtifactLifecycle", "http://www.xes-standard.org/artifactlifecycle.xesext"),
    "swcomm": ("Software Communication", "http://www.xes-standard.org/swcomm.xesext"),
    "swevent": ("Software Event", "http://www.xes-standard.org/swevent.xesext"),
    "swtelemetry": ("Software Telemetry", "http://www.xes-standard.org/swtelemetry.xesext"),
    "journeykit": ("JourneyKit", JOURNEYKIT_URI),
}

#: The canonical event columns a journeykit export's records always carry.
_CANONICAL = ("event_id", "customer_id", "case_id", "timestamp", "event", "value", "channel")
#: journeykit extension keys (without the prefix) that the ingest derives again, so they are not read.
_DERIVED = ("touchpoint", "stage", "source")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _value(elem: etree._Element) -> str | None:
    kind = _local(elem.tag)
    if kind in _SIMPLE:
        return elem.get("value")
    if kind in _NESTED:
        return json.dumps(_nested(elem), ensure_ascii=False)
    return None


def _nested(elem: etree._Element) -> object:
    items = []
    for child in elem.iter():
        if child is elem:
            continue
        if _local(child.tag) in _SIMPLE and child.get("key") is not None:
            items.append((child.get("key"), child.get("value")))
    return dict(items) if _local(elem.tag) == "container" else [v for _, v in items]


def _is_attribute(elem: etree._Element) -> bool:
    tag = _local(elem.tag)
    return (tag in _SIMPLE or tag in _NESTED) and elem.get("key") is not None


def _open(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


@dataclass(frozen=True)
class _JourneykitLog:
    """How to read a log declaring the journeykit extension under ``prefix`` (e.g. ``"journeykit:"``)."""

    prefix: str
    traces: str = "case"  # what a trace is: "case" (concept:name = case id) or "customer"

    @cached_property
    def rename(self) -> dict[str, str]:
        p = self.prefix
        return {"identity:id": "event_id", "concept:name": "event", "time:timestamp": "timestamp",
                f"{p}customer": "customer_id", f"{p}case": "case_id", f"{p}channel": "channel",
                f"{p}value": "value"}

    @cached_property
    def derived(self) -> frozenset[str]:
        return frozenset(self.prefix + k for k in _DERIVED)

    def record(self, trace_attrs: Record, attrs: Record) -> Record:
        rename, derived = self.rename, self.derived
        canonical: Record = dict.fromkeys(_CANONICAL)
        if self.traces == "case":
            canonical["case_id"] = trace_attrs.get("concept:name")
        free = {f"case:{k}": v for k, v in trace_attrs.items() if k != "concept:name"}
        for key, value in attrs.items():
            if key in rename:
                canonical[rename[key]] = value
            elif key not in derived:
                free[key] = value
        canonical.update((k, v) for k, v in free.items() if k not in canonical)
        return canonical


def _record(trace_attrs: Record, attrs: Record) -> Record:
    record = {f"case:{k}": v for k, v in trace_attrs.items()}
    record.update(attrs)
    if "identity:id" in attrs and "event_id" not in attrs:
        record["event_id"] = record.pop("identity:id")
    return record


def iter_xes_events(path: str | Path) -> Iterator[Record]:
    """Stream the events of an XES file as flat records (see module docstring)."""
    path = Path(path)
    trace_attrs: Record = {}
    journeykit: _JourneykitLog | None = None
    try:
        with _open(path) as fh:
            for action, elem in etree.iterparse(fh, events=("start", "end"), huge_tree=True, recover=False):
                tag = _local(elem.tag)
                if action == "start":
                    if tag == "trace":
                        trace_attrs = {}
                    continue
                parent = elem.getparent()
                ptag = _local(parent.tag) if parent is not None else ""
                if tag == "event":
                    attrs = {c.get("key"): _value(c) for c in elem if c.get("key") is not None}
                    yield journeykit.record(trace_attrs, attrs) if journeykit else _record(trace_attrs, attrs)
                    _release(elem)
                elif ptag == "trace" and _is_attribute(elem):
                    trace_attrs[elem.get("key")] = _value(elem)
                elif tag == "trace":
                    _release(elem)
                elif ptag == "log" and tag == "extension":
                    if elem.get("uri") == JOURNEYKIT_URI and elem.get("prefix"):
                        journeykit = _JourneykitLog(elem.get("prefix") + ":")
                elif ptag == "log" and journeykit and elem.get("key") == journeykit.prefix + "traces":
                    journeykit = _JourneykitLog(journeykit.prefix, _value(elem) or "case")
    except etree.XMLSyntaxError as exc:
        raise InputError(str(path), f"not well-formed XES/XML: {exc}") from None
    except (OSError, EOFError) as exc:
        raise InputError(str(path), f"cannot read: {exc}") from None


def _release(elem: etree._Element) -> None:
    elem.clear()
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def _typed(key: str, value: object) -> tuple[str, str]:
    """The XES element name and the value text of an attribute."""
    if isinstance(value, str):
        return ("date" if key == "time:timestamp" else "string"), value
    if isinstance(value, datetime):
        return "date", value.isoformat()
    if key == "time:timestamp":
        return "date", str(value)
    if isinstance(value, bool):
        return "boolean", "true" if value else "false"
    if isinstance(value, int):
        return "int", str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "float", "NaN"
        if math.isinf(value):
            return "float", "INF" if value > 0 else "-INF"
        return "float", repr(value)
    return "string", str(value)


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                          "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
_NEEDS_ESCAPE = re.compile(r'[&<>"\n\r\t]')


def _quote(text: str) -> str:
    """``text`` as a double-quoted XML attribute value (line breaks and tabs kept as character references)."""
    return f'"{text.translate(_ESCAPES)}"' if _NEEDS_ESCAPE.search(text) else f'"{text}"'


@lru_cache(maxsize=4096)
def _key(key: str) -> str:
    return f"key={_quote(key)}"


def _attribute(key: str, value: object, indent: str) -> str:
    tag, text = _typed(key, value)
    return f"{indent}<{tag} {_key(key)} value={_quote(text)} />\n"


def write_xes(
    traces: Iterable[tuple[str, Iterable[Mapping[str, object]]]],
    path: str | Path,
    extensions: Iterable[str] = (),
    log_attributes: Mapping[str, object] | None = None,
) -> Path:
    """Write traces to an XES file (gzip-compressed when the name ends in ``.gz``).

    Parameters
    ----------
    traces : iterable of (case id, events)
        The case id becomes the trace's ``concept:name``.  Each event is a mapping of attribute keys to
        values, written in its order; ``None`` values are skipped.  The XES type follows the value:
        ``datetime`` gives ``date`` (so does any value of ``time:timestamp``, e.g. ISO 8601 text),
        ``bool`` ``boolean``, ``int`` ``int``, ``float`` ``float`` and anything else ``string``.
    extensions : iterable of str
        Prefixes of the extensions to declare besides ``concept`` and ``time`` (always declared), e.g.
        ``identity`` for ``identity:id``; see :data:`EXTENSIONS`.
    log_attributes : mapping, optional
        Attributes of the log itself, typed like event attributes.
    """
    path = Path(path)
    prefixes = list(dict.fromkeys(["concept", "time", *extensions]))
    unknown = [p for p in prefixes if p not in EXTENSIONS]
    if unknown:
        raise ValueError(f"unknown XES extension prefix(es) {unknown} (known: {sorted(EXTENSIONS)})")
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8" ?>\n')
        out.write('<log xes.version="1849-2016" xes.features="nested-attributes" '
                  'xmlns="http://www.xes-standard.org/">\n')
        for prefix in prefixes:
            name, uri = EXTENSIONS[prefix]
            out.write(f"\t<extension name={_quote(name)} prefix={_quote(prefix)} uri={_quote(uri)} />\n")
        for key, value in (log_attributes or {}).items():
            if value is not None:
                out.write(_attribute(key, value, "\t"))
        for case_id, events in traces:
            out.write(f'\t<trace>\n\t\t<string key="concept:name" value={_quote(str(case_id))} />\n')
            for event in events:
                parts = ["\t\t<event>\n"]
                parts.extend(_attribute(k, v, "\t\t\t") for k, v in event.items() if v is not None)
                parts.append("\t\t</event>\n")
                out.write("".join(parts))
            out.write("\t</trace>\n")
        out.write("</log>\n")
    return path
