"""A workspace seen through the dashboard's filters: events and responses filtered, every other table as stored.

Code written against a :class:`~journeykit.workspace.Workspace` (the static report's section builders, the
workspace summary) then computes on the filtered data unchanged, and :attr:`FilteredEngine.read_filtered`
tells whether it used the filtered tables at all: a section built from a plan file does not, and the page
says that the filters do not apply to it.
"""

from __future__ import annotations

import ibis

from journeykit.engine import Engine, Filters
from journeykit.engine.schema import EVENTS, RESPONSES
from journeykit.workspace import Workspace


class FilteredEngine(Engine):
    """``engine``'s connection with ``filters`` applied to ``events`` and ``responses``.

    Parameters
    ----------
    engine : Engine
        The engine of the request's connection.
    filters : Filters
    """

    def __init__(self, engine: Engine, filters: Filters):
        super().__init__(engine.backend, engine.kind)
        self.filters = filters
        self.read_filtered = False

    def table(self, name: str) -> ibis.Table:
        table = super().table(name)
        if name not in (EVENTS, RESPONSES):
            return table
        self.read_filtered = True
        return self.filters.apply(table)


def filtered(ws: Workspace, filters: Filters) -> tuple[Workspace, FilteredEngine]:
    """A view of ``ws`` through ``filters`` (sharing its model and connection) and the view's engine."""
    engine = FilteredEngine(ws.engine, filters)
    view = Workspace(ws.path, engine)
    view.model = ws.model
    return view, engine
