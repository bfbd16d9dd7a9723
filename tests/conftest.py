"""Shared fixtures: real databases (a SQLite file, and PostgreSQL when a URL is given)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine import Database, read_bundle

POSTGRES_URL = os.environ.get("ALLIANSSI_TEST_POSTGRES_URL")
ROOT = Path(__file__).resolve().parent.parent


def _postgres_database() -> Iterator[Database]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    assert POSTGRES_URL
    name = f"allianssi_test_{uuid.uuid4().hex[:12]}"
    admin_url = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database = Database(admin_url.rsplit("/", 1)[0] + "/" + name)
    try:
        database.migrate()
        yield database
    finally:
        database.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _sqlite_database(path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{path}")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """Every storage test runs on both backends; PostgreSQL only when ALLIANSSI_TEST_POSTGRES_URL is set."""
    if request.param == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("PostgreSQL tests need ALLIANSSI_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)")
        yield from _postgres_database()
    else:
        yield from _sqlite_database(tmp_path / "allianssi.db")


@pytest.fixture
def postgres_database() -> Iterator[Database]:
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need ALLIANSSI_TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    yield from _postgres_database()


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    yield from _sqlite_database(tmp_path / "allianssi.db")


@pytest.fixture(scope="session")
def awarded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, datetime]:
    """One procurement driven once through the real diagrams to a signed contract (kainuu, kajaani
    and sotkamo joined; vaara-osaamis won): its SQLite file is copied for each alliance-phase test,
    which then goes on through the real engine (tests/workflows `awarded`, the web pages)."""
    from tests.workflows import scenario
    from tests.workflows.driver import DIAGRAMS, Clock, Procurement
    from workflows.directory import demo_directory
    from workflows.service import build_engine

    folder = tmp_path_factory.mktemp("awarded")
    database = Database(f"sqlite:///{folder / 'allianssi.db'}")
    database.migrate()
    clock = Clock()
    build_engine(database, demo_directory(), clock).deploy(read_bundle(DIAGRAMS), "designer")
    p = Procurement(database, clock, demo_directory())
    scenario.through_award(p)
    database.dispose()  # checkpoints the WAL into the file
    return folder, p.instance_id, clock.now


def copy_awarded(folder: Path, target: Path) -> str:
    """Copy the prepared database into `target`; returns its URL."""
    for file in folder.glob("allianssi.db*"):
        shutil.copy(file, target / file.name)
    return f"sqlite:///{target / 'allianssi.db'}"
