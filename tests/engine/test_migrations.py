"""The Alembic migrations build exactly the tables the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine import Database
from engine.models import Base


def test_migrations_match_the_models(database: Database) -> None:
    with database._writer.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_migrating_again_is_harmless(database: Database) -> None:
    database.migrate()  # already at the newest revision: nothing to do, nothing lost
    test_migrations_match_the_models(database)
