"""The query backend: Ibis expressions on DuckDB (default) or PySpark."""

from journeykit.engine.backend import Engine, execute_df
from journeykit.engine.connect import connect
from journeykit.engine.filters import Filters, as_engine, as_filters

__all__ = ["Engine", "Filters", "as_engine", "as_filters", "connect", "execute_df"]
