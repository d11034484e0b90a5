"""A person's chosen child's age for the classes listed to them, kept between redraws.

``people.listing_age``: the age picked in Slack's Home tab menu (empty: any age). The tab is drawn again by
every direct message the person gets; reading the age from the person, not from the tab pressed, keeps it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 22:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("people", sa.Column("listing_age", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("listing_age")
