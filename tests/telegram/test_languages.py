"""Telegram in two languages: a parent whose app is in Spanish is answered in Spanish, including what the worker
sends later (the Zoom link), while the teacher keeps English; /language switches, and the choice stays."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.telegram.world import TelegramWorld, telegram_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str) -> Iterator[TelegramWorld]:
    with telegram_world(tmp_path, sqlite_url) as built:
        yield built


async def test_a_spanish_speaking_parent_books_in_spanish_and_switches_to_english(world: TelegramWorld) -> None:
    teacher = world.telegram.add_user("Ann", language_code="en")
    zoom_user = world.zoom.add_user(email="ann@example.org", timezone="Europe/Madrid")
    teacher.start_private_chat()
    await world.said(teacher, "books kids")
    await world.connect_zoom(teacher, zoom_user.id)
    when = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d 16:30")
    teacher.send(f"/newclass Ajedrez | {when} | 45 | 5")
    [share] = [url for url in (await world.said(teacher, "Created")).urls if "start=c_" in url]

    parent = world.telegram.add_user("Lucía", language_code="es")
    parent.open_deep_link(share)
    card = await world.said(parent, "Ajedrez")
    assert "quedan 5 de 5 plazas" in (card.text or "")
    parent.press(card, "Reservar plaza")
    await world.said(parent, "¿para quién es la plaza?")
    parent.send("Mia")
    await world.said(parent, "Reservado: Mia en «Ajedrez»")
    link = await world.said(parent, "Aquí tienes tu enlace de Zoom")  # sent later, by the worker
    assert link.button_texts == ["Entrar a la clase en Zoom"]
    await world.said(teacher, r"New booking: Mia for “Ajedrez” \(1 of 5 seats taken\)")

    parent.send("/language")
    choice = await world.said(parent, "Te hablo en Español")
    parent.press(choice, "English")
    await world.said(parent, "Done: I speak English with you now.")
    parent.send("/mybookings")  # Telegram still says "es": the person's own choice wins
    listed = await world.said(parent, "Mia in “Ajedrez”")
    assert "1. Cancel this booking" in listed.button_texts
