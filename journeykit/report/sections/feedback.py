"""Feedback section: sentiment and themes of survey comments with their NPS impact."""

from __future__ import annotations

from journeykit.errors import EmptyResultError, JourneykitError
from journeykit.insight.feedback import feedback
from journeykit.report.document import Section
from journeykit.workspace import Workspace


def build(ws: Workspace) -> Section | None:
    """Themes of the comments (``None`` with too few comments)."""
    title = "Feedback themes"
    try:
        result = feedback(ws.engine, ws.model)
    except EmptyResultError:
        return None
    except JourneykitError as exc:
        return Section(title, notes=[f"Could not be computed: {exc}"])
    intro = (
        f"{result.params['comments']:,} survey comments: sentiment from VADER (Hutto & Gilbert 2014), themes "
        "from TF-IDF and non-negative matrix factorisation (Lee & Seung 1999), named by their top terms. NPS "
        "impact is the NPS of the NPS respondents who left a comment minus the NPS of those among them who did "
        "not mention the theme (respondents without a comment count in neither)."
    )
    return Section(
        title, intro=intro, figures=[result.figure()],
        tables=[("Themes", result.table), ("Themes per touchpoint", result.by_touchpoint)],
        notes=result.notes,
    )
