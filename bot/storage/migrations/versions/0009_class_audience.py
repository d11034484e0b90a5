"""Classes say who may see and book them: ``anyone_with_link`` besides their communities' members.

A class used to be open to whoever found it: any private /classes listed every class published in any group.
Now a class is seen by its teacher, the parents booked in it, the members of the communities it is published in
and, when its teacher chose "anyone with the link", whoever holds its share link.

Existing classes keep working as their teachers meant them: a class never published anywhere was made in a
private chat to be shared by its link, so it opens to anyone with the link; a published class is for the
members of its communities.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "classes", sa.Column("anyone_with_link", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )
    op.execute(
        sa.text(
            "UPDATE classes SET anyone_with_link = true "
            "WHERE NOT EXISTS (SELECT 1 FROM publications WHERE publications.class_id = classes.id)"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("classes") as batch:
        batch.drop_column("anyone_with_link")
