"""In-memory test engines with or without the stored journey order (``customer_rank``)."""

from __future__ import annotations

import pandas as pd

from journeykit.engine import Engine
from journeykit.engine.expr import CUSTOMER_RANK
from journeykit.engine.frames import engine_from_frames


def events_engine(df: pd.DataFrame, ranked: bool = True) -> Engine:
    """An in-memory engine on ``df`` whose events carry :data:`CUSTOMER_RANK` (``ranked``: the analyses sort
    by it, ordered funnels match by ASOF joins on it) or not (they sort by the columns, as on Spark)."""
    eng = engine_from_frames(df)  # ranks its events
    if not ranked:
        eng.backend.raw_sql(f"ALTER TABLE events DROP COLUMN {CUSTOMER_RANK}")
    return eng
