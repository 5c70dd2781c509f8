"""Request dependencies shared by the API and the pages."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request

from journeykit.server.db import Database
from journeykit.server.plans import PlanStore
from journeykit.workspace import Workspace


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_store(request: Request) -> PlanStore:
    return request.app.state.plans


def request_workspace(request: Request) -> Iterator[Workspace]:
    """The workspace on a DuckDB connection of its own, closed when the request ends."""
    with get_db(request).cursor() as ws:
        yield ws
