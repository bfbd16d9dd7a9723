"""End-to-end fixtures: the real alliance diagrams deployed into the real engine on a SQLite file."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine import Database, read_bundle
from tests.workflows.driver import DIAGRAMS, Clock, Procurement
from workflows.directory import demo_directory
from workflows.service import build_engine


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def procurement(sqlite_database: Database, clock: Clock) -> Iterator[Procurement]:
    directory = demo_directory()
    build_engine(sqlite_database, directory, clock).deploy(read_bundle(DIAGRAMS), "designer")
    yield Procurement(sqlite_database, clock, directory)
