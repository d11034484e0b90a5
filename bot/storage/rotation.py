"""Re-encrypting every stored secret under the current first key, so that old keys can be retired.

Rotation in three steps: put the new key first in ``ENCRYPTION_KEY`` (``new,old``) and restart; run
``python -m bot rotate-keys``; then drop the old key. Each row is rewritten in its own short transaction.
"""

from __future__ import annotations

from sqlalchemy import inspect, select, update

from bot.storage.cipher import SecretCipher
from bot.storage.database import Database
from bot.storage.models import Base, Booking, Class, OAuthState, ZoomConfirmation, ZoomConnection
from bot.storage.slack_tokens import seal_slack_tokens

# Every column that holds a secret or a private link, by table (Slack's tokens: ``bot.storage.slack_tokens``).
ENCRYPTED_COLUMNS: dict[type[Base], tuple[str, ...]] = {
    ZoomConnection: ("access_token_enc", "refresh_token_enc"),
    OAuthState: ("code_verifier_enc",),
    ZoomConfirmation: ("grant_enc",),
    Class: ("meeting_join_url_enc",),
    Booking: ("join_url_enc",),
}


async def rotate_keys(database: Database, cipher: SecretCipher) -> int:
    """Rewrite every encrypted value under the first key; returns how many values were rewritten."""
    rewritten = 0
    for model, columns in ENCRYPTED_COLUMNS.items():
        key = inspect(model).primary_key[0]
        async with database.read() as session:
            rows = (await session.execute(select(key, *(getattr(model, c) for c in columns)))).all()
        for row in rows:
            values = {
                column: cipher.rotate(value)
                for column, value in zip(columns, row[1:], strict=True)
                if value is not None
            }
            if not values:
                continue
            async with database.write() as session:
                await session.execute(update(model).where(key == row[0]).values(**values))
            rewritten += len(values)
    return rewritten + await seal_slack_tokens(database, cipher, rotate=True)
