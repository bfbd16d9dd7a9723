"""index audit_events.task_id: telling a task done already from a forged id without a full scan

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_events_task_id", "audit_events", ["task_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_task_id", table_name="audit_events")
