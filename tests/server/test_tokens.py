"""Tokens: random, shown once, stored hashed; scopes; revocation; the token CLI."""

from __future__ import annotations

import hashlib
import json
import stat

import pytest
from typer.testing import CliRunner

from journeykit.cli import app as cli
from journeykit.server.tokens import TokenError, TokenStore
from journeykit.workspace import Workspace


@pytest.fixture()
def store(tmp_path):
    return TokenStore(tmp_path)


def test_token_is_stored_only_as_its_sha256(store):
    token, record = store.create("read", "alice")
    text = store.path.read_text()
    secret = token.split("_", 2)[2]
    assert secret not in text and token not in text
    assert json.loads(text)[0]["sha256"] == hashlib.sha256(secret.encode()).hexdigest()
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.verify(token) == record


def test_tokens_are_random_and_distinct(store):
    assert len({store.create("read")[0] for _ in range(5)}) == 5


@pytest.mark.parametrize("bad", ["", "jk_", "jk_abc_", "xx_abc_def", "jk_nosuchid_secret"])
def test_malformed_or_unknown_tokens_are_refused(store, bad):
    store.create("write")
    assert store.verify(bad) is None


def test_wrong_secret_is_refused(store):
    token, _ = store.create("write")
    assert store.verify(token[:-1] + ("A" if token[-1] != "A" else "B")) is None


def test_scopes(store):
    _, read = store.create("read")
    _, write = store.create("write")
    assert read.allows("read") and not read.allows("write")
    assert write.allows("read") and write.allows("write")
    with pytest.raises(TokenError, match="unknown scope 'admin'"):
        store.create("admin")


def test_revoke_by_id_and_by_name(store):
    t1, r1 = store.create("read", "ci")
    t2, r2 = store.create("read")
    store.revoke(r2.id)
    store.revoke("ci")
    assert store.verify(t1) is None and store.verify(t2) is None and store.list() == []
    with pytest.raises(TokenError, match="no token"):
        store.revoke("ci")


def test_token_cli_create_list_revoke(tmp_path):
    Workspace.init(tmp_path / "ws").close()
    runner = CliRunner()
    created = runner.invoke(cli, ["token", "create", "--scope", "write", "--name", "ops", "-w", str(tmp_path / "ws")])
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    record = TokenStore(tmp_path / "ws").verify(token)
    assert record is not None and record.scope == "write" and record.name == "ops"
    listed = runner.invoke(cli, ["token", "list", "-w", str(tmp_path / "ws")])
    assert record.id in listed.output and token.split("_", 2)[2] not in listed.output
    revoked = runner.invoke(cli, ["token", "revoke", record.id, "-w", str(tmp_path / "ws")])
    assert revoked.exit_code == 0 and TokenStore(tmp_path / "ws").list() == []


def test_token_cli_refuses_unknown_scope(tmp_path):
    Workspace.init(tmp_path / "ws").close()
    result = CliRunner().invoke(cli, ["token", "create", "--scope", "root", "-w", str(tmp_path / "ws")])
    assert result.exit_code != 0 and "unknown scope" in str(result.exception or result.output)


def test_serve_refuses_a_folder_that_is_not_a_workspace(tmp_path):
    result = CliRunner().invoke(cli, ["serve", str(tmp_path)])
    assert result.exit_code != 0 and "not a journeykit workspace" in str(result.exception)


def test_serve_refuses_a_zero_upload_limit(tmp_path):
    Workspace.init(tmp_path / "ws").close()
    result = CliRunner().invoke(cli, ["serve", str(tmp_path / "ws"), "--max-upload-mb", "0"])
    assert result.exit_code != 0 and "--max-upload-mb" in str(result.exception)
