"""Write result tables to CSV, Parquet or HTML, chosen by the file extension."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from journeykit.errors import InputError

WRITERS = {".csv", ".parquet", ".html"}


def write_table(df: pd.DataFrame, path: str | Path, title: str | None = None, notes: Sequence[str] = ()) -> Path:
    """Write ``df`` to ``path``; the extension (.csv, .parquet, .html) picks the format.

    CSV and Parquet keep the values as they are (seconds, full precision).  HTML is for people: a UTF-8
    page with the ``title``, the ``notes`` and the cells as the terminal shows them
    (:func:`journeykit.display.readable`: readable times, no exponents, missing values blank).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITERS:
        raise InputError(str(path), f"unknown output format '{suffix}' (expected one of {sorted(WRITERS)})")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        df.to_csv(path, index=False)
    elif suffix == ".parquet":
        df.to_parquet(path, index=False)
    else:
        path.write_text(_html_page(df, title, notes), encoding="utf-8")
    return path


def _html_page(df: pd.DataFrame, title: str | None, notes: Sequence[str]) -> str:
    from journeykit.display import readable

    heading = html.escape(title or "journeykit table")
    paragraphs = "".join(f"<p>{html.escape(n)}</p>" for n in notes)
    table = readable(df).to_html(index=False, border=0)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{heading}</title></head>"
            f"<body><h1>{heading}</h1>{paragraphs}{table}</body></html>\n")
