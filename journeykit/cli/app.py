"""The root Typer application that command modules register on."""

from typing import Annotated, Literal

import typer

from journeykit.cli.common import engine_choice

app = typer.Typer(
    name="journeykit",
    help="Measure the customer journey from real data and plan the work that improves it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


EngineKind = Literal["duckdb", "spark"]


@app.callback()
def _root(
    ctx: typer.Context,
    engine: Annotated[
        EngineKind, typer.Option("--engine", help="duckdb: the workspace's database; spark: Parquet on Spark.")
    ] = "duckdb",
    spark_master: Annotated[
        str | None,
        typer.Option("--spark-master", envvar="JOURNEYKIT_SPARK_MASTER",
                     help="Spark master URL, e.g. local[4], spark://host:7077, yarn (default: spark-submit's)."),
    ] = None,
    data: Annotated[
        str | None,
        typer.Option("--data", help="With --engine spark: folder or URI holding events/ and responses/ Parquet "
                     "as 'journeykit export' writes them (default: the catalogue tables events, responses)."),
    ] = None,
    spark_conf: Annotated[
        list[str] | None,
        typer.Option("--spark-conf", help="Spark setting key=value (repeatable), e.g. spark.driver.memory=8g."),
    ] = None,
) -> None:
    """Measure the customer journey from real data and plan the work that improves it."""
    conf = {}
    for item in spark_conf or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{item!r}: expected key=value", param_hint="--spark-conf")
        conf[key] = value
    if engine == "duckdb" and (data or conf):
        raise typer.BadParameter("--data and --spark-conf need --engine spark", param_hint="--engine")
    engine_choice.configure(engine, spark_master, data, conf)
    ctx.call_on_close(engine_choice.close)


#: ``journeykit analyze ...``: one subcommand per analysis (modules journeykit/cli/analyze_*.py).
analyze_app = typer.Typer(help="Journey analytics on the workspace's events.", no_args_is_help=True)
app.add_typer(analyze_app, name="analyze")
