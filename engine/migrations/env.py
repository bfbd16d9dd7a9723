"""Alembic environment: the connection comes from engine.storage.Database.migrate()."""

from alembic import context

from engine.models import Base

connection = context.config.attributes.get("connection")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
