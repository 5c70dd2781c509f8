"""The helpdesk event log (real, 4,580 tickets) loaded once per test session, with pm4py as the oracle.

pm4py (AGPL) is imported only here, in tests; journeykit never imports it.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import pandas as pd

from journeykit.engine import Engine
from journeykit.engine.frames import engine_from_frames
from tests.conftest import shared_file

CASE, ACTIVITY, TIMESTAMP = "case:concept:name", "concept:name", "time:timestamp"


@lru_cache(maxsize=1)
def _log(path: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py

        return pm4py.read_xes(path, show_progress_bar=False)


def helpdesk_log() -> pd.DataFrame:
    """The log as pm4py reads it (skips the test when the file is absent)."""
    return _log(str(shared_file("helpdesk.xes.gz")))


def helpdesk_engine() -> Engine:
    """An engine whose events are the log: case = customer = ticket, event = activity, seq = row order."""
    log = helpdesk_log()
    events = pd.DataFrame(
        {
            "customer_id": log[CASE],
            "case_id": log[CASE],
            "event": log[ACTIVITY],
            "timestamp": log[TIMESTAMP],
            "seq": range(len(log)),
        }
    )
    return engine_from_frames(events)
