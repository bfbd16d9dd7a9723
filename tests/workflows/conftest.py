"""End-to-end fixtures: the real alliance diagrams deployed into the real engine on a SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from engine import Database, read_bundle
from tests.conftest import copy_awarded
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


@pytest.fixture
def awarded(awarded_template: tuple[Path, str, datetime], tmp_path: Path, clock: Clock) -> Iterator[Procurement]:
    """The signed procurement on its own copy of the database: the alliance phases start from here."""
    folder, instance_id, now = awarded_template
    database = Database(copy_awarded(folder, tmp_path))
    clock.now = now
    p = Procurement(database, clock, demo_directory())
    p.instance_id = instance_id
    yield p
    database.dispose()
