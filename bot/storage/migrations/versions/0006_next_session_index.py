"""Next session index: a class's first upcoming session found by one index probe.

Lists of classes (/classes, a teacher's classes, a community's) walk upcoming sessions in start order and keep
each class's first one; ``(class_id, starts_at)`` makes "is there an earlier upcoming session of this class" an
index probe, so a list costs about as many rows as it shows, however many classes there are.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 00:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_class_sessions_class_start", "class_sessions", ["class_id", "starts_at"])


def downgrade() -> None:
    op.drop_index("ix_class_sessions_class_start", table_name="class_sessions")
