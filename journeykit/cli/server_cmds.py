"""Server commands: ``journeykit serve`` and ``journeykit token create|list|revoke``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from journeykit.cli.app import app
from journeykit.cli.common import WorkspaceOpt, console, open_workspace, show_table
from journeykit.errors import JourneykitError

token_app = typer.Typer(help="API tokens of a workspace (for the server's API and dashboard).", no_args_is_help=True)
app.add_typer(token_app, name="token")


def _store(workspace: Path):
    from journeykit.server.tokens import TokenStore

    return TokenStore(open_workspace(workspace).path)


@token_app.command("create")
def token_create(
    scope: Annotated[str, typer.Option("--scope", help="read (API reads and dashboard) or write (also uploads).")],
    name: Annotated[str, typer.Option("--name", help="A label to recognise the token by.")] = "",
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Create a token and print it once (only its SHA-256 hash is stored)."""
    token, record = _store(workspace).create(scope, name)
    console.print(f"token {record.id} ({record.scope}{', ' + record.name if record.name else ''}); copy it now, "
                  "it is not shown again:", highlight=False)
    typer.echo(token)


@token_app.command("list")
def token_list(workspace: WorkspaceOpt = Path(".")) -> None:
    """List tokens: id, name, scope, creation time (never the tokens)."""
    import pandas as pd

    records = _store(workspace).list()
    show_table(pd.DataFrame([{"id": r.id, "name": r.name, "scope": r.scope, "created": r.created} for r in records],
                            columns=["id", "name", "scope", "created"]), title="API tokens")


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="Token id (or unique name) from 'journeykit token list'.")],
    workspace: WorkspaceOpt = Path("."),
) -> None:
    """Revoke a token: its API calls and dashboard sessions stop working at once."""
    record = _store(workspace).revoke(token_id)
    console.print(f"revoked token {record.id}", highlight=False)


@app.command()
def serve(
    workspace: Annotated[Path, typer.Argument(help="Workspace folder to serve.")] = Path("."),
    host: Annotated[str, typer.Option("--host", help="Address to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", help="Largest upload accepted, in MiB.")] = 512,
    insecure_cookies: Annotated[
        bool, typer.Option("--insecure-cookies", help="Send session cookies over plain HTTP to non-loopback hosts.")
    ] = False,
) -> None:
    """Serve the workspace's REST API (/api/v1) and dashboard; every route needs a token."""
    try:
        import uvicorn

        from journeykit.server.app import create_app
        from journeykit.server.settings import MB, ServerSettings
        from journeykit.server.tokens import TokenStore
    except ImportError as exc:
        raise JourneykitError(f"the server needs the 'server' extra: pip install 'journeykit[server]' ({exc})") from None
    open_workspace(workspace, duckdb_only=True)
    if max_upload_mb < 1:
        raise JourneykitError(f"--max-upload-mb must be >= 1, got {max_upload_mb}")
    settings = ServerSettings(max_upload_bytes=max_upload_mb * MB, secure_cookies=not insecure_cookies)
    application = create_app(workspace, settings)
    if not TokenStore(workspace).list():
        console.print(f"no API tokens yet: create one with 'journeykit token create --scope read -w {workspace}'")
    console.print(f"serving {workspace} on http://{host}:{port}/ (API under /api/v1)", highlight=False)
    uvicorn.run(application, host=host, port=port, log_level="warning")
