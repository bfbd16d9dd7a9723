"""Issue 14 on the command line: one clear line when the database is missing or down (no traceback, no
empty database made), "not found" for an unknown process, sessions revoked, checkpoints written and checked."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from tests.cli.test_cli import START
from tests.conftest import ROOT
from web.cli import main


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_without_database_url_and_no_database_it_says_so_and_makes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("web.cli.DEFAULT_DATABASE_PATH", tmp_path / "instance" / "allianssi.db")
    monkeypatch.setattr("web.cli.DEFAULT_DATABASE_URL", f"sqlite:///{tmp_path / 'instance' / 'allianssi.db'}")
    code, output = invoke("tasks", "--as", "kainuu.orderer")
    assert code == 1
    assert output.strip().count("\n") == 0, output
    assert output.startswith("error: no database: DATABASE_URL is not set")
    assert not (tmp_path / "instance").exists()


def test_a_database_that_is_down_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://someone:secret@127.0.0.1:1/allianssi")
    for args in (["tasks", "--as", "kainuu.orderer"], ["verify", "--all"], ["init"]):
        code, output = invoke(*args)
        assert code == 1 and output.strip().count("\n") == 0, (args, output)
        assert output.startswith("error: cannot reach the database at postgresql://someone:***@127.0.0.1:1/")
        assert "secret" not in output and "Traceback" not in output


def test_a_database_without_tables_says_to_run_init(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "empty.db"
    create_engine(f"sqlite:///{path}").connect().close()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    code, output = invoke("tasks", "--as", "kainuu.orderer")
    assert code == 1 and "has no tables: run `allianssi init`" in output and output.count("\n") == 1


@pytest.fixture
def deployed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert invoke("init")[0] == 0 and invoke("deploy", str(ROOT / "bpmn"))[0] == 0
    return url


def test_an_unknown_process_is_not_found_not_forbidden(deployed: str) -> None:
    code, output = invoke("start", "no_such_process", "--as", "kainuu.orderer")
    assert code == 1 and "DefinitionNotFound" in output and "may not" not in output


def test_checkpoint_and_verify_against_it(deployed: str, tmp_path: Path) -> None:
    code, output = invoke("start", "alliance_procurement", "--as", "kainuu.orderer", "--data", json.dumps(START))
    instance_id = output.split()[1]
    key = tmp_path / "keys" / "checkpoint.pem"
    key.parent.mkdir()
    assert invoke("checkpoint-key", "-o", str(key))[0] == 0
    assert oct(os.stat(key).st_mode & 0o777) == "0o600"
    assert invoke("checkpoint-key", "-o", str(key))[0] == 1, "an existing key is never overwritten"
    checkpoint = tmp_path / "checkpoint.json"
    assert invoke("checkpoint", "--key", str(key), "-o", str(checkpoint))[0] == 0
    code, output = invoke("verify", "--all", "--against", str(checkpoint), "--public-key", f"{key}.pub")
    assert code == 0 and "intact" in output, output
    with create_engine(deployed).begin() as connection:
        newest = connection.execute(text("SELECT max(seq) FROM audit_events WHERE stream = :s"),
                                    {"s": instance_id}).scalar()
        connection.execute(text("DELETE FROM audit_events WHERE stream = :s AND seq = :q"),
                           {"s": instance_id, "q": newest})
    code, output = invoke("verify", "--all", "--against", str(checkpoint), "--public-key", f"{key}.pub")
    assert code == 1 and f"chain {instance_id}: events {newest}–{newest} were deleted" in output


def test_an_administrator_revokes_a_users_sessions(deployed: str) -> None:
    from engine import Database
    from engine.sessions import SessionStore

    store = SessionStore(Database(deployed))
    token = store.create("kainuu.orderer")
    assert store.user(token) == "kainuu.orderer"
    code, output = invoke("revoke-sessions", "kainuu.orderer")
    assert code == 0 and "ended 1 session(s)" in output
    assert store.user(token) is None
