"""Web fixtures: the real app on a SQLite file in tmp_path, diagrams deployed through the engine,
HTTP through Flask's test client (and, for tests/web/browser, a real server and Chromium)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from engine import Assignment, Database, Engine, Membership
from tests.conftest import ROOT
from web.app import create_app, prepare
from workflows.directory import Directory, Organisation, User
from workflows.forms import validate_form

EXAMPLE = ROOT / "tests" / "engine" / "bpmn" / "example_review.bpmn"
PASSWORD = "salasana"
_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")  # fast: tests sign in often


def _user(username: str, name: str, *memberships: tuple[str, str]) -> User:
    return User(username, name, f"{username}@example.fi", "", tuple(Membership(o, r) for o, r in memberships), _HASH)


def example_directory() -> Directory:
    """People for the example diagram: authors are the region's orderers, reviewers are tenderers."""
    return Directory(
        [Organisation("kainuu", "region", "Kainuun maakunta", "Kainuu region"),
         Organisation("kajaani", "municipality", "Kajaanin kaupunki", "City of Kajaani", "kainuu"),
         Organisation("yrityspolku", "producer", "Yrityspolku Oy", "Yrityspolku Ltd"),
         Organisation("uraverkko", "producer", "Uraverkko Oy", "Uraverkko Ltd")],
        [_user("aino", "Aino Heikkinen", ("kainuu", "orderer")),
         _user("eero", "Eero Huotari", ("kainuu", "orderer")),
         _user("bob", "Bob Tarjoaja", ("yrityspolku", "tenderer")),
         _user("carol", "Carol Tarjoaja", ("uraverkko", "tenderer")),
         _user("irma", "Irma Tarkka", ("kainuu", "auditor")),
         _user("outi", "Outi Ulkopuolinen", ("kajaani", "orderer"))])


class ExampleResolver:
    """author → the region's orderers; reviewer → the tenderer named in the review item."""

    def __init__(self, directory: Directory):
        self.directory = directory

    def assign(self, lane: str | None, data: Mapping[str, Any]) -> Assignment:
        if lane == "reviewer":
            return Assignment("tenderer", (data["review"]["reviewer"],))
        return Assignment("orderer", ("kainuu",))

    def may_act(self, actor: str, assignment: Assignment) -> bool:
        return any(m.role == assignment.role and m.organisation in assignment.organisations
                   for m in self.directory.memberships(actor))

    def memberships(self, actor: str) -> list[Membership]:
        return self.directory.memberships(actor)

    def may_start(self, actor: str, process_id: str) -> bool:
        return any(m.role == "orderer" and m.organisation == "kainuu" for m in self.directory.memberships(actor))


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass
class ExampleSite:
    app: Flask
    engine: Engine
    clock: Clock

    def start(self, reviewers: tuple[str, ...] = ("yrityspolku", "uraverkko"), key: str = "KAI-2026-1") -> str:
        return self.engine.start("example_review", "aino", {"reviewers": list(reviewers)}, business_key=key).id

    def submit(self, instance_id: str, title: str = "Uusi palvelu", deadline: str = "2026-03-20") -> None:
        task = next(t for t in self.engine.inbox("aino", instance_id) if t.element_id == "submit")
        self.engine.complete_task(task.id, "aino", {"title": title, "amount": "1200", "deadline": deadline})

    def task_of(self, username: str, instance_id: str, element_id: str) -> str:
        return next(t.id for t in self.engine.inbox(username, instance_id) if t.element_id == element_id)


@pytest.fixture
def example(tmp_path: Path) -> Iterator[ExampleSite]:
    clock = Clock()
    directory = example_directory()

    def factory(database: Database) -> Engine:
        return Engine(database, ExampleResolver(directory), form_validator=validate_form, clock=clock,
                      local_timezone="Europe/Helsinki")

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}",
                      "BPMN_DIR": str(EXAMPLE), "ENGINE_FACTORY": factory, "DIRECTORY": directory})
    prepare(app)
    site = ExampleSite(app, app.extensions["allianssi"].engine, clock)
    yield site
    app.extensions["allianssi"].database.dispose()


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A test client that signs in and sends forms with the page's CSRF token, like a person would."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def token(self, path: str = "/login") -> str:
        page = self.client.get(path, follow_redirects=True).get_data(as_text=True)
        found = CSRF.search(page)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def sign_in(self, username: str, password: str = PASSWORD) -> Any:
        self.client.post("/logout", data={"csrf_token": self.token()})
        return self.client.post("/login", data={"username": username, "password": password,
                                                "csrf_token": self.token()})

    def post(self, path: str, data: Mapping[str, str] | None = None, **kwargs: Any) -> Any:
        return self.client.post(path, data={**(data or {}), "csrf_token": self.token()}, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def text(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return str(response.get_data(as_text=True))


@pytest.fixture
def browser(example: ExampleSite) -> Browser:
    return Browser(example.app.test_client())


@pytest.fixture
def browser_factory(example: ExampleSite) -> Callable[[], Browser]:
    return lambda: Browser(example.app.test_client())


# --- the real alliance diagrams and the Kainuu demo directory --------------------------------------
DEMO_PASSWORD = "demo"
KAINUU_START = {"title": "Kainuun yrityspalveluallianssi", "description": "Yritys- ja työllisyyspalvelut",
                "region": "kainuu", "candidate_municipalities": "kajaani", "estimated_value": 900_000,
                "service_type": "services"}


@dataclass
class AllianceSite:
    app: Flask
    engine: Engine
    clock: Any  # a Clock here, or tests.workflows.driver.Clock (which can also be set to a day)

    def start(self, key: str = "KAI-2026-1", **data: Any) -> str:
        return self.engine.start("alliance_procurement", "kainuu.orderer", {**KAINUU_START, **data},
                                 business_key=key).id

    def task_of(self, username: str, instance_id: str, element_id: str) -> str:
        return next(t.id for t in self.engine.inbox(username, instance_id) if t.element_id == element_id)

    def complete(self, username: str, instance_id: str, element_id: str, data: Mapping[str, Any]) -> None:
        self.engine.complete_task(self.task_of(username, instance_id, element_id), username, dict(data))


def alliance_app(database_url: str, clock: Callable[[], datetime]) -> Flask:
    from workflows.directory import demo_directory
    from workflows.service import build_engine

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url,
                      "BPMN_DIR": str(ROOT / "bpmn"),
                      "ENGINE_FACTORY": lambda database: build_engine(database, demo_directory(), clock)})
    prepare(app)
    return app


@pytest.fixture
def alliance(tmp_path: Path) -> Iterator[AllianceSite]:
    clock = Clock()
    clock.now = datetime(2026, 1, 12, 7, 0, tzinfo=timezone.utc)
    app = alliance_app(f"sqlite:///{tmp_path / 'alliance.db'}", clock)
    yield AllianceSite(app, app.extensions["allianssi"].engine, clock)
    app.extensions["allianssi"].database.dispose()
