"""CDNOW fixtures: the Fader-Hardie-Lee (2005) sample as engine events and its calibration/holdout summary."""

from __future__ import annotations

import pandas as pd
import pytest

from journeykit.analytics.clv.summary import calibration_holdout
from journeykit.engine import Engine
from journeykit.engine.frames import engine_from_frames
from tests.conftest import shared_file

CALIBRATION_END = "1997-09-30"  # end of week 39
OBSERVATION_END = "1998-06-30"  # end of week 78


@pytest.fixture(scope="session")
def cdnow_engine() -> Engine:
    """The CDNOW sample (2,357 customers) as ``purchase`` events with the dollar value."""
    path = shared_file("cdnow/CDNOW_sample.txt")
    raw = pd.read_csv(
        path,
        sep=r"\s+",
        header=None,
        names=["master_id", "sample_id", "date", "cds", "dollars"],
        dtype={"master_id": str},
    )
    events = pd.DataFrame(
        {
            "customer_id": raw["master_id"],
            "timestamp": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d"),
            "touchpoint": "purchase",
            "value": raw["dollars"],
        }
    )
    return engine_from_frames(events=events)


@pytest.fixture(scope="session")
def cdnow_summary(cdnow_engine: Engine) -> pd.DataFrame:
    """Weekly RFM summary, calibration weeks 1-39 and holdout weeks 40-78."""
    return calibration_holdout(cdnow_engine, "purchase", CALIBRATION_END, OBSERVATION_END, unit="week")
