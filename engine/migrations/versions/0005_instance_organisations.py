"""instance_organisations: who has taken part in an instance, for listing a user's procurements

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instance_organisations",
        sa.Column("instance_id", sa.String(length=32), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["instances.id"]),
        sa.PrimaryKeyConstraint("instance_id", "organisation"),
    )
    op.create_index("ix_instance_organisations_organisation", "instance_organisations", ["organisation"])


def downgrade() -> None:
    op.drop_index("ix_instance_organisations_organisation", table_name="instance_organisations")
    op.drop_table("instance_organisations")
