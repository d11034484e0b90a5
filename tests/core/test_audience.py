"""Who sees and books a class (PRODUCT.md flow 11): the members of its communities, its teacher, the parents booked
in it, and anyone holding its link when its teacher chose so. Everyone else is refused with what to do, and the
database is left as it was."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.communities import CommunityRef
from bot.core.errors import Conflict, NotAllowed
from bot.core.views import ClassView
from bot.storage.identity import PersonRef
from tests.support.clock import MovableClock
from tests.support.core_world import TEACHER, CoreWorld, parent
from tests.support.database_dump import dump_database

GROUP = CommunityRef("telegram", "-100123", title="Chess parents")
OTHER_GROUP = CommunityRef("telegram", "-100456", title="Art parents")
ADMIN = PersonRef("telegram", "9001", display_name="Admin")
MEMBER, OUTSIDER, STRANGER = parent(1), parent(2), parent(3)
FOR_MEMBERS = "This class is for members of Chess parents. Ask its teacher for a share link."


@pytest.fixture
async def world(world: CoreWorld) -> CoreWorld:
    """Ann teaches; Chess parents (Ann, parent 1) and Art parents (parent 2) are set up; parent 3 is in neither."""
    for community in (GROUP, OTHER_GROUP):
        await world.components.communities.set_up(ADMIN, community, admin_verified=True)
    world.directory.join(GROUP, TEACHER, MEMBER)
    world.directory.join(OTHER_GROUP, OUTSIDER)
    return world


async def _published(world: CoreWorld, community: CommunityRef = GROUP, **extra: object) -> ClassView:
    """A class made in ``community`` (so for its members) and announced there."""
    cls = await world.new_class(in_community=True, **extra)
    await world.components.communities.publish(TEACHER, cls.public_id, community)
    await world.run_jobs()
    return cls


def _ids(views: list[ClassView]) -> list[str]:
    return [view.public_id for view in views]


async def test_a_group_class_is_seen_and_booked_by_the_groups_members(world: CoreWorld) -> None:
    cls = await _published(world)

    seen = await world.components.classes.view(MEMBER, cls.public_id)
    outcome = await world.components.bookings.book(MEMBER, cls.public_id, ["Mia"], "tap-1")

    assert seen.title == "Chess for kids"
    assert not seen.anyone_with_link
    assert [booking.child_name for booking in outcome.booked] == ["Mia"]
    assert _ids(await world.components.communities.upcoming(MEMBER, GROUP)) == [cls.public_id]


async def test_a_class_published_in_two_groups_is_shown_once_to_a_member_of_either(world: CoreWorld) -> None:
    cls = await _published(world)
    await world.components.communities.publish(TEACHER, cls.public_id, OTHER_GROUP)
    await world.run_jobs()

    assert (await world.components.classes.view(OUTSIDER, cls.public_id)).title == "Chess for kids"
    assert (await world.components.classes.view(MEMBER, cls.public_id)).seats_left == 10
    with pytest.raises(NotAllowed) as refused:
        await world.components.classes.view(STRANGER, cls.public_id)
    assert refused.value.message == (
        "This class is for members of Chess parents, Art parents. Ask its teacher for a share link."
    )


@pytest.mark.parametrize("outsider", [OUTSIDER, STRANGER], ids=["in another group", "in no group"])
async def test_anyone_outside_its_groups_is_refused_with_what_to_do_and_nothing_changes(
    world: CoreWorld, outsider: PersonRef
) -> None:
    cls = await _published(world)
    world.notifier.sent.clear()
    before = await dump_database(world.components)

    with pytest.raises(NotAllowed) as seeing:
        await world.components.classes.view(outsider, cls.public_id)
    with pytest.raises(NotAllowed) as booking:
        await world.components.bookings.book(outsider, cls.public_id, ["Eve"], "tap-2")
    with pytest.raises(NotAllowed) as listing:
        await world.components.communities.upcoming(outsider, GROUP)
    listed = await world.components.classes.visible_to(outsider)
    await world.run_jobs()

    assert seeing.value.message == booking.value.message == FOR_MEMBERS
    assert listing.value.message == "Only members of Chess parents see the classes listed there."
    assert cls.public_id not in _ids(listed)
    assert await dump_database(world.components) == before
    assert world.notifier.sent == []


async def test_a_class_made_privately_opens_to_anyone_with_its_link_until_its_teacher_closes_it(
    world: CoreWorld,
) -> None:
    cls = await world.new_class()  # made in a private chat: anyone with the link
    assert cls.anyone_with_link
    assert (await world.components.classes.view(STRANGER, cls.public_id)).title == "Chess for kids"
    await world.components.bookings.book(OUTSIDER, cls.public_id, ["Eli"], "tap-3")

    with pytest.raises(NotAllowed, match="Only the class's teacher"):
        await world.components.classes.open_to_link(MEMBER, cls.public_id, anyone=False)
    closed = await world.components.classes.open_to_link(TEACHER, cls.public_id, anyone=False)
    before = await dump_database(world.components)

    with pytest.raises(NotAllowed) as refused:
        await world.components.bookings.book(STRANGER, cls.public_id, ["Zoe"], "tap-4")
    with pytest.raises(NotAllowed) as not_shown:  # its card: published nowhere, so no community is named
        await world.components.classes.view(STRANGER, cls.public_id)
    assert not closed.anyone_with_link
    assert refused.value.message == "This class is only for the people its teacher shares it with. Ask its teacher."
    assert not_shown.value.message == refused.value.message
    assert await dump_database(world.components) == before
    # Who is booked keeps seeing what they booked; the teacher always sees their class.
    assert (await world.components.classes.view(OUTSIDER, cls.public_id)).seats_left == 9
    assert (await world.components.classes.view(TEACHER, cls.public_id)).title == "Chess for kids"

    await world.components.classes.open_to_link(TEACHER, cls.public_id, anyone=True)
    assert (await world.components.classes.view(STRANGER, cls.public_id)).anyone_with_link


async def test_a_private_list_holds_the_persons_groups_own_and_booked_classes_and_no_other(world: CoreWorld) -> None:
    chess = await _published(world, days_ahead=1)
    art = await _published(world, OTHER_GROUP, days_ahead=2)
    by_link = await world.new_class(days_ahead=3)
    booked_by_link = await world.new_class(days_ahead=4)
    await world.components.bookings.book(MEMBER, booked_by_link.public_id, ["Mia"], "tap-5")
    later = await _published(world, days_ahead=5)

    assert _ids(await world.components.classes.visible_to(MEMBER)) == [
        chess.public_id,
        booked_by_link.public_id,
        later.public_id,
    ]
    assert _ids(await world.components.classes.visible_to(MEMBER, 1)) == [chess.public_id]
    assert _ids(await world.components.classes.visible_to(OUTSIDER)) == [art.public_id]
    assert _ids(await world.components.classes.visible_to(STRANGER)) == []
    everything = [chess, art, by_link, booked_by_link, later]
    assert _ids(await world.components.classes.visible_to(TEACHER)) == _ids(everything)
    slack_person = PersonRef("slack", MEMBER.user_id, workspace_id="T1")  # the same id on another platform
    assert await world.components.classes.visible_to(slack_person) == []


async def test_membership_is_kept_briefly_and_asked_again_on_doubt(world: CoreWorld, clock: MovableClock) -> None:
    cls = await _published(world)
    directory = world.directory

    assert _ids(await world.components.classes.visible_to(MEMBER)) == [cls.public_id]
    asked = directory.questions
    await world.components.classes.view(MEMBER, cls.public_id)
    assert directory.questions == asked  # the list's answer served the card

    with pytest.raises(NotAllowed):
        await world.components.classes.view(STRANGER, cls.public_id)
    directory.join(GROUP, STRANGER)  # they join: the kept "no" is doubted when they open the class, and asked again
    await world.components.bookings.book(STRANGER, cls.public_id, ["Zoe"], "tap-7")

    directory.leave(GROUP, MEMBER)  # the kept "yes" holds for a few minutes
    listed_soon = await world.components.classes.visible_to(MEMBER)
    clock.advance(timedelta(minutes=6))

    assert _ids(listed_soon) == [cls.public_id]
    assert await world.components.classes.visible_to(MEMBER) == []
    with pytest.raises(NotAllowed, match="members of Chess parents"):
        await world.components.classes.view(MEMBER, cls.public_id)


async def test_when_the_platform_cannot_answer_the_person_is_asked_to_try_again(world: CoreWorld) -> None:
    cls = await _published(world)
    world.directory.down = True
    before = await dump_database(world.components)

    with pytest.raises(Conflict) as refused:
        await world.components.bookings.book(MEMBER, cls.public_id, ["Mia"], "tap-8")
    listed = await world.components.classes.visible_to(MEMBER)

    assert refused.value.message == (
        "I could not check just now whether you are in Chess parents. Please try again in a moment."
    )
    assert listed == []
    assert await dump_database(world.components) == before
    world.directory.down = False
    await world.components.bookings.book(MEMBER, cls.public_id, ["Mia"], "tap-8")


async def test_a_childs_age_narrows_the_private_list_to_classes_for_that_age_and_no_one_elses(
    world: CoreWorld,
) -> None:
    young = await _published(world, days_ahead=1, age_min=5, age_max=7)
    open_to_all = await _published(world, days_ahead=2)
    older = await _published(world, days_ahead=3, age_min=8, age_max=12)
    elsewhere = await _published(world, OTHER_GROUP, days_ahead=4, age_min=6, age_max=9)

    assert _ids(await world.components.classes.visible_to(MEMBER, age=7)) == [young.public_id, open_to_all.public_id]
    assert _ids(await world.components.classes.visible_to(MEMBER, age=8)) == [open_to_all.public_id, older.public_id]
    assert _ids(await world.components.classes.visible_to(MEMBER)) == _ids([young, open_to_all, older])
    assert elsewhere.public_id not in _ids(await world.components.classes.visible_to(MEMBER, age=8))
    assert _ids(await world.components.classes.visible_to(OUTSIDER, age=8)) == [elsewhere.public_id]
