"""slack-sdk's installation and OAuth state stores on ClassBot's engine, with the token columns encrypted.

The installation store is slack-sdk's own with one change: its token columns hold ciphertext
(``bot.storage.slack_tokens``), so Bolt uses it as it is while the database holds no token in clear. The tables
come from migrations 0003 and 0004, never from the stores' ``create_tables()``; ``store_tables`` describes them
for the schema comparisons.
"""

from __future__ import annotations

import logging

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, String, Table
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.cipher import SecretCipher
from bot.storage.slack_tokens import TOKEN_COLUMNS, TOKEN_LENGTH, encrypt_token_columns


class EncryptedInstallationStore(AsyncSQLAlchemyInstallationStore):
    """slack-sdk's installation store whose token columns hold ciphertext: the tables as slack-sdk defines them,
    with token columns wide enough for their encryption (``build_*_table``), encrypting on the way in and
    decrypting on the way out (``__init__``). Every query of the store stays slack-sdk's own."""

    def __init__(self, client_id: str, engine: AsyncEngine, cipher: SecretCipher, logger: logging.Logger) -> None:
        super().__init__(client_id=client_id, engine=engine, logger=logger)
        encrypt_token_columns(self.bots, cipher)
        encrypt_token_columns(self.installations, cipher)

    @classmethod
    def build_bots_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _widened(super().build_bots_table(metadata, table_name))

    @classmethod
    def build_installations_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _widened(super().build_installations_table(metadata, table_name))


def _widened(table: Table) -> Table:
    for name in TOKEN_COLUMNS[table.name]:
        table.c[name].type = String(TOKEN_LENGTH)
    return table


def store_tables() -> MetaData:
    """The tables of slack-sdk's installation and state stores, as ClassBot's stores define them."""
    metadata = MetaData()
    EncryptedInstallationStore.build_bots_table(metadata, EncryptedInstallationStore.default_bots_table_name)
    EncryptedInstallationStore.build_installations_table(
        metadata, EncryptedInstallationStore.default_installations_table_name
    )
    AsyncSQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, AsyncSQLAlchemyOAuthStateStore.default_table_name)
    return metadata
