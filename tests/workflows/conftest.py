"""End-to-end fixtures: the real alliance diagrams deployed into the real engine on a SQLite file."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from engine import Database, read_bundle
from tests.workflows import scenario as s
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


@pytest.fixture(scope="session")
def awarded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, datetime]:
    """One procurement driven once through the real diagrams to a signed contract (kainuu, kajaani
    and sotkamo joined; vaara-osaamis won): its SQLite file is copied for each alliance-phase test."""
    folder = tmp_path_factory.mktemp("awarded")
    database = Database(f"sqlite:///{folder / 'allianssi.db'}")
    database.migrate()
    clock = Clock()
    build_engine(database, demo_directory(), clock).deploy(read_bundle(DIAGRAMS), "designer")
    p = Procurement(database, clock, demo_directory())
    s.through_award(p)
    database.dispose()  # checkpoints the WAL into the file
    return folder, p.instance_id, clock.now


@pytest.fixture
def awarded(awarded_template: tuple[Path, str, datetime], tmp_path: Path, clock: Clock) -> Iterator[Procurement]:
    """The signed procurement on its own copy of the database: the alliance phases start from here."""
    folder, instance_id, now = awarded_template
    for file in folder.glob("allianssi.db*"):
        shutil.copy(file, tmp_path / file.name)
    database = Database(f"sqlite:///{tmp_path / 'allianssi.db'}")
    clock.now = now
    p = Procurement(database, clock, demo_directory())
    p.instance_id = instance_id
    yield p
    database.dispose()
