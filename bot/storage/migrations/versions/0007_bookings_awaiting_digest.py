"""Bookings remember whether the teacher has heard of them, so a booking no longer rewrites a shared job.

A teacher's digest of new bookings used to be one job per class per window whose payload every booking
rewrote, which made each booking wait for the one before it to commit. Now a booking only marks itself
(``awaits_digest``) and makes sure a digest job exists; the digest reads the marked bookings when it runs.

Digest jobs still waiting from before keep their word: their bookings are marked, and the jobs lose their
window key (a new booking then queues a job of its own; the old one finds its bookings by the mark).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 03:00:00.000000
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("bookings", sa.Column("awaits_digest", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.create_index(
        "ix_bookings_awaiting_digest",
        "bookings",
        ["class_id"],
        postgresql_where=sa.text("awaits_digest"),
        sqlite_where=sa.text("awaits_digest"),
    )
    _carry_waiting_digests()


def _carry_waiting_digests() -> None:
    bind = op.get_bind()
    waiting = bind.execute(
        sa.text("SELECT id, payload FROM jobs WHERE kind = 'booking.digest' AND status IN ('pending', 'running')")
    ).all()
    for job_id, payload in waiting:
        digest = json.loads(payload) if isinstance(payload, str) else payload
        booking_ids = [int(i) for i in digest.get("booking_ids", [])]
        if booking_ids:
            bind.execute(
                sa.text("UPDATE bookings SET awaits_digest = true WHERE id IN :ids").bindparams(
                    sa.bindparam("ids", expanding=True)
                ),
                {"ids": booking_ids},
            )
        bind.execute(
            sa.text("UPDATE jobs SET dedupe_key = NULL, payload = :payload WHERE id = :id"),
            {"id": job_id, "payload": json.dumps({"class_id": int(digest["class_id"])})},
        )


def downgrade() -> None:
    op.drop_index("ix_bookings_awaiting_digest", table_name="bookings")
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("awaits_digest")
