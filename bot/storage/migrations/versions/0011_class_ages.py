"""Classes may say which ages they are for, and a child's age is remembered with their name.

``classes.age_min`` / ``age_max``: the teacher's range (both empty: any age), shown on the card and used by
``/classes 8``. ``children.age``: the age a parent gave with the child's name, so the next booking carries it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 17:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("classes", sa.Column("age_min", sa.Integer(), nullable=True))
    op.add_column("classes", sa.Column("age_max", sa.Integer(), nullable=True))
    op.add_column("children", sa.Column("age", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("children") as batch:
        batch.drop_column("age")
    with op.batch_alter_table("classes") as batch:
        batch.drop_column("age_max")
        batch.drop_column("age_min")
