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


#: ``journeykit analyze ...``: one subcommand per analysis (modules journeykit/cli/analyze_*.py).
analyze_app = typer.Typer(help="Journey analytics on the workspace's events.", no_args_is_help=True)
app.add_typer(analyze_app, name="analyze")
