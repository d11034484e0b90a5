"""People remember whether their timezone is their own choice or only what their platform said.

``people.timezone`` is filled from Slack's profile as soon as ClassBot meets someone there; a teacher's new classes
are read in their own choice first, then in their Zoom profile's zone (the product's default), and only then in
the platform's. ``timezone_chosen`` tells the first from the last. On Telegram a stored zone was always chosen
(/timezone, or the answer to the question parents are asked once), so those rows are marked chosen.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("people", sa.Column("timezone_chosen", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.execute("UPDATE people SET timezone_chosen = true WHERE platform = 'telegram' AND timezone IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("timezone_chosen")
