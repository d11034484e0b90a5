"""The teacher's refund rule for a paid class.

``classes.refund_hours``: a parent who cancels a paid booking until this many hours before the class's first
session gets the whole price back, nothing after (0: until the class starts). Existing classes get 24, the rule
every paid class had until now, so nothing changes for parents who already paid.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 01:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("classes", sa.Column("refund_hours", sa.Integer(), server_default=sa.text("24"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("classes") as batch:
        batch.drop_column("refund_hours")
