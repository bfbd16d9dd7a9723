"""The engine on the example diagram: a small users-and-roles table and a controllable clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from engine import Assignment, Database, Engine, Membership, read_bundle
from tests.conftest import ROOT
from workflows.forms import validate_form

EXAMPLE = ROOT / "tests" / "engine" / "bpmn" / "example_review.bpmn"
HERE = Path(__file__).parent

# who holds which role in which organisation, for the example diagram
USERS = {
    "alice": [Membership("authors", "author")],
    "adam": [Membership("authors", "author")],
    "bob": [Membership("bob", "reviewer")],
    "carol": [Membership("carol", "reviewer")],
}


class ExampleResolver:
    """Authors act for the organisation 'authors'; each reviewer reviews their own multi-instance item."""

    def assign(self, lane: str | None, data: Mapping[str, Any]) -> Assignment:
        if lane == "reviewer":
            return Assignment("reviewer", (data["review"]["reviewer"],))
        return Assignment(lane, ("authors",))

    def may_act(self, actor: str, assignment: Assignment) -> bool:
        return any(m.role == assignment.role and m.organisation in assignment.organisations
                   for m in USERS.get(actor, []))

    def memberships(self, actor: str) -> list[Membership]:
        return USERS.get(actor, [])

    def may_start(self, actor: str, process_id: str) -> bool:
        return any(m.role == "author" for m in USERS.get(actor, []))


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)  # every command at its own moment, as in real life
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_engine(database: Database, clock: Clock) -> Engine:
    return Engine(database, ExampleResolver(), form_validator=validate_form, clock=clock)


@pytest.fixture
def engine(database: Database, clock: Clock) -> Engine:
    made = make_engine(database, clock)
    made.deploy(read_bundle([EXAMPLE]), "designer")
    return made


def start_example(engine: Engine, reviewers: tuple[str, ...] = ("bob", "carol"), key: str | None = None) -> str:
    return engine.start("example_review", "alice", {"reviewers": list(reviewers)}, business_key=key).id


def submit(engine: Engine, instance_id: str, title: str = "Uusi palvelu") -> None:
    task = only(engine.inbox("alice", instance_id))
    engine.complete_task(task.id, "alice", {"title": title, "amount": "1200", "deadline": "2026-04-01"})


def review_round(engine: Engine, instance_id: str, approve: bool,
                 reviewers: tuple[str, ...] = ("bob", "carol")) -> None:
    for reviewer in reviewers:
        task = only(engine.inbox(reviewer, instance_id))
        engine.complete_task(task.id, reviewer, {"approve": approve, "comment": f"{reviewer} says {approve}"})


def revise(engine: Engine, instance_id: str, title: str = "Korjattu") -> None:
    task = only(engine.inbox("alice", instance_id))
    engine.complete_task(task.id, "alice", {"title": title})


def only(items: list[Any]) -> Any:
    assert len(items) == 1, items
    return items[0]
