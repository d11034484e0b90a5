"""Slack's tokens at rest: slack-sdk's store, as ClassBot builds it, writes ciphertext and reads the token back;
rotate-keys re-encrypts them under the new key, encrypts any stored in clear, and keeps a token refreshed meanwhile."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from sqlalchemy import text

from bot.handlers.slack.installations import EncryptedInstallationStore
from bot.storage.cipher import SecretCipher, SecretUnreadable
from bot.storage.database import Database
from bot.storage.migrate import upgrade_to_head
from bot.storage.rotation import rotate_keys

BOT_TOKEN = "xoxe.xoxb-1-" + "M" * 160  # a long rotating token: its ciphertext needs the wider columns
REFRESH_TOKEN = "xoxe-1-" + "R" * 140
USER_TOKEN = "xoxp-2-3-user"


def _installation(team_id: str, installed_at: float) -> Installation:
    return Installation(
        app_id="A1",
        team_id=team_id,
        bot_token=BOT_TOKEN,
        bot_refresh_token=REFRESH_TOKEN,
        bot_token_expires_in=43200,
        bot_id="B1",
        bot_user_id="U0BOT",
        bot_scopes="commands,chat:write",
        user_id="U1",
        user_token=USER_TOKEN,
        installed_at=installed_at,
    )


async def _stored(database: Database) -> list[str]:
    async with database.read() as session:
        bots = (await session.execute(text("SELECT bot_token, bot_refresh_token FROM slack_bots"))).all()
        installs = await session.execute(
            text("SELECT bot_token, bot_refresh_token, user_token, user_refresh_token FROM slack_installations")
        )
        return [value for row in [*bots, *installs.all()] for value in row if value is not None]


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database.connect(database_url)
    try:
        await upgrade_to_head(database)
        yield database
    finally:
        await database.dispose()


async def test_the_store_keeps_ciphertext_and_hands_bolt_the_token(database: Database) -> None:
    cipher = SecretCipher([Fernet.generate_key().decode()])
    store = EncryptedInstallationStore("C1", database.engine, cipher, logging.getLogger("test"))
    await store.async_save(_installation("T1", datetime.now(UTC).timestamp()))
    stored = await _stored(database)
    bot = await store.async_find_bot(enterprise_id=None, team_id="T1")
    found = await store.async_find_installation(enterprise_id=None, team_id="T1", user_id="U1")

    assert len(stored) == 5  # two in slack_bots, three in slack_installations
    assert all(value.startswith("gAAAAA") for value in stored)  # Fernet tokens
    assert not any(token in value for token in (BOT_TOKEN, REFRESH_TOKEN, USER_TOKEN) for value in stored)
    assert bot is not None
    assert (bot.bot_token, bot.bot_refresh_token) == (BOT_TOKEN, REFRESH_TOKEN)
    assert found is not None
    assert (found.bot_token, found.user_token) == (BOT_TOKEN, USER_TOKEN)


async def test_rotate_keys_reencrypts_slack_tokens_and_encrypts_those_in_clear(database: Database) -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    store = EncryptedInstallationStore("C1", database.engine, SecretCipher([old_key]), logging.getLogger("test"))
    in_clear = AsyncSQLAlchemyInstallationStore("C1", database.engine)  # as an older ClassBot wrote tokens
    await store.async_save(_installation("T1", 1_700_000_000.0))
    await in_clear.async_save_bot(
        Bot(app_id="A1", team_id="T2", bot_token="xoxb-in-clear", bot_id="B2", bot_user_id="U0B2", installed_at=1.0)
    )
    rewritten = await rotate_keys(database, SecretCipher([new_key, old_key]))
    stored = await _stored(database)
    only_new = EncryptedInstallationStore("C1", database.engine, SecretCipher([new_key]), logging.getLogger("t"))
    first = await only_new.async_find_bot(enterprise_id=None, team_id="T1")
    second = await only_new.async_find_bot(enterprise_id=None, team_id="T2")

    assert rewritten == 6  # five sealed tokens re-encrypted, one clear token encrypted
    assert first is not None
    assert first.bot_token == BOT_TOKEN
    assert second is not None
    assert second.bot_token == "xoxb-in-clear"
    assert all(value.startswith("gAAAAA") for value in stored)
    assert not any(token in value for token in (BOT_TOKEN, "xoxb-in-clear") for value in stored)
    with pytest.raises(SecretUnreadable):
        SecretCipher([old_key]).decrypt(stored[0].encode())


async def test_a_slack_token_rotated_between_the_read_and_the_write_is_kept_and_reencrypted(
    database: Database,
) -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    store = EncryptedInstallationStore("C1", database.engine, SecretCipher([old_key]), logging.getLogger("test"))
    await store.async_save(_installation("T1", 1_700_000_000.0))
    refreshed = _installation("T1", 1_700_000_000.0)
    refreshed.bot_token, refreshed.bot_refresh_token = "xoxe.xoxb-1-refreshed", "xoxe-1-refreshed"

    async def slack_rotates_the_token() -> None:  # as Bolt does when the bot token nears its expiry
        await store.async_save(refreshed)

    await rotate_keys(database, SecretCipher([new_key, old_key]), after_read=slack_rotates_the_token)
    only_new = EncryptedInstallationStore("C1", database.engine, SecretCipher([new_key]), logging.getLogger("t"))
    bot = await only_new.async_find_bot(enterprise_id=None, team_id="T1")
    found = await only_new.async_find_installation(enterprise_id=None, team_id="T1", user_id="U1")

    assert bot is not None
    assert (bot.bot_token, bot.bot_refresh_token) == ("xoxe.xoxb-1-refreshed", "xoxe-1-refreshed")
    assert found is not None
    assert (found.bot_token, found.user_token) == ("xoxe.xoxb-1-refreshed", USER_TOKEN)
