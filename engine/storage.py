"""The database: connections, transactions and migrations, for SQLite and PostgreSQL.

Every command runs in one write transaction. On PostgreSQL the instance row is
locked with SELECT … FOR UPDATE; SQLite has one writer at a time, so write
transactions start with BEGIN IMMEDIATE and wait (busy timeout) rather than
fail half-way. Reads use ordinary transactions so they never queue behind a
writer, each on one snapshot (REPEATABLE READ on PostgreSQL; SQLite's WAL
readers have one already).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_engine(url: str, immediate: bool) -> SqlEngine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    def __init__(self, url: str):
        if url.startswith(("postgresql://", "postgres://")):  # psycopg 3 is the driver we ship
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._writer = _sqlite_engine(url, immediate=True)
            self._reader = _sqlite_engine(url, immediate=False)
        else:
            self._writer = create_engine(url, pool_pre_ping=True)
            # Reads see one snapshot for their whole transaction: a task and its organisations, read by two
            # statements, cannot come from either side of a concurrent commit (READ COMMITTED's read skew).
            self._reader = self._writer.execution_options(isolation_level="REPEATABLE READ")
        self._write_sessions = sessionmaker(self._writer, expire_on_commit=False)
        self._read_sessions = sessionmaker(self._reader, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """The one place that commits: everything inside lands together or not at all."""
        with self._write_sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read_sessions() as session, session.begin():
            yield session

    def migrate(self) -> None:
        """Create or upgrade the tables (Alembic, to the newest revision)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self._writer.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()

    def ping(self) -> None:
        """Raise (SQLAlchemy's OperationalError) unless the database answers."""
        with self._reader.connect() as connection:
            connection.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        self._writer.dispose()
        if self.is_sqlite:  # on PostgreSQL the reader shares the writer's pool
            self._reader.dispose()
