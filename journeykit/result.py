"""Base class of every analysis result.

Results are plain data (one or more tables) plus the parameters that produced them.  They convert to
pandas and polars, draw themselves as a Plotly figure, and render as HTML in notebooks, in the manner of
scikit-learn's plain-data results.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from journeykit.display import readable


@dataclass
class Result:
    """A table-shaped analysis result.

    Subclasses set ``table`` (the main table) and may add further tables as attributes; they override
    :meth:`figure` to draw themselves.

    Attributes
    ----------
    table : pandas.DataFrame
        The main result table.
    params : dict
        The parameters that produced the result (shown in the HTML repr and the report).
    notes : list of str
        Warnings and explanations for the reader (small samples, empty filters, ...).
    """

    table: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    title: str = "Result"

    def to_pandas(self) -> pd.DataFrame:
        """The main table as a pandas DataFrame (a copy)."""
        return self.table.copy()

    def to_polars(self):  # -> polars.DataFrame
        """The main table as a polars DataFrame."""
        import polars as pl

        return pl.from_pandas(self.table.reset_index(drop=True))

    def figure(self):  # -> plotly.graph_objects.Figure
        """A Plotly figure of the result; the default is a table."""
        import plotly.graph_objects as go

        t = self.table
        return go.Figure(
            go.Table(
                header=dict(values=[str(c) for c in t.columns]),
                cells=dict(values=[t[c].tolist() for c in t.columns]),
            )
        )

    def _repr_html_(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        notes = "".join(f"<p><em>{html.escape(n)}</em></p>" for n in self.notes)
        return (
            f"<div><strong>{html.escape(self.title)}</strong>"
            f"<div style='color:#666'>{html.escape(params)}</div>{notes}"
            f"{readable(self.table.head(50)).to_html(index=False)}</div>"
        )

    def __len__(self) -> int:
        return len(self.table)
