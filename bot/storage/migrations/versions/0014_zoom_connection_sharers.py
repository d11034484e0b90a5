"""People who share one Zoom connection with its holder (one person on Telegram and Slack, say).

``zoom_connection_sharers``: one row per person who uses another person's Zoom connection, which its holder
agreed to; the connection keeps its one token set, refreshed once for everyone who uses it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "zoom_connection_sharers",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["zoom_connections.id"],
            name=op.f("fk_zoom_connection_sharers_connection_id_zoom_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_zoom_connection_sharers_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_zoom_connection_sharers")),
    )
    with op.batch_alter_table("zoom_connection_sharers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zoom_connection_sharers_connection_id"), ["connection_id"], unique=False)


def downgrade() -> None:
    op.drop_table("zoom_connection_sharers")
