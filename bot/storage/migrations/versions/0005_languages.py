"""Languages: whether a person chose theirs, and each community's language for announcements.

``people.language`` exists since 0001; ``language_chosen`` marks a choice made with /language, which the
platform's language no longer overrides. ``communities.language`` is the language of what the bot posts there
(NULL is English). Both are nullable, so existing rows need no backfill.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 22:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Adding a nullable column is a plain ALTER TABLE on SQLite too: no batch copy of the table is needed.
    op.add_column("people", sa.Column("language_chosen", sa.Boolean(), nullable=True))
    op.add_column("communities", sa.Column("language", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("communities") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("language_chosen")
