"""A teacher sets a class's price on Slack, through the real process: the class form's price field (filled in
from ``/classbot new … | price …``), the class's edit form; a wrong price is shown on the price field (or, in
the one-line form, named before any form opens), and the price is on every card: the teacher's, the channel's
announcement, the Home tab. So is a paid class's refund rule (``refund 6h``, the form's field, the edit form of a
paid class only), a wrong one shown on its field. Parents on Slack pay by card through Stripe (its test server
here), never in Telegram Stars, so a price in XTR is refused with what to type instead."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from classbot_fakes.stripe import FakeStripe

from tests.slack.world import SlackWorld, as_shown, class_form, slack_world

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackWorld]:
    with FakeStripe() as stripe:
        settings = {
            "STRIPE_SECRET_KEY": stripe.secret_key,
            "STRIPE_WEBHOOK_SECRET": stripe.webhook_secret,
            "STRIPE_API_URL": stripe.api_url,
        }
        async with slack_world(tmp_path, sqlite_url, environment=settings) as built:
            yield built


def _edit_of(blocks: list[dict[str, Any]], title: str) -> str:
    """The action id of the Edit button under the card of the class called ``title``, in a list of classes."""
    cards = [index for index, block in enumerate(blocks) if f"“{title}”" in json.dumps(block, ensure_ascii=False)]
    for block in blocks[cards[0] :]:
        for element in block.get("elements") or []:
            if str(element.get("action_id", "")).startswith("edit:"):
                return str(element["action_id"])
    raise LookupError(f"no Edit under “{title}”")


async def test_the_one_line_price_fills_in_the_form_and_a_wrong_one_is_named(world: SlackWorld) -> None:
    slack = world.slack
    admin, teacher, parent = slack.add_user("Ada", is_admin=True), slack.add_user("Ann"), slack.add_user("Pat")
    room = slack.add_channel("chess", members=[admin, teacher, parent])
    await world.set_up_channel(admin, room)
    when = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d")

    await slack.slash(teacher, f"new Chess | {when} 16:30 | 45 | 5 | price twelve euros", channel=room)
    wrong_line = await world.whispered(teacher, "is not a price")
    assert slack.current_view(teacher) is None  # no form for a wrong line
    await slack.slash(teacher, f"new Chess | {when} 16:30 | 45 | 5 | price 250 XTR", channel=room)
    stars_line = await world.whispered(teacher, "Parents here pay by card, not in Telegram Stars")
    assert slack.current_view(teacher) is None
    await slack.slash(teacher, f"new Chess | {when} 16:30 | 45 | 5 | price 12.50 EUR | refund 6h", channel=room)
    form = await slack.wait_for_view(
        teacher, lambda view: view.callback_id == "new_class" and "12.50 EUR" in json.dumps(view.json)
    )
    shown = as_shown(form)
    not_money = await slack.submit_view(teacher, form, shown | {"price": {"value": "12.50 EURO"}})
    with_approval = await slack.submit_view(teacher, form, shown | {"approval": {"value": ["yes"]}})
    bad_rule = await slack.submit_view(teacher, form, shown | {"refund": {"value": "a week"}})
    created = await slack.submit_view(teacher, form, shown)
    told = await world.said(teacher, "Created")
    announced = await world.said(room, "New class")
    await slack.open_home(parent)
    home = await slack.wait_for_home(parent, lambda view: "Chess" in view.all_text)

    assert "twelve euros" in wrong_line.all_text
    assert "12.50 EUR" in stars_line.all_text
    assert shown["price"] == {"value": "12.50 EUR"}
    assert not_money.errors is not None
    assert set(not_money.errors) == {"price"}
    assert with_approval.errors is not None
    assert "cannot also wait for your approval" in with_approval.errors["price"]
    assert shown["refund"] == {"value": "6"}
    assert bad_rule.errors is not None
    assert set(bad_rule.errors) == {"refund"}
    assert "“a week” does not fit" in bad_rule.errors["refund"]
    assert created.errors is None, created.errors
    for card in (told, announced, home):
        assert "Price: €12.50 per child" in card.all_text
        assert "Full refund if cancelled at least 6 hours before the first session." in card.all_text
    slack.assert_acks_in_time()


async def test_the_price_is_set_in_the_form_and_changed_in_the_edit_form(world: SlackWorld) -> None:
    slack = world.slack
    teacher = slack.add_user("Ann")
    await slack.slash(teacher, "new")
    form = await slack.wait_for_view(teacher, lambda view: view.callback_id == "new_class")
    free = await slack.submit_view(teacher, form, class_form("Drawing"))
    made_free = await world.said(teacher, "Created")
    await slack.slash(teacher, "new")
    form = await slack.wait_for_view(teacher, lambda view: view.callback_id == "new_class" and view.id != form.id)
    in_stars = await slack.submit_view(teacher, form, class_form("Chess", price="250 XTR"))
    paid = await slack.submit_view(teacher, form, class_form("Chess", price="25 EUR"))
    made_paid = await world.said(teacher, "Created: \\*“Chess”")

    await slack.slash(teacher, "mine")
    listed = await world.whispered(teacher, "Chess")
    await slack.press(teacher, listed, _edit_of(listed.blocks, "Chess"))
    edit = await slack.wait_for_view(teacher, lambda view: view.callback_id == "edit_class")
    shown = as_shown(edit)
    too_fine = await slack.submit_view(teacher, edit, shown | {"price": {"value": "1.234 EUR"}})
    stars_again = await slack.submit_view(teacher, edit, shown | {"price": {"value": "300 XTR"}})
    bad_rule = await slack.submit_view(teacher, edit, shown | {"refund": {"value": "-1"}})
    saved = await slack.submit_view(teacher, edit, shown | {"price": {"value": "9 EUR"}, "refund": {"value": "0"}})
    repriced = await world.said(teacher, "Saved")
    await slack.press(teacher, listed, _edit_of(listed.blocks, "Chess"))
    edit = await slack.wait_for_view(teacher, lambda view: view.callback_id == "edit_class" and view.id != edit.id)
    reopened = as_shown(edit)
    freed = await slack.submit_view(teacher, edit, reopened | {"price": {"value": ""}})
    made_free_again = await world.said(teacher, "Saved")
    await slack.press(teacher, listed, _edit_of(listed.blocks, "Chess"))
    edit = await slack.wait_for_view(teacher, lambda view: view.callback_id == "edit_class" and view.id != edit.id)
    free_edit = as_shown(edit)
    await world.all_handled()

    assert (free.errors, paid.errors, saved.errors, freed.errors) == (None, None, None, None)
    assert "Price:" not in made_free.all_text  # a free class's card names no price
    assert in_stars.errors is not None
    assert "Parents here pay by card" in in_stars.errors["price"]
    assert stars_again.errors is not None
    assert "Parents here pay by card" in stars_again.errors["price"]
    assert "Price: €25.00 per child" in made_paid.all_text
    assert shown["price"] == {"value": "25.00 EUR"}
    assert too_fine.errors is not None
    assert "decimals at most" in too_fine.errors["price"]
    assert shown["refund"] == {"value": "24"}  # the rule a teacher who chose none has
    assert bad_rule.errors is not None
    assert "“-1” does not fit" in bad_rule.errors["refund"]
    assert "Price: €9.00 per child" in repriced.all_text
    assert "Full refund if cancelled before the class starts." in repriced.all_text
    assert reopened["refund"] == {"value": "0"}
    assert "refund" not in free_edit  # a free class's edit form shows no refund rule
    assert reopened["price"] == {"value": "9.00 EUR"}
    assert "Price:" not in made_free_again.all_text
    assert "Full refund" not in made_free_again.all_text
    slack.assert_acks_in_time()
