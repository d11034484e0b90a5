"""Indexes for lists of classes and for failed waiting jobs, so neither reads more as the data grows.

Lists of classes (/classes, a teacher's classes, a community's) walk upcoming sessions in start order and keep
each class's first one; ``(class_id, starts_at)`` makes "is there an earlier upcoming session of this class" an
index probe, so a list costs about as many rows as it shows, however many classes there are.

``ix_jobs_failed_waiting`` covers only pending jobs that failed before: when a person opens the bot's chat,
the messages that could not reach them are found among those few, not among every future reminder.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_FAILED_WAITING = "status = 'pending' AND last_error IS NOT NULL"


def upgrade() -> None:
    op.create_index("ix_class_sessions_class_start", "class_sessions", ["class_id", "starts_at"])
    op.create_index(
        "ix_jobs_failed_waiting",
        "jobs",
        ["run_at"],
        postgresql_where=sa.text(_FAILED_WAITING),
        sqlite_where=sa.text(_FAILED_WAITING),
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_failed_waiting", table_name="jobs")
    op.drop_index("ix_class_sessions_class_start", table_name="class_sessions")
