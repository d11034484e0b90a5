"""The card provider's payment page opened for a held seat, so that it can be closed when the hold ends.

``bookings.checkout_session_id``: the Stripe Checkout Session where the parent pays for a seat held for them.
Stripe keeps a session payable at least 30 minutes; ClassBot expires it through Stripe's API when the hold runs
out or the booking is cancelled, so no payment starts after the hold.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 23:35:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("bookings", sa.Column("checkout_session_id", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("checkout_session_id")
