"""notifications (the outbox) and instance_clocks (a demonstration's clock moved per instance)

Revision ID: 0007
Revises: 0006_drafts
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("instance_id", sa.String(length=32), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("recipient", "key"),
    )
    op.create_index("ix_notifications_unsent", "notifications", ["sent_at", "next_attempt_at"])
    op.create_index("ix_notifications_instance_id", "notifications", ["instance_id"])
    op.create_table(
        "instance_clocks",
        sa.Column("instance_id", sa.String(length=32), nullable=False),
        sa.Column("offset_seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["instances.id"]),
        sa.PrimaryKeyConstraint("instance_id"),
    )


def downgrade() -> None:
    op.drop_table("instance_clocks")
    op.drop_index("ix_notifications_instance_id", table_name="notifications")
    op.drop_index("ix_notifications_unsent", table_name="notifications")
    op.drop_table("notifications")
