"""Communities: only admins set them up, publishing follows the admins' policy, posts never carry a link."""

from __future__ import annotations

import pytest

from bot.core.actions import Act
from bot.core.communities import CommunityRef
from bot.core.errors import NotAllowed
from bot.core.views import ClassView
from bot.storage.identity import PersonRef
from tests.support.core_world import TEACHER, CoreWorld, parent

GROUP = CommunityRef("telegram", "-100123", title="Chess parents")
ADMIN = PersonRef("telegram", "9001", display_name="Admin")


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """SQLite alone, as these tests always ran: one database is enough for what they check, and quicker."""
    return sqlite_url


async def test_only_a_verified_admin_sets_a_community_up(world: CoreWorld) -> None:
    with pytest.raises(NotAllowed, match="admins"):
        await world.components.communities.set_up(parent(1), GROUP, admin_verified=False)
    assert not await world.components.communities.is_set_up(GROUP)
    await world.components.communities.set_up(ADMIN, GROUP, admin_verified=True)
    assert await world.components.communities.is_set_up(GROUP)


async def test_publishing_announces_a_card_without_any_link(world: CoreWorld) -> None:
    await world.components.communities.set_up(ADMIN, GROUP, admin_verified=True)
    cls = await world.new_class()

    await world.components.communities.publish(TEACHER, cls.public_id, GROUP)
    await world.components.communities.publish(TEACHER, cls.public_id, GROUP)  # twice: one announcement
    await world.run_jobs()

    [(community, message)] = world.notifier.posted
    assert community.chat_id == GROUP.chat_id
    assert "Chess for kids" in message.text
    assert [(b.action, b.url) for b in message.buttons] == [(Act.BOOK.on(cls.public_id), None)]
    assert "http" not in message.text
    world.directory.join(GROUP, parent(1))
    assert [view.public_id for view in await world.components.communities.upcoming(parent(1), GROUP)] == [cls.public_id]


async def test_an_unset_community_refuses_publishing(world: CoreWorld) -> None:
    cls = await world.new_class()
    with pytest.raises(NotAllowed, match="/setup"):
        await world.components.communities.publish(TEACHER, cls.public_id, GROUP)


async def test_approved_only_communities_take_classes_from_approved_teachers(world: CoreWorld) -> None:
    await world.components.communities.set_up(ADMIN, GROUP, admin_verified=True, policy="approved")
    cls = await world.new_class()
    with pytest.raises(NotAllowed, match="approved"):
        await world.components.communities.publish(TEACHER, cls.public_id, GROUP)

    await world.components.communities.approve_teacher(ADMIN, GROUP, TEACHER, admin_verified=True)
    await world.components.communities.publish(TEACHER, cls.public_id, GROUP)


async def test_a_teacher_cannot_publish_someone_elses_class(world: CoreWorld) -> None:
    await world.components.communities.set_up(ADMIN, GROUP, admin_verified=True)
    cls = await world.new_class()
    with pytest.raises(NotAllowed):
        await world.components.communities.publish(parent(1), cls.public_id, GROUP)


async def test_admins_take_classes_down(world: CoreWorld) -> None:
    await world.components.communities.set_up(ADMIN, GROUP, admin_verified=True)
    cls = await world.new_class()
    await world.components.communities.publish(TEACHER, cls.public_id, GROUP)
    with pytest.raises(NotAllowed):
        await world.components.communities.unpublish(parent(1), cls.public_id, GROUP, admin_verified=False)

    assert await world.components.communities.unpublish(ADMIN, cls.public_id, GROUP, admin_verified=True)
    world.directory.join(GROUP, ADMIN)
    assert await world.components.communities.upcoming(ADMIN, GROUP) == []


async def test_each_list_shows_only_the_classes_published_where_it_looks(world: CoreWorld) -> None:
    art_group = CommunityRef("telegram", "-100456", title="Art parents")
    channel = CommunityRef("slack", "C0123", workspace_id="T0123", title="parents")
    for community in (GROUP, art_group, channel):
        await world.components.communities.set_up(ADMIN, community, admin_verified=True)
    chess = await world.new_class(days_ahead=1)
    art = await world.new_class(days_ahead=2)
    music = await world.new_class(days_ahead=3)
    await world.new_class(days_ahead=4)  # published nowhere
    for cls, community in ((chess, GROUP), (art, art_group), (music, channel)):
        await world.components.communities.publish(TEACHER, cls.public_id, community)

    def ids(views: list[ClassView]) -> list[str]:
        return [view.public_id for view in views]

    member = parent(1)
    slack_member = PersonRef("slack", "U0123", workspace_id="T0123")
    elsewhere = PersonRef("slack", "U0123", workspace_id="T9999")
    world.directory.join(GROUP, member)
    world.directory.join(art_group, member)
    world.directory.join(channel, slack_member)
    world.directory.join(CommunityRef("slack", "C0123", workspace_id="T9999"), elsewhere)
    upcoming = world.components.communities.upcoming
    assert ids(await upcoming(member, GROUP)) == [chess.public_id]
    assert ids(await upcoming(member, art_group)) == [art.public_id]
    assert ids(await upcoming(slack_member, channel)) == [music.public_id]
    assert await upcoming(elsewhere, CommunityRef("slack", "C0123", workspace_id="T9999")) == []  # another C0123
