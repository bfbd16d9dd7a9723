"""inbox in SQL, the claimed half: open tasks carry their inbox sort key (due_sort: due_at, or the far
future without one), with a partial index (claimed_by, due_sort, created_at, id), so the tasks an actor
claimed are read in inbox order from an index instead of sorted on an expression at every page. The
plain index on claimed_by goes: the partial one serves its look-ups.

Revision ID: 0012
Revises: 0011
"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

FAR_FUTURE = datetime(9999, 12, 31, tzinfo=timezone.utc)


def upgrade() -> None:
    with op.batch_alter_table("open_tasks") as batch:
        batch.add_column(sa.Column("due_sort", sa.DateTime(timezone=True), nullable=True))
    sqlite = op.get_bind().dialect.name == "sqlite"
    far = FAR_FUTURE.replace(tzinfo=None) if sqlite else FAR_FUTURE  # stored as the model's UTCDateTime does
    op.get_bind().execute(sa.text("UPDATE open_tasks SET due_sort = COALESCE(due_at, :far)").bindparams(
        sa.bindparam("far", far, type_=sa.DateTime(timezone=True))))
    with op.batch_alter_table("open_tasks") as batch:
        batch.alter_column("due_sort", existing_type=sa.DateTime(timezone=True), nullable=False)
    claimed = sa.text("claimed_by IS NOT NULL")
    op.create_index("ix_open_tasks_claimed_inbox", "open_tasks", ["claimed_by", "due_sort", "created_at", "id"],
                    postgresql_where=claimed, sqlite_where=claimed)
    # it answers every `claimed_by = …` the plain index did; left beside it, the planner preferred the plain one
    # and sorted the claimed tasks again
    op.drop_index("ix_open_tasks_claimed_by", table_name="open_tasks")


def downgrade() -> None:
    op.create_index("ix_open_tasks_claimed_by", "open_tasks", ["claimed_by"])
    op.drop_index("ix_open_tasks_claimed_inbox", table_name="open_tasks")
    with op.batch_alter_table("open_tasks") as batch:
        batch.drop_column("due_sort")
