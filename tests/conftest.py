"""Shared fixtures: real databases (a SQLite file, and PostgreSQL when a URL is given)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine import Database

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
