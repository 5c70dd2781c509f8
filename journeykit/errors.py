"""Exceptions raised by journeykit.

Every error a user can cause carries enough context to fix the input: the file, the row or key path,
the column and what was expected.  The CLI prints ``str(error)`` as one line and exits non-zero.
"""

from __future__ import annotations


class JourneykitError(Exception):
    """Base class of every error journeykit raises on purpose."""


class ModelError(JourneykitError):
    """An invalid journey model (YAML) file.

    Parameters
    ----------
    file : str
        The model file.
    problems : list of (key path, message)
        One entry per invalid key, e.g. ``("touchpoints[3].stage", "unknown stage 'suport'")``.
    """

    def __init__(self, file: str, problems: list[tuple[str, str]]):
        self.file = file
        self.problems = problems
        detail = "; ".join(f"{path}: {msg}" for path, msg in problems)
        super().__init__(f"{file}: invalid journey model: {detail}")


class InputError(JourneykitError):
    """Bad input data that cannot be read at all (as opposed to single rejected rows).

    Parameters
    ----------
    file : str
        The input file.
    message : str
        What is wrong and what was expected.
    row : int, optional
        1-based row (data row, header excluded) where the problem is.
    column : str, optional
        The column concerned.
    """

    def __init__(self, file: str, message: str, row: int | None = None, column: str | None = None):
        self.file, self.row, self.column = file, row, column
        where = file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")


class WorkspaceError(JourneykitError):
    """A missing or unusable workspace."""


class EmptyResultError(JourneykitError):
    """An analysis has no data to work on; the message says why (empty workspace, filters, ...)."""
