"""Zoom connections are confirmed before they are stored, and a held Zoom account moves only when its holder agrees.

``zoom_confirmations`` keeps an authorization back from Zoom until its browser confirms it; ``zoom_handovers``
keeps a request for a Zoom account someone else holds until that person answers. OAuth states remember the
asker's handle (to name them on the confirmation page) and when they were used (so a replay can be told to them).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 15:50:13.454100
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "zoom_confirmations",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("handle", sa.String(length=64), nullable=False),
        sa.Column("zoom_user_id", sa.String(length=64), nullable=False),
        sa.Column("grant_enc", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_zoom_confirmations_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_zoom_confirmations")),
    )
    with op.batch_alter_table("zoom_confirmations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zoom_confirmations_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_zoom_confirmations_zoom_user_id"), ["zoom_user_id"], unique=False)

    op.create_table(
        "zoom_handovers",
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("asker_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asker_id"], ["people.id"], name=op.f("fk_zoom_handovers_asker_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["zoom_connections.id"],
            name=op.f("fk_zoom_handovers_connection_id_zoom_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["people.id"], name=op.f("fk_zoom_handovers_holder_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("public_id", name=op.f("pk_zoom_handovers")),
    )
    with op.batch_alter_table("zoom_handovers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zoom_handovers_asker_id"), ["asker_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_zoom_handovers_connection_id"), ["connection_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_zoom_handovers_expires_at"), ["expires_at"], unique=False)

    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handle", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(sa.Column("used_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.drop_column("used_at")
        batch_op.drop_column("handle")

    with op.batch_alter_table("zoom_handovers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zoom_handovers_expires_at"))
        batch_op.drop_index(batch_op.f("ix_zoom_handovers_connection_id"))
        batch_op.drop_index(batch_op.f("ix_zoom_handovers_asker_id"))

    op.drop_table("zoom_handovers")
    with op.batch_alter_table("zoom_confirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zoom_confirmations_zoom_user_id"))
        batch_op.drop_index(batch_op.f("ix_zoom_confirmations_expires_at"))

    op.drop_table("zoom_confirmations")
