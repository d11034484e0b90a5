"""A cancelled class remembers the request that cancelled it, so that the same request delivered again (Telegram
sends an update again when the process died before answering it) is answered as the first delivery was.

``classes.cancel_request``: the request key of the teacher's "Yes, cancel the class"; empty for a class cancelled
by ClassBot itself, for one cancelled before this column, and for one still scheduled.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 22:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("classes", sa.Column("cancel_request", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("classes") as batch:
        batch.drop_column("cancel_request")
