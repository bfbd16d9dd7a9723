"""Tokens: made and revoked by an administrator in the web and on the command line, shown once,
stored hashed; a browser session does not open the API and a token does not open the web pages."""

from __future__ import annotations

import hashlib
import json
import re

from click.testing import CliRunner
from sqlalchemy import select

from engine import Database
from engine.tokens import ApiToken
from tests.api.conftest import ApiSite
from tests.web.conftest import Browser
from web.cli import main

SECRET = re.compile(r"alli_[0-9a-f]{16}_[A-Za-z0-9_-]{43}")


def test_an_administrator_makes_and_revokes_a_token_in_the_web(sqlite_api: ApiSite) -> None:
    api = sqlite_api
    browser = Browser(api.client())
    browser.sign_in("kainuu.orderer", "demo")
    assert browser.get("/admin/tokens/").status_code == 403  # not an administrator
    browser.sign_in("admin", "demo")
    made = browser.post("/admin/tokens/", {"name": "hilma-bridge", "organisation": "kainuu", "role": "orderer",
                                           "days": "30"})
    assert made.status_code == 201
    [secret] = SECRET.findall(made.get_data(as_text=True))
    assert secret not in browser.text("/admin/tokens/")  # shown once
    with api.app.extensions["allianssi"].database.read() as session:
        stored = session.execute(select(ApiToken).where(ApiToken.name == "hilma-bridge")).scalar_one()
        assert stored.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert api.call("GET", "/tasks", token=None, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    refused = browser.post("/admin/tokens/", {"name": "Bad Name", "organisation": "kainuu", "role": "orderer",
                                              "days": "30"})
    assert refused.status_code == 422
    assert browser.post("/admin/tokens/hilma-bridge/revoke").status_code == 302
    assert api.call("GET", "/tasks", token=None, headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_sessions_do_not_open_the_api_and_tokens_do_not_open_pages(sqlite_api: ApiSite) -> None:
    api = sqlite_api
    browser = Browser(api.client())
    browser.sign_in("kainuu.orderer", "demo")
    assert browser.get("/").status_code == 200
    assert browser.get("/api/v1/tasks").status_code == 401  # the session cookie opens nothing here
    assert browser.client.post("/api/v1/procurements", json={"process_id": "api_integration"}).status_code == 401
    page = api.client().get("/", headers={"Authorization": f"Bearer {api.secrets['orderer']}"})
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    # the auditor signed in on the web does not make a token's changes read-only, nor does CSRF apply to tokens
    browser.sign_in("auditor", "demo")
    instance_id = api.start()
    task = api.task(instance_id)
    done = api.call("POST", f"/tasks/{task['id']}/complete", json={"data": {"approve": True}}, client=browser.client)
    assert done.status_code == 200


def test_the_command_line_creates_lists_and_revokes(sqlite_database: Database) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": sqlite_database.url}
    made = runner.invoke(main, ["token", "create", "case-system", "--organisation", "kajaani", "--role", "orderer",
                                "--days", "10"], env=env)
    assert made.exit_code == 0, made.output
    assert SECRET.search(made.stdout)
    listed = runner.invoke(main, ["token", "list", "--json"], env=env)
    [row] = json.loads(listed.stdout)
    assert row["name"] == "case-system" and row["state"] == "active" and "secret" not in json.dumps(row)
    again = runner.invoke(main, ["token", "create", "case-system", "--organisation", "kajaani", "--role", "orderer"],
                          env=env)
    assert again.exit_code == 1 and "exists" in again.stderr
    assert runner.invoke(main, ["token", "revoke", "case-system"], env=env).exit_code == 0
    assert json.loads(runner.invoke(main, ["token", "list", "--json"], env=env).stdout)[0]["state"] == "revoked"
    assert runner.invoke(main, ["token", "revoke", "nobody"], env=env).exit_code == 1
