"""Workspaces for the report tests: a helpdesk support log (no costs, surveys or purchases) and a small
simulated e-commerce shop."""

from __future__ import annotations

import pandas as pd
import pytest

from journeykit.io.ingest import ingest_files
from journeykit.model import load_model
from journeykit.simulate import simulate
from journeykit.workspace import EXAMPLE_MODEL, Workspace

HELPDESK_MODEL = """\
name: Helpdesk support
stages: [{name: intake}, {name: handling}, {name: resolution}]
touchpoints:
  - {name: insert, stage: intake, channel: web, events: [Insert ticket]}
  - {name: assign, stage: intake, channel: support, events: [Assign seriousness]}
  - {name: take_in_charge, stage: handling, channel: support, events: [Take in charge ticket]}
  - {name: wait, stage: handling, channel: support, events: [Wait]}
  - {name: resolve, stage: resolution, channel: support, events: [Resolve ticket]}
  - {name: closed, stage: resolution, channel: support, events: [Closed]}
"""
#: Steps of a ticket with their hours after its insertion (odd tickets wait once).
TICKET = [("Insert ticket", 0), ("Assign seriousness", 0.2), ("Take in charge ticket", 3), ("Resolve ticket", 30),
          ("Closed", 50)]


def helpdesk_events() -> pd.DataFrame:
    """80 customers with one ticket each over about three months; timestamps carry microseconds."""
    rows = []
    for i in range(80):
        start = pd.Timestamp("2024-01-02 08:40:25.123456", tz="UTC") + pd.Timedelta(hours=27.5 * i)
        steps = TICKET + ([("Wait", 10)] if i % 2 else [])
        for event, hours in sorted(steps, key=lambda s: s[1]):
            rows.append((f"c{i}", f"t{i}", start + pd.Timedelta(hours=hours), event))
    return pd.DataFrame(rows, columns=["customer_id", "case_id", "timestamp", "event"])


def helpdesk_workspace(path, model: str = HELPDESK_MODEL) -> Workspace:
    """A workspace at ``path`` with the helpdesk model (or ``model``) and :func:`helpdesk_events`."""
    path.mkdir(parents=True)
    (path / "journey.yaml").write_text(model, encoding="utf-8")
    ws = Workspace.init(path / "ws", model=path / "journey.yaml")
    helpdesk_events().to_csv(path / "events.csv", index=False)
    ingest_files(ws, [path / "events.csv"])
    return ws


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory):
    ws = helpdesk_workspace(tmp_path_factory.mktemp("report") / "helpdesk")
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """3,000 simulated e-commerce customers with their survey responses (no value_chain.yaml)."""
    journeys = simulate(load_model(EXAMPLE_MODEL), customers=3000, seed=7)
    ws = Workspace.init(tmp_path_factory.mktemp("report") / "shop")
    ws.engine.insert("events", journeys.events)
    ws.engine.insert("responses", journeys.responses)
    yield ws
    ws.close()
