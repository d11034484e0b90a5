"""Re-encrypting every stored secret under the current first key, so that old keys can be retired.

Rotation in three steps: put the new key first in ``ENCRYPTION_KEY`` (``new,old``) and restart; run
``python -m bot rotate-keys``; then drop the old key. It may run while the bot serves: each row is rewritten in
its own short transaction and only if it still holds what was read, so a Zoom or Slack token refreshed meanwhile,
or a join link cleared meanwhile, is kept as the bot left it (``bot.storage.rewrite``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.storage.cipher import SecretCipher
from bot.storage.database import Database
from bot.storage.models import Base, Booking, Class, OAuthState, ZoomConfirmation, ZoomConnection
from bot.storage.prepared import table_of
from bot.storage.rewrite import RowRewrite, rewrite_rows
from bot.storage.slack_tokens import slack_token_rewrites

# Every column that holds a secret or a private link, by table (Slack's tokens: ``bot.storage.slack_tokens``).
ENCRYPTED_COLUMNS: dict[type[Base], tuple[str, ...]] = {
    ZoomConnection: ("access_token_enc", "refresh_token_enc"),
    OAuthState: ("code_verifier_enc",),
    ZoomConfirmation: ("grant_enc",),
    Class: ("meeting_join_url_enc",),
    Booking: ("join_url_enc",),
}


async def rotate_keys(
    database: Database, cipher: SecretCipher, *, after_read: Callable[[], Awaitable[None]] | None = None
) -> int:
    """Rewrite every encrypted value under the first key; returns how many values were rewritten.

    ``after_read``: see ``rewrite_rows`` (a seam for tests to change rows between the read and the writes).
    """
    plans = [RowRewrite(table_of(model), columns, cipher.rotate) for model, columns in ENCRYPTED_COLUMNS.items()]
    plans += slack_token_rewrites(cipher, rotate=True)
    return await rewrite_rows(database, plans, after_read=after_read)
