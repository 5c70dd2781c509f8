"""Option vocabularies and defaults shared by the library, the command line and the REST API.

Literal types and constants only: this module imports nothing heavy, so the command line builds its
``--help`` and parses its options without loading the engine (Ibis, pandas) or SciPy.
"""

from typing import Literal

#: One journey per customer, or per case id.
By = Literal["customer", "case"]
#: What one step of a journey is.
Level = Literal["touchpoint", "stage", "event"]
#: Time unit of the lifetime-value models (a week is exactly 7 days; no calendar months).
ClvUnit = Literal["week", "day"]
#: Paths after, before or between the chosen steps.
Direction = Literal["after", "before", "between"]
#: Default fewest answers (or customers) behind a KPI before it is flagged as a small sample.
MIN_N = 30
#: Customers simulated per block (memory scales with it; the output does not depend on it).
DEFAULT_BLOCK_SIZE = 50_000
#: Loyalty outcomes a moment of truth is measured against.
OUTCOMES = ("churned", "retained", "repurchased", "promoter")
#: DuckDB memory limit of an ingest (the rest of the machine stays usable; spills go to the workspace).
INGEST_MEMORY_LIMIT = "768MB"
#: Share of a process's cases a first step must start to be a kind of case with its own template.
KIND_SHARE = 0.05
