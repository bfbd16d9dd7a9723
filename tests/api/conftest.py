"""API fixtures: the real app (real diagrams, the Kainuu directory, the engine's real resolver) on a
SQLite file and on PostgreSQL, tokens made through the TokenStore, HTTP through Flask's test client."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Database, Engine, TokenStore, read_bundle
from tests.conftest import ROOT
from tests.web.conftest import Clock
from web.app import create_app, prepare
from workflows.directory import demo_directory
from workflows.forms import validate_form
from workflows.helpers import helpers_for
from workflows.resolver import ProcurementResolver

BUNDLE = ROOT / "tests" / "api" / "bpmn"
PROCESS = "api_integration"
# name → (organisation, role): the token each test acts with
TOKENS = {
    "orderer": ("kainuu", "orderer"),
    "other-orderer": ("kajaani", "orderer"),
    "tenderer": ("yrityspolku", "tenderer"),
    "other-tenderer": ("uraverkko", "tenderer"),
    "auditor": ("kainuu", "auditor"),
}


class ApiResolver(ProcurementResolver):
    """The product's resolver; a region's orderers may also start the test process."""

    def may_start(self, actor: str, process_id: str) -> bool:
        return super().may_start(actor, "alliance_procurement" if process_id == PROCESS else process_id)


@dataclass
class ApiSite:
    app: Flask
    engine: Engine
    clock: Clock
    secrets: dict[str, str] = field(default_factory=dict)

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def call(self, method: str, path: str, token: str | None = "orderer", json: Any = None,
             headers: Mapping[str, str] | None = None, client: FlaskClient | None = None) -> Any:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {self.secrets[token]}"
        return (client or self.client()).open("/api/v1" + path, method=method, json=json, headers=sent)

    def start(self, key: str = "KAI-API-1", title: str = "Notice") -> str:
        response = self.call("POST", "/procurements", json={
            "process_id": PROCESS, "business_key": key, "data": {"title": title, "region": "kainuu"}})
        assert response.status_code == 201, response.get_json()
        return str(response.get_json()["instance_id"])

    def task(self, instance_id: str, element_id: str = "review") -> dict[str, Any]:
        found = self.engine.instance(instance_id).open_tasks
        task = next(t for t in found if t.element_id == element_id)
        return {"id": task.id, "version": task.instance_version}

    def to_tenders(self, key: str = "KAI-API-1") -> str:
        """A procurement past review and notice, waiting for both tenderers' tenders."""
        instance_id = self.start(key)
        task = self.task(instance_id)
        assert self.call("POST", f"/tasks/{task['id']}/complete", json={"data": {"approve": True}}).status_code == 200
        locked = self.call("POST", "/external-tasks/fetch-and-lock", json={
            "worker_id": "w", "max_tasks": 1, "topics": [{"topic": "notice", "lock_duration": 60_000}]})
        [external] = [t for t in locked.get_json()["items"] if t["instance_id"] == instance_id]
        done = self.call("POST", f"/external-tasks/{external['id']}/complete", json={"worker_id": "w"})
        assert done.status_code == 200, done.get_json()
        return instance_id


def _site(database_url: str) -> Iterator[ApiSite]:
    clock = Clock()
    clock.now = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
    directory = demo_directory()

    def factory(database: Database) -> Engine:
        tokens = TokenStore(database)
        resolver = ApiResolver(directory, accounts=lambda actor: tokens.memberships(actor, clock))
        return Engine(database, resolver, helpers=helpers_for(directory), form_validator=validate_form,
                      clock=clock, local_timezone="Europe/Helsinki")

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url,
                      "BPMN_DIR": str(ROOT / "bpmn"), "ENGINE_FACTORY": factory, "API_RATE_LIMIT": "10000 per minute"})
    prepare(app)
    wired = app.extensions["allianssi"]
    wired.engine.deploy(read_bundle([BUNDLE]), "designer")
    site = ApiSite(app, wired.engine, clock)
    store = TokenStore(wired.database)
    for name, (organisation, role) in TOKENS.items():
        site.secrets[name] = store.create(name, organisation, role, timedelta(days=30), "admin", clock.now)[1]
    yield site
    wired.database.dispose()


@pytest.fixture
def api(database: Database) -> Iterator[ApiSite]:
    """The app on both databases (the `database` fixture: a SQLite file, and PostgreSQL when configured)."""
    yield from _site(database.url)


@pytest.fixture
def sqlite_api(sqlite_database: Database) -> Iterator[ApiSite]:
    yield from _site(sqlite_database.url)
