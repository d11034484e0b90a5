"""Paid classes: a price per child on a class, seats held while a parent pays, and the payments made.

``classes.price_amount`` / ``price_currency``: both empty for a free class. ``bookings.hold_until``: when an
``awaiting_payment`` seat goes back. ``payments``: one row per provider charge (unique), kept for the accounts.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 19:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("classes", sa.Column("price_amount", sa.Integer(), nullable=True))
    op.add_column("classes", sa.Column("price_currency", sa.String(length=3), nullable=True))
    op.add_column("bookings", sa.Column("hold_until", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=24), nullable=False),
        sa.Column("provider_charge_id", sa.String(length=200), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("payer_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("refunded_amount", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_payments_booking_id_bookings"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_payments_class_id_classes"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"], ["people.id"], name=op.f("fk_payments_payer_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("provider", "provider_charge_id", name=op.f("uq_payments_provider_provider_charge_id")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_booking_id"), ["booking_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_payer_id"), ["payer_id"], unique=False)


def downgrade() -> None:
    op.drop_table("payments")
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("hold_until")
    with op.batch_alter_table("classes") as batch:
        batch.drop_column("price_currency")
        batch.drop_column("price_amount")
