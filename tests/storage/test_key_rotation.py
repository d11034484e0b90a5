"""Encryption keys rotate: a new first key keeps old secrets readable, and rotate-keys retires the old key."""

from __future__ import annotations

from pathlib import Path

import pytest
from classbot_fakes.zoom import FakeZoom
from cryptography.fernet import Fernet

from bot.storage.cipher import SecretCipher, SecretUnreadable
from bot.storage.identity import PersonRef
from bot.storage.rotation import rotate_keys
from tests.support.core_world import core_world, parent


async def test_rotating_keys_keeps_every_secret_readable_under_the_new_key_alone(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    async with core_world(sqlite_url, fake_zoom, tmp_path, licensed=True) as world:
        cls = await world.new_class()
        await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
        await world.run_jobs()
        assert world.components.zoom is not None
        await world.components.zoom.connect.begin(PersonRef("telegram", "77"))  # a pending OAuth state too
        old_key = world.components.settings.encryption_key
        assert old_key is not None
        [connection] = await world.zoom_world.connections()
        token = world.components.cipher.decrypt(connection.access_token_enc)

        new_key = Fernet.generate_key().decode()
        both = SecretCipher([new_key, old_key.get_secret_value()])
        assert both.decrypt(connection.access_token_enc) == token  # the old secret still reads
        rewritten = await rotate_keys(world.components.database, both)

        only_new = SecretCipher([new_key])
        [connection] = await world.zoom_world.connections()
        assert only_new.decrypt(connection.access_token_enc) == token
        assert rewritten >= 5  # two tokens, a verifier, the meeting link and the registrant link
        with pytest.raises(SecretUnreadable):
            SecretCipher([old_key.get_secret_value()]).decrypt(connection.access_token_enc)
