"""Each class's next session start, kept on its row: ``classes.next_starts_at``, indexed.

Lists of classes (App Home, /classes, a group's, a teacher's) showed each class with its next session, found by an
index probe of ``class_sessions`` per class: for someone in every channel of a big workspace, thousands of
probes, or a read of all of ``classes`` to join them. With the start on the row a list is one walk of
``ix_classes_next_start`` (partial: a cancelled or finished class has none).

The backfill gives every scheduled class its first scheduled session after the database's clock; a class whose
sessions are all past, or a cancelled one, gets none. A start that passes later is moved on by the housekeeping,
and lists read a passed one correctly meanwhile (``bot.storage.next_starts``).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 04:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEPT = "next_starts_at IS NOT NULL"


def upgrade() -> None:
    op.add_column("classes", sa.Column("next_starts_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        """UPDATE classes SET next_starts_at = (
               SELECT min(s.starts_at) FROM class_sessions s
               WHERE s.class_id = classes.id AND s.status = 'scheduled' AND s.starts_at > CURRENT_TIMESTAMP)
           WHERE status = 'scheduled'"""
    )
    op.create_index(
        "ix_classes_next_start",
        "classes",
        ["next_starts_at", "id"],
        postgresql_where=sa.text(_KEPT),
        sqlite_where=sa.text(_KEPT),
    )


def downgrade() -> None:
    op.drop_index("ix_classes_next_start", table_name="classes")
    with op.batch_alter_table("classes") as batch:
        batch.drop_column("next_starts_at")
