"""XES (IEEE 1849-2016) event logs: a streaming reader (lxml ``iterparse``) and a writer.

The reader yields one flat record per event: the event's attributes under their keys (``concept:name``,
``time:timestamp``, ``org:resource``, ...) and the enclosing trace's attributes prefixed ``case:``
(``case:concept:name`` is the case id), the convention of the process-mining tools.  Values stay text;
``list`` and ``container`` attributes become JSON text.  Memory stays flat: each event element is
released as soon as it has been read.  Trace attributes are expected before the trace's events (as every
XES writer puts them); one that comes after the events applies only to later events.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO
from xml.sax.saxutils import quoteattr

from lxml import etree

from journeykit.errors import InputError

_SIMPLE = {"string", "date", "int", "float", "boolean", "id"}
_NESTED = {"list", "container"}


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


def _open(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def iter_xes_events(path: str | Path) -> Iterator[dict[str, str | None]]:
    """Stream the events of an XES file as flat records (see module docstring)."""
    path = Path(path)
    trace_attrs: dict[str, str | None] = {}
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
                    record = {f"case:{k}": v for k, v in trace_attrs.items()}
                    for child in elem:
                        key = child.get("key")
                        if key is not None:
                            record[key] = _value(child)
                    yield record
                    _release(elem)
                elif ptag == "trace" and (tag in _SIMPLE or tag in _NESTED) and elem.get("key") is not None:
                    trace_attrs[elem.get("key")] = _value(elem)
                elif tag == "trace":
                    _release(elem)
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


def write_xes(
    traces: Iterable[tuple[str, Iterable[dict[str, object]]]],
    path: str | Path,
) -> Path:
    """Write traces to an XES file (gzip-compressed when the name ends in ``.gz``).

    Parameters
    ----------
    traces : iterable of (case id, events)
        Each event is a mapping with at least ``concept:name`` and ``time:timestamp`` (a datetime or an
        ISO 8601 string); other keys are written as string attributes (``None`` values are skipped).
    """
    path = Path(path)
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8" ?>\n')
        out.write('<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">\n')
        out.write('\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext" />\n')
        out.write('\t<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext" />\n')
        for case_id, events in traces:
            out.write(f'\t<trace>\n\t\t<string key="concept:name" value={quoteattr(str(case_id))} />\n')
            for event in events:
                out.write("\t\t<event>\n")
                for key, value in event.items():
                    if value is None:
                        continue
                    if key == "time:timestamp":
                        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
                        out.write(f'\t\t\t<date key="time:timestamp" value={quoteattr(text)} />\n')
                    else:
                        out.write(f"\t\t\t<string key={quoteattr(key)} value={quoteattr(str(value))} />\n")
                out.write("\t\t</event>\n")
            out.write("\t</trace>\n")
        out.write("</log>\n")
    return path
