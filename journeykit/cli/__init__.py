"""The ``journeykit`` command line (Typer).

Each command group lives in its own module and registers itself on :data:`app`; commands are thin: they
parse options, call the library, print with rich and write ``--out`` files.  Commands import the library
(the engine, the analytics, SciPy) inside their bodies and take option choices from
:mod:`journeykit.options`, so ``journeykit --help`` starts in a fraction of a second.
"""

from __future__ import annotations

import sys

from journeykit.cli import (
    analyze_flow,  # noqa: F401  (registers its commands)
    analyze_funnels,  # noqa: F401  (registers its commands)
    analyze_kpis,  # noqa: F401  (registers its commands)
    ccpm_cmds,  # noqa: F401  (registers its commands)
    insight_cmds,  # noqa: F401  (registers its commands)
    plan_cmds,  # noqa: F401  (registers its commands)
    server_cmds,  # noqa: F401  (registers its commands)
    simulate_cmd,  # noqa: F401  (registers its commands)
    workspace_cmds,  # noqa: F401  (registers its commands)
)
from journeykit.cli.app import app
from journeykit.cli.common import err_console
from journeykit.errors import JourneykitError


def main() -> None:
    """Entry point: run the app; a journeykit error becomes one line on stderr and exit code 1."""
    try:
        app()
    except JourneykitError as exc:
        err_console.print(f"[bold red]error:[/bold red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)


__all__ = ["app", "main"]
