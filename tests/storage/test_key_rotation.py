"""Encryption keys rotate: a new first key keeps old secrets readable, and rotate-keys retires the old key
without undoing what the running bot changed meanwhile (a refreshed token, a cleared join link)."""

from __future__ import annotations

from pathlib import Path

import pytest
from classbot_fakes.zoom import FakeZoom
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from bot.core.zoom_tokens import ZoomTokenKeeper
from bot.storage.cipher import SecretCipher, SecretUnreadable
from bot.storage.identity import PersonRef
from bot.storage.models import Booking
from bot.storage.rotation import rotate_keys
from tests.support.core_world import CoreWorld, core_world, parent


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


async def test_a_zoom_refresh_between_the_read_and_the_write_is_not_undone(
    database_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    async with core_world(database_url, fake_zoom, tmp_path) as world:
        assert world.components.zoom is not None
        keeper = world.components.zoom.tokens
        cipher = world.components.cipher
        [connection] = await world.zoom_world.connections()
        old_key = world.components.settings.encryption_key
        assert old_key is not None
        new_key = Fernet.generate_key().decode()

        async def the_bot_refreshes() -> None:  # as the running bot does when Zoom refuses the access token
            await keeper.refresh_after_rejection(connection.id, cipher.decrypt(connection.access_token_enc))

        await rotate_keys(
            world.components.database, SecretCipher([new_key, old_key.get_secret_value()]), after_read=the_bot_refreshes
        )
        [rotated] = await world.zoom_world.connections()
        only_new = SecretCipher([new_key])
        stored_access = only_new.decrypt(rotated.access_token_enc)
        stored_refresh = only_new.decrypt(rotated.refresh_token_enc)
        reconnects: list[str] = []

        async def reconnect_needed(connection_id: int, reason: str) -> None:
            reconnects.append(reason)

        # A bot restarted with the new key alone refreshes with the stored refresh token: Zoom still takes it.
        restarted = ZoomTokenKeeper(
            world.components.database,
            only_new,
            world.components.zoom.oauth,
            clock=world.clock,
            on_reconnect_needed=reconnect_needed,
        )
        fresh = await restarted.refresh_after_rejection(connection.id, stored_access)

    assert stored_access != cipher.decrypt(connection.access_token_enc)  # the refreshed pair was kept
    assert stored_refresh != cipher.decrypt(connection.refresh_token_enc)
    assert fresh != stored_access
    assert reconnects == []


async def test_a_join_link_cleared_between_the_read_and_the_write_stays_cleared(
    database_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    async with core_world(database_url, fake_zoom, tmp_path, licensed=True) as world:
        cls = await world.new_class()
        await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
        await world.run_jobs()
        row = await world.class_row(cls.public_id)
        assert row.meeting_id is not None
        assert await _personal_links(world) == 1
        old_key = world.components.settings.encryption_key
        assert old_key is not None

        async def the_meeting_is_deleted_at_zoom() -> None:
            assert row.meeting_id is not None
            assert await world.components.meetings.forget(row.id, row.meeting_id)

        await rotate_keys(
            world.components.database,
            SecretCipher([Fernet.generate_key().decode(), old_key.get_secret_value()]),
            after_read=the_meeting_is_deleted_at_zoom,
        )
        after = await world.class_row(cls.public_id)
        personal_links = await _personal_links(world)

    assert after.meeting_join_url_enc is None
    assert personal_links == 0


async def _personal_links(world: CoreWorld) -> int:
    async with world.components.database.read() as session:
        query = select(func.count()).select_from(Booking).where(Booking.join_url_enc.is_not(None))
        return int((await session.execute(query)).scalar_one())
