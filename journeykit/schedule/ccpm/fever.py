"""Fever-chart zones: green / yellow / red by buffer consumption against chain completion.

The chart plots buffer consumption (y) against critical-chain completion (x), both as shares.  Two
straight lines split it into zones; each is given by its consumption at 0 % and at 100 % completion.  The
default, the classic diagonal thirds, starts the yellow zone at 1/3 of the buffer consumed (rising to
2/3 at completion) and the red zone at 2/3 (rising to the whole buffer).  A point on a line belongs to the
worse zone.

Reference: Leach, L. P. (2000) *Critical Chain Project Management*, Artech House, ch. 9 (buffer
management and the fever chart); Goldratt, E. M. (1997) *Critical Chain* (buffer thirds).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from journeykit.schedule.rcpsp.problem import RcpspError

ZONES = ("green", "yellow", "red")
ZONE_COLOURS = {"green": "#3ebd93", "yellow": "#f7c948", "red": "#e12d39"}


@dataclass(frozen=True)
class Bands:
    """Zone boundaries: ``(consumption at 0 % completion, consumption at 100 % completion)`` per line.

    Raises
    ------
    RcpspError
        A yellow line above the red one, or values outside [0, 10].
    """

    yellow: tuple[float, float] = (1 / 3, 2 / 3)
    red: tuple[float, float] = (2 / 3, 1.0)

    def __post_init__(self) -> None:
        values = (*self.yellow, *self.red)
        if len(values) != 4 or not all(0 <= v <= 10 for v in values):
            raise RcpspError(f"zone bands must be two (start, end) pairs of shares between 0 and 10, got {self}")
        if self.yellow[0] > self.red[0] or self.yellow[1] > self.red[1]:
            raise RcpspError(f"the yellow line must not be above the red line: {self}")

    @staticmethod
    def _line(line: tuple[float, float], completion: float) -> float:
        c = min(max(completion, 0.0), 1.0)
        return line[0] + (line[1] - line[0]) * c

    def zone(self, completion: float, consumption: float) -> str:
        """``"green"``, ``"yellow"`` or ``"red"`` for shares ``completion`` and ``consumption``."""
        if consumption >= self._line(self.red, completion) - 1e-12:
            return "red"
        if consumption >= self._line(self.yellow, completion) - 1e-12:
            return "yellow"
        return "green"

    def boundaries(self, points: int = 2) -> pd.DataFrame:
        """``completion``, ``yellow`` and ``red`` lines (shares) for drawing."""
        xs = [i / (points - 1) for i in range(points)]
        return pd.DataFrame({"completion": xs, "yellow": [self._line(self.yellow, x) for x in xs],
                             "red": [self._line(self.red, x) for x in xs]})


def fever_figure(history: pd.DataFrame, bands: Bands = Bands(), title: str = "Fever chart"):
    """Consumption against completion (in %) per ``project`` over time, on the coloured zones.

    Parameters
    ----------
    history : DataFrame
        Columns ``project``, ``completion``, ``consumption`` (shares), optionally ``label`` (hover).
    """
    import plotly.graph_objects as go

    lines = bands.boundaries()
    top = max(1.2, float(history["consumption"].max()) + 0.1 if len(history) else 1.2)
    x = (lines["completion"] * 100).tolist()
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=(lines["yellow"] * 100).tolist(), fill="tozeroy", mode="lines",
                             line=dict(width=0), fillcolor=ZONE_COLOURS["green"], opacity=0.3, name="green",
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=(lines["red"] * 100).tolist(), fill="tonexty", mode="lines",
                             line=dict(width=0), fillcolor=ZONE_COLOURS["yellow"], name="yellow", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=[top * 100] * len(x), fill="tonexty", mode="lines", line=dict(width=0),
                             fillcolor=ZONE_COLOURS["red"], name="red", hoverinfo="skip"))
    for project, rows in history.groupby("project", sort=False):
        fig.add_trace(go.Scatter(
            x=rows["completion"] * 100, y=rows["consumption"] * 100, mode="lines+markers", name=str(project),
            text=rows["label"] if "label" in rows else None,
            hovertemplate="%{text}<br>chain %{x:.0f} % complete, buffer %{y:.0f} % used<extra>" + str(project) + "</extra>",
        ))
    fig.update_xaxes(title="critical chain completed (%)", range=[0, 100])
    fig.update_yaxes(title="buffer consumed (%)", range=[0, top * 100])
    fig.update_layout(title=title)
    return fig


__all__ = ["Bands", "ZONES", "ZONE_COLOURS", "fever_figure"]
