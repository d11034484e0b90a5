"""Slack's tokens at rest: encrypted in slack-sdk's installation tables with the same keys as every other secret.

slack-sdk's SQLAlchemy installation store writes bot, user and refresh tokens as plain strings.
``EncryptedToken`` is the column type that ClassBot puts on those columns instead: Fernet on the way in, and back
on the way out, so the store (and Bolt above it) works unchanged while the database only ever holds ciphertext.

A token written in clear before encryption existed still reads (a Fernet token and a Slack token cannot be
mistaken for each other), and ``seal_slack_tokens`` encrypts such rows at start-up of a multi-workspace Slack
front end; ``rotate-keys`` does the same and also re-encrypts the sealed ones under the current first key.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from bot.storage.cipher import SecretCipher
from bot.storage.database import Database
from bot.storage.rewrite import RowRewrite, rewrite_rows

# Room for a Fernet token of a 255-character Slack token (Slack's documented upper bound), with margin.
TOKEN_LENGTH = 1000
# Every Fernet token starts with its version byte 0x80 and a timestamp, base64: "gAAAAA"; no Slack token does.
_SEALED_PREFIX = "gAAAAA"

# The token columns of slack-sdk's tables (slack-sdk 3.48), by table.
TOKEN_COLUMNS: dict[str, tuple[str, ...]] = {
    "slack_bots": ("bot_token", "bot_refresh_token"),
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
}


def is_sealed(stored: str) -> bool:
    return stored.startswith(_SEALED_PREFIX)


class EncryptedToken(TypeDecorator[str]):
    """A string column stored encrypted with ``cipher``; a value stored in clear earlier reads as it is."""

    impl = String(TOKEN_LENGTH)
    cache_ok = True  # the cipher (compared by identity) is part of the cache key: see ``cipher`` below

    def __init__(self, cipher: SecretCipher) -> None:
        super().__init__()
        self.cipher = cipher  # named as the parameter, so SQLAlchemy's statement cache tells ciphers apart

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.cipher.encrypt(value).decode("ascii")

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or not is_sealed(value):
            return value
        return self.cipher.decrypt(value.encode("ascii"))


def encrypt_token_columns(table: Table, cipher: SecretCipher) -> None:
    """Give ``table``'s token columns the encrypted type (before any statement uses the table)."""
    for name in TOKEN_COLUMNS[table.name]:
        table.c[name].type = EncryptedToken(cipher)


def _raw_tables() -> list[Table]:
    """The token columns as stored (ciphertext or clear), for rewriting them without decrypting on read."""
    metadata = MetaData()
    return [
        Table(name, metadata, Column("id", Integer, primary_key=True), *(Column(c, String) for c in columns))
        for name, columns in TOKEN_COLUMNS.items()
    ]


def slack_token_rewrites(cipher: SecretCipher, *, rotate: bool) -> list[RowRewrite]:
    """Encrypt every Slack token stored in clear and, with ``rotate``, re-encrypt the others under the first key."""

    def rewrite(stored: str) -> str | None:
        if not is_sealed(stored):
            return cipher.encrypt(stored).decode("ascii")
        return cipher.rotate(stored.encode("ascii")).decode("ascii") if rotate else None

    return [RowRewrite(table, TOKEN_COLUMNS[table.name], rewrite) for table in _raw_tables()]


async def seal_slack_tokens(database: Database, cipher: SecretCipher) -> int:
    """Encrypt every Slack token stored in clear; returns how many were. A row the store writes meanwhile is kept
    as the store wrote it (``bot.storage.rewrite``); ``rotate-keys`` re-encrypts the sealed ones too."""
    return await rewrite_rows(database, slack_token_rewrites(cipher, rotate=False))
