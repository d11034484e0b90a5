"""Slack in two languages: each person is answered in their Slack locale (asked once with users.info), a channel's
announcements are in the language its workspace admin picks, and ``/classbot language`` switches a person's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.slack.world import SlackWorld, class_form, slack_world

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, sqlite_url) as built:
        yield built


async def test_a_spanish_channel_and_a_spanish_parent_and_a_switch_to_english(world: SlackWorld) -> None:
    slack, zoom = world.slack, world.zoom
    admin, teacher = slack.add_user("Ada", is_admin=True), slack.add_user("Ann", locale="en-US")
    parent = slack.add_user("Lucía", locale="es-ES")
    room = slack.add_channel("ajedrez", members=[admin, teacher, parent])
    await world.set_up_channel(admin, room)
    await world.connect_zoom(teacher, zoom.add_user(email="ann@example.org", timezone="Europe/Madrid").id)

    await slack.slash(admin, "language", channel=room)
    offer = await world.whispered(admin, "This channel's announcements are in English")
    await slack.press(admin, offer, "Español")
    await world.whispered(admin, "Done: this channel's announcements are in Español now.")

    await slack.slash(teacher, "new", channel=room)
    form = await slack.wait_for_view(teacher, lambda view: view.callback_id == "new_class")
    assert (await slack.submit_view(teacher, form, class_form("Ajedrez", channel=room))).errors is None
    announcement = await world.said(room, "Nueva clase: «Ajedrez» con")
    assert "quedan 5 de 5 plazas" in announcement.all_text

    await slack.press(parent, announcement, "Reservar plaza")
    booking = await slack.wait_for_view(parent, lambda view: view.callback_id == "book_seat")
    assert "¿Para quién es la plaza?" in booking.all_text
    assert (await slack.submit_view(parent, booking, {"child": {"value": "Mia"}})).errors is None
    await world.said(parent, "Reservado: Mia en «Ajedrez»")
    await world.said(parent, "Aquí tienes tu enlace de Zoom")  # sent later, by the worker
    await world.said(teacher, "New booking: Mia for “Ajedrez”")

    await slack.slash(parent, "language")
    choice = await world.whispered(parent, "Te hablo en Español")
    await slack.press(parent, choice, "English")
    await world.whispered(parent, "Done: I speak English with you now.")
    await slack.slash(parent, "bookings")  # Slack still says es-ES: the person's own choice wins
    await world.whispered(parent, "Mia\\* in “Ajedrez”")
