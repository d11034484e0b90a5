"""A job remembers when it first failed, so that how long it has been failing is known across its retries.

``jobs.first_failed_at``: written at a job's first failure, empty until then. The retry policy bounds by it how
long a job waits out a chat platform's outage.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 20:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("first_failed_at")
