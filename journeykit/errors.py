"""Exceptions raised by journeykit.

Every error a user can cause carries enough context to fix the input: the file, the row or key path,
the column and what was expected.  The CLI prints ``str(error)`` as one line and exits non-zero.

The ``check_*`` and ``as_list`` helpers check the arguments of the public functions (called from
notebooks as well as from the CLI) and raise :class:`OptionError` naming the argument.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from numbers import Integral, Real
from typing import Any


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


class OptionError(JourneykitError, ValueError):
    """An argument a function cannot use: a value outside its choices or range, or an object of the wrong kind.

    Also a :class:`ValueError`, as the argument checks raised before this class existed.
    """


def _shown(value: Any) -> str:
    """``value`` for a message: its type and a short repr."""
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def check_choice(name: str, value: Any, allowed: Sequence[str]) -> None:
    """Raise :class:`OptionError` naming the allowed values when ``value`` is not one of them."""
    if not isinstance(value, str) or value not in allowed:
        raise OptionError(f"{name} must be one of {list(allowed)}, got {value!r}")


def check_at_least(name: str, value: Any, low: float, integer: bool = True) -> None:
    """Raise :class:`OptionError` unless ``value`` is a number (an integer with ``integer``) ``>= low``."""
    kind = Integral if integer else Real
    if isinstance(value, bool) or not isinstance(value, kind):
        raise OptionError(f"{name} must be {'an integer' if integer else 'a number'} >= {low:g}, got {_shown(value)}")
    if value < low:
        raise OptionError(f"{name} must be >= {low:g}, got {value!r}")


def check_confidence(value: Any, name: str = "confidence") -> None:
    """Raise :class:`OptionError` unless ``value`` is a confidence level strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < value < 1:
        raise OptionError(f"{name} must be a level between 0 and 1 such as 0.95, got {value!r}")


#: How to get a journey model, for the message of a wrong ``model`` argument (``check_kind``).
MODEL_EXAMPLE = "ws.model of a Workspace, or journeykit.load_model(path)"


def check_kind(name: str, value: Any, kind: type, example: str) -> None:
    """Raise :class:`OptionError` when ``value`` is not a ``kind``; ``example`` says how to get one."""
    if not isinstance(value, kind):
        article = "an" if kind.__name__[0] in "AEIOU" else "a"
        raise OptionError(f"{name} must be {article} {kind.__name__} ({example}), got {_shown(value)}")


def as_list(name: str, value: Any, item: type | tuple[type, ...] = str) -> list | None:
    """A list argument as a list: one ``item`` alone (a string, not its characters) is a one-element list.

    ``None`` stays ``None``.  Raises :class:`OptionError` when ``value`` is neither an ``item`` nor an
    iterable of them (a mapping is not).
    """
    if value is None:
        return None
    if isinstance(value, item):
        return [value]
    kinds = item if isinstance(item, tuple) else (item,)
    what = " or ".join(k.__name__ for k in kinds)
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise OptionError(f"{name} must be a {what} or a list of them, got {_shown(value)}")
    values = list(value)
    wrong = [v for v in values if not isinstance(v, item)]
    if wrong:
        raise OptionError(f"{name} must hold {what} values, got {_shown(wrong[0])}")
    return values
