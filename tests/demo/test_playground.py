"""The offline playground, driven as a newcomer would drive it: connect, create, book, links, a reminder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.demo.playground import Playground

pytestmark = pytest.mark.slow

TEACHER, PARENT, GROUP = "teacher (Ann), private", "parent1 (Pat), private", "group Chess club"
JOIN, START = r"/j/\d+", r"/s/\d+"


@pytest.fixture
def playground(tmp_path: Path) -> Iterator[Playground]:
    running = Playground(tmp_path)
    try:
        yield running
    finally:
        running.kill()


def test_a_newcomer_connects_creates_books_and_each_person_gets_only_their_link(
    playground: Playground, tmp_path: Path
) -> None:
    playground.expect_line(r":quit or Ctrl-D leaves")
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")

    playground.type("/connect")
    playground.expect_message(TEACHER, after=0, must=r"/zoom/oauth/start\?state=")
    playground.type(":open")
    playground.expect_message(TEACHER, after=1, must="connected")

    playground.type(":in group")
    seen = len(playground.messages())
    playground.type(f"/newclass Chess | {tomorrow} 10:00 | 45 | 5")
    announcement = playground.expect_message(GROUP, after=seen, must=r"https://t\.me/\S+\?start=c_")
    [book_in_group] = [number for number, _, url in announcement.buttons if url and "start=c_" in url]

    playground.type(":as parent1")
    playground.type(str(book_in_group))
    card = playground.expect_message(PARENT, after=seen, must="Chess")
    [book] = [number for number, _, url in card.buttons if url is None]
    playground.type(str(book))
    playground.expect_message(PARENT, after=seen, must="who is the seat for")
    playground.type("Mia")
    playground.expect_message(PARENT, after=seen, must=JOIN)

    playground.type(":as teacher")
    playground.type(":in private")
    seen = len(playground.messages())
    playground.type("/myclasses")
    mine = playground.expect_message(TEACHER, after=seen, must="Chess")
    playground.type(str(mine.number("Start link")))
    playground.expect_message(TEACHER, after=seen, must=START)

    playground.type(":skip")
    playground.expect_message(PARENT, after=seen, must=r"Reminder(.|\n)*" + JOIN)
    playground.expect_message(TEACHER, after=seen, must=r"Reminder(.|\n)*" + START)
    status = playground.finish()

    assert status == 0, playground.output
    shown = playground.messages()
    links_in = {chat: [url for m in shown if m.chat == chat for url in m.urls] for chat in (TEACHER, PARENT, GROUP)}
    assert not [url for url in links_in[GROUP] if "/j/" in url or "/s/" in url or "/w/" in url]
    assert not [url for url in links_in[PARENT] if "/s/" in url]  # the start link went to the teacher only
    assert not [url for url in links_in[TEACHER] if "/j/" in url]  # and the parent's join link to the parent
    assert "Traceback" not in playground.output
    assert list(tmp_path.glob("classbot-demo-*")) == []  # the throwaway folder is gone


def test_without_the_platforms_specs_it_says_so_and_still_works(playground_without_specs: Playground) -> None:
    playground = playground_without_specs
    playground.expect_line(r"specs are not here: the test servers run without checking requests")
    playground.expect_line(r":quit or Ctrl-D leaves")

    playground.type("/connect")
    playground.expect_message(TEACHER, after=0, must=r"/zoom/oauth/start\?state=")
    playground.type(":open")
    playground.expect_message(TEACHER, after=1, must="connected")
    playground.type(":quit")

    assert playground.process.wait(30) == 0, playground.output


@pytest.fixture
def playground_without_specs(tmp_path: Path) -> Iterator[Playground]:
    missing = str(tmp_path / "no-such-spec.json")
    running = Playground(tmp_path, {"ZOOM_OPENAPI_SPEC": missing, "TELEGRAM_BOT_API_SPEC": missing})
    try:
        yield running
    finally:
        running.kill()
