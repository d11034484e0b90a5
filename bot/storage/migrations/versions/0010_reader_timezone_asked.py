"""People remember whether ClassBot asked them their timezone.

A class's time is shown in the class's timezone and, for a reader who lives elsewhere, in theirs too
(``people.timezone``). Slack tells each user's zone; Telegram does not, so a parent is asked once, after a
booking. ``timezone_asked`` keeps that question from coming back after every booking of someone who let it be.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("people", sa.Column("timezone_asked", sa.Boolean(), server_default=sa.text("false"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("timezone_asked")
