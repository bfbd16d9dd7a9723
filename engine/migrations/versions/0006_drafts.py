"""drafts: designers' unfinished bundles, stored and audited but not deployed

Revision ID: 0006_drafts
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_drafts"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=True),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_drafts_process_id", "drafts", ["process_id"])


def downgrade() -> None:
    op.drop_index("ix_drafts_process_id", table_name="drafts")
    op.drop_table("drafts")
