"""Fixtures of the simulator tests: the example model and simulated data sets (session scoped)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from journeykit.model import JourneyModel, load_model
from journeykit.simulate import simulate
from journeykit.workspace import EXAMPLE_MODEL


def with_simulation(model: JourneyModel, **changes: Any) -> JourneyModel:
    """``model`` with keys of its simulation section replaced."""
    return model.model_copy(update={"simulation": {**(model.simulation or {}), **changes}})


@pytest.fixture(scope="session")
def example() -> JourneyModel:
    return load_model(EXAMPLE_MODEL)


@pytest.fixture(scope="session")
def small(example):
    """3,000 customers of the example model, seed 7 (canonical tables)."""
    data = simulate(example, customers=3_000, seed=7)
    return data.events, data.responses


@pytest.fixture(scope="session")
def uncensored(example) -> tuple[JourneyModel, pd.DataFrame, pd.DataFrame]:
    """40,000 customers with a horizon of a century, so every journey ends by exit or churn.

    Flat form (as written to Parquet) with a ``touchpoint`` column mapped from the raw event names.
    """
    model = with_simulation(example, horizon="36500d", max_events_per_customer=100_000)
    batches = list(simulate(model, customers=40_000, seed=11).iter_batches(flat=True))
    events = pa.Table.from_batches([b.events for b in batches]).to_pandas()
    responses = pa.Table.from_batches([b.responses for b in batches]).to_pandas()
    events["touchpoint"] = events["event"].map({e: model.touchpoint_of(e) for e in events["event"].unique()})
    return model, events, responses
