"""inbox in SQL: each open task's assignment row carries what the inbox filters and sorts by

An actor's inbox page is then read in order from one index per (organisation, role): claimed tasks
leave others' inboxes (claimed_by), due dates first and the rest last (due_sort: due_at, or the far
future without one), oldest first; instance and phase for the filters.

Revision ID: 0011
Revises: 0010
"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

FAR_FUTURE = datetime(9999, 12, 31, tzinfo=timezone.utc)


def upgrade() -> None:
    with op.batch_alter_table("open_task_organisations") as batch:
        batch.add_column(sa.Column("instance_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("claimed_by", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("due_sort", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("phase", sa.String(length=100), nullable=True))
    sqlite = op.get_bind().dialect.name == "sqlite"
    far = FAR_FUTURE.replace(tzinfo=None) if sqlite else FAR_FUTURE  # stored as the model's UTCDateTime does
    task = "(SELECT {} FROM open_tasks WHERE open_tasks.id = open_task_organisations.task_id)"
    op.get_bind().execute(sa.text(
        f"UPDATE open_task_organisations SET instance_id = {task.format('instance_id')}, "
        f"claimed_by = {task.format('claimed_by')}, due_sort = COALESCE({task.format('due_at')}, :far), "
        f"created_at = {task.format('created_at')}, phase = {task.format('phase')}").bindparams(
        sa.bindparam("far", far, type_=sa.DateTime(timezone=True))))
    with op.batch_alter_table("open_task_organisations") as batch:
        batch.alter_column("instance_id", existing_type=sa.String(length=32), nullable=False)
        batch.alter_column("due_sort", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.alter_column("created_at", existing_type=sa.DateTime(timezone=True), nullable=False)
    # partial: "claimed_by IS NULL" is no equality to the planner, so it would not read the order from the index
    unclaimed = sa.text("claimed_by IS NULL")
    op.create_index("ix_open_task_organisations_inbox", "open_task_organisations",
                    ["organisation", "role", "due_sort", "created_at", "task_id"],
                    postgresql_where=unclaimed, sqlite_where=unclaimed)
    op.create_index("ix_open_task_organisations_choices", "open_task_organisations",
                    ["organisation", "role", "phase", "instance_id"],
                    postgresql_where=unclaimed, sqlite_where=unclaimed)


def downgrade() -> None:
    op.drop_index("ix_open_task_organisations_choices", table_name="open_task_organisations")
    op.drop_index("ix_open_task_organisations_inbox", table_name="open_task_organisations")
    with op.batch_alter_table("open_task_organisations") as batch:
        for column in ("phase", "created_at", "due_sort", "claimed_by", "instance_id"):
            batch.drop_column(column)
