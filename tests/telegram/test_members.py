"""Telegram's word on who is in a group, as the audience rule gets it: getChatMember against the fake Telegram."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest
import telegram
from classbot_fakes.telegram import FakeGroup, FakeTelegram, FakeUser

from bot.core.communities import CommunityRef
from bot.handlers.telegram.members import TelegramMembers
from bot.storage.identity import PersonRef


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def members(fake_telegram: FakeTelegram) -> AsyncIterator[TelegramMembers]:
    async with telegram.Bot(fake_telegram.token, base_url=fake_telegram.base_url) as bot:
        yield TelegramMembers(bot)


def _as(user: FakeUser) -> PersonRef:
    return PersonRef("telegram", str(user.id))


def _community(group: FakeGroup) -> CommunityRef:
    return CommunityRef("telegram", str(group.id), title=group.title)


def _stays(group: FakeGroup, user: FakeUser) -> None:
    pass


def _leaves(group: FakeGroup, user: FakeUser) -> None:
    group.leave(user)


def _banned(group: FakeGroup, user: FakeUser) -> None:
    group.ban(user)


def _muted(group: FakeGroup, user: FakeUser) -> None:
    group.restrict(user)


def _muted_then_leaves(group: FakeGroup, user: FakeUser) -> None:
    group.restrict(user)
    group.leave(user)


def _promoted(group: FakeGroup, user: FakeUser) -> None:
    group.add_member(user, admin=True)


CASES: list[tuple[str, Callable[[FakeGroup, FakeUser], None], bool]] = [
    ("member", _stays, True),
    ("administrator", _promoted, True),
    ("restricted, still in the group", _muted, True),
    ("left", _leaves, False),
    ("banned", _banned, False),
    ("restricted, then left", _muted_then_leaves, False),
]


@pytest.mark.parametrize(("change", "member"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
async def test_each_status_telegram_gives_counts_as_in_or_out(
    fake_telegram: FakeTelegram,
    members: TelegramMembers,
    change: Callable[[FakeGroup, FakeUser], None],
    member: bool,
) -> None:
    owner, parent = fake_telegram.add_user("Olga"), fake_telegram.add_user("Pat")
    group = fake_telegram.add_group("Chess parents", members=[parent], admins=[owner], with_bot=True)
    change(group, parent)

    said = await members.memberships(_as(parent), [_community(group)])

    assert said == {str(group.id): member}


async def test_the_owner_counts_and_a_stranger_does_not(fake_telegram: FakeTelegram, members: TelegramMembers) -> None:
    owner, stranger = fake_telegram.add_user("Olga"), fake_telegram.add_user("Sam")
    chess = fake_telegram.add_group("Chess parents", admins=[owner], with_bot=True)
    art = fake_telegram.add_group("Art parents", members=[stranger], admins=[owner], with_bot=True)

    assert await members.memberships(_as(owner), [_community(chess), _community(art)]) == {
        str(chess.id): True,
        str(art.id): True,
    }
    assert await members.memberships(_as(stranger), [_community(chess), _community(art)]) == {
        str(chess.id): False,
        str(art.id): True,
    }


async def test_a_group_the_bot_was_removed_from_vouches_for_nobody(
    fake_telegram: FakeTelegram, members: TelegramMembers
) -> None:
    owner, parent = fake_telegram.add_user("Olga"), fake_telegram.add_user("Pat")
    group = fake_telegram.add_group("Chess parents", members=[parent], admins=[owner], with_bot=True)
    fake_telegram.remove_bot_from_group(group, by=owner)

    assert await members.memberships(_as(parent), [_community(group)]) == {str(group.id): False}


@pytest.mark.parametrize("status", [500, 429])
async def test_no_answer_from_telegram_is_no_answer(
    fake_telegram: FakeTelegram, members: TelegramMembers, status: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22 reports a flood wait as a timedelta without warning
    owner, parent = fake_telegram.add_user("Olga"), fake_telegram.add_user("Pat")
    group = fake_telegram.add_group("Chess parents", members=[parent], admins=[owner], with_bot=True)
    fake_telegram.fail_next("getChatMember", status)

    assert await members.memberships(_as(parent), [_community(group)]) == {}
    assert await members.memberships(_as(parent), [_community(group)]) == {str(group.id): True}
