"""The root Typer application that command modules register on."""

import typer

app = typer.Typer(
    name="journeykit",
    help="Measure the customer journey from real data and plan the work that improves it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Measure the customer journey from real data and plan the work that improves it."""
