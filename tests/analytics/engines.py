"""In-memory test engines with or without the stored journey order (``customer_rank``, ``customer_ordinal``)."""

from __future__ import annotations

import pandas as pd

from journeykit.engine import Engine
from journeykit.engine.expr import JOURNEY_ORDER
from journeykit.engine.frames import engine_from_frames


def events_engine(df: pd.DataFrame, ranked: bool = True) -> Engine:
    """An in-memory engine on ``df`` whose events carry the stored journey order (``ranked``: the analyses
    sort by the rank and count the ordinals, ordered funnels match by ASOF joins on the rank) or not (they
    sort by the columns and count the ids, as on Spark)."""
    eng = engine_from_frames(df)  # ranks its events
    if not ranked:
        for column in JOURNEY_ORDER:
            eng.backend.raw_sql(f"ALTER TABLE events DROP COLUMN {column}")
    return eng
