"""Slack tokens encrypted: room in slack-sdk's token columns for their Fernet ciphertext.

ClassBot stores Slack's bot, user and refresh tokens encrypted (``bot.storage.slack_tokens``). A Fernet token is
about 2.7 times as long as what it holds, more than slack-sdk's 200 characters for a long (rotating) token, so
the token columns grow to 1,000. Tokens already stored in clear are encrypted by the application, which has the
keys, when the multi-workspace Slack front end starts (and by ``rotate-keys``), not by this migration.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 21:58:10.204511
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TOKEN_COLUMNS = {
    "slack_bots": ("bot_token", "bot_refresh_token"),
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
}


def upgrade() -> None:
    for table, columns in _TOKEN_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(
                    column, existing_type=sa.String(length=200), type_=sa.String(length=1000), existing_nullable=True
                )


def downgrade() -> None:
    for table, columns in _TOKEN_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(
                    column, existing_type=sa.String(length=1000), type_=sa.String(length=200), existing_nullable=True
                )
