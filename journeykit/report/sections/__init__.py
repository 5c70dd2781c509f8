"""Report section builders.

Each builder is a function ``build(ws: Workspace) -> Section | None`` in its own module (``None`` when the
workspace has no data for it).  :data:`BUILDERS` is the order of the report; a module adds itself by one
line here.
"""

from __future__ import annotations

from collections.abc import Callable

from journeykit.report.document import Section
from journeykit.report.sections import overview
from journeykit.report.sections import journey_map, paths, timing
from journeykit.report.sections import ccpm, pert
from journeykit.report.sections import cohorts, funnel
from journeykit.report.sections import clv, kpis
from journeykit.report.sections import benchmark, feedback, moments, value_chain

BUILDERS: list[Callable] = [
    overview.build,
    journey_map.build,
    paths.build,
    timing.build,
    funnel.build,
    cohorts.build,
    kpis.build,
    clv.build,
    moments.build,
    value_chain.build,
    benchmark.build,
    feedback.build,
    pert.build,
    ccpm.build,
]

__all__ = ["BUILDERS", "Section"]
