"""Write result tables to CSV, Parquet or HTML, chosen by the file extension."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from journeykit.errors import InputError

WRITERS = {".csv", ".parquet", ".html"}


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` to ``path``; the extension (.csv, .parquet, .html) picks the format."""
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
        path.write_text(df.to_html(index=False), encoding="utf-8")
    return path
