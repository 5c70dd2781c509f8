"""Simulated e-commerce journeys with the planted effects of journeykit/examples/ecommerce.yaml."""

from __future__ import annotations

import pytest

from journeykit.engine import Engine
from journeykit.model import load_model
from journeykit.simulate import simulate
from journeykit.workspace import EXAMPLE_MODEL

#: Customers simulated for the planted-driver checks (about 8,000 reach a purchase).
CUSTOMERS = 30_000


@pytest.fixture(scope="session")
def model():
    return load_model(EXAMPLE_MODEL)


@pytest.fixture(scope="session")
def simulated(model):
    return simulate(model, customers=CUSTOMERS, seed=3)


@pytest.fixture(scope="session")
def engine(simulated):
    eng = Engine.from_arrow({"events": simulated.events, "responses": simulated.responses})
    yield eng
    eng.close()
