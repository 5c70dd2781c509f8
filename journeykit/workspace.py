"""A workspace: a folder holding the journey model (``journey.yaml``) and the DuckDB database."""

from __future__ import annotations

import shutil
from functools import cached_property
from pathlib import Path

from journeykit.engine import Engine
from journeykit.errors import WorkspaceError
from journeykit.model import JourneyModel, load_model

MODEL_FILE = "journey.yaml"
DB_FILE = "journeykit.duckdb"

VALUE_CHAIN_FILE = "value_chain.yaml"

#: The example model that ``init`` copies when no model is given.
EXAMPLE_MODEL = Path(__file__).parent / "examples" / "ecommerce.yaml"
#: The value chain of the example model (the demo copies it into its workspace).
EXAMPLE_VALUE_CHAIN = Path(__file__).parent / "examples" / "value_chain.yaml"


class Workspace:
    """An opened workspace.

    Use :meth:`init` to create one and :meth:`open` (or :func:`journeykit.open_workspace`) to open one.
    """

    def __init__(self, path: Path, engine: Engine | None = None):
        self.path = path
        self._external_engine = engine

    @property
    def model_path(self) -> Path:
        return self.path / MODEL_FILE

    @property
    def db_path(self) -> Path:
        return self.path / DB_FILE

    @classmethod
    def init(cls, path: str | Path, model: str | Path | None = None, force: bool = False) -> "Workspace":
        """Create a workspace folder with a journey model and an empty database.

        Parameters
        ----------
        path : folder to create (may exist if empty, or with ``force``).
        model : journey model YAML to copy in; default: the bundled e-commerce example.
        force : replace an existing model and database.
        """
        path = Path(path)
        source = Path(model) if model is not None else EXAMPLE_MODEL
        load_model(source)  # refuse an invalid model before touching anything
        if (path / MODEL_FILE).exists() or (path / DB_FILE).exists():
            if not force:
                raise WorkspaceError(f"{path}: already a workspace (use --force to replace it)")
            (path / DB_FILE).unlink(missing_ok=True)
            (path / (DB_FILE + ".wal")).unlink(missing_ok=True)
        path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path / MODEL_FILE)
        ws = cls(path)
        ws.engine  # creates the database and its tables
        return ws

    @classmethod
    def open(cls, path: str | Path = ".", engine: Engine | None = None) -> "Workspace":
        """Open the workspace folder ``path``.

        ``engine`` replaces the workspace's own DuckDB database as the source of events and responses
        (e.g. :meth:`Engine.spark` on the exported Parquet); the caller owns it and closes it.
        """
        path = Path(path)
        if not (path / MODEL_FILE).exists():
            raise WorkspaceError(
                f"{path}: not a journeykit workspace (no {MODEL_FILE}); create one with 'journeykit init {path}'"
            )
        return cls(path, engine)

    @cached_property
    def model(self) -> JourneyModel:
        return load_model(self.model_path)

    @cached_property
    def engine(self) -> Engine:
        return self._external_engine if self._external_engine is not None else Engine.duckdb(self.db_path)

    def close(self) -> None:
        """Close the workspace's own database (an engine passed to :meth:`open` stays open)."""
        if "engine" in self.__dict__ and self._external_engine is None:
            self.engine.close()
            del self.__dict__["engine"]

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"
