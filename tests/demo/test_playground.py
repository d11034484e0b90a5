"""The offline playground, driven as a newcomer would drive it: the README's walkthrough typed as it is written,
and what the README says happens checked as it happens."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.demo import walkthrough
from tests.demo.playground import REPOSITORY, Playground

pytestmark = pytest.mark.slow

TEACHER, PARENT, GROUP = "teacher (Ann), private", "parent1 (Pat), private", "group Chess club"
PARENT2 = "parent2 (Sam), private"
JOIN, START = r"/j/\d+", r"/s/\d+"
_SPECS = re.compile(r"\bspecs?\b|\bspecification", re.IGNORECASE)  # the playground has no word for them
_WALKTHROUGH = re.compile(r"<!-- walkthrough\b.*?-->(?P<text>.*?)<!-- /walkthrough -->", re.DOTALL)

# What the README says each line of its walkthrough does, line by line: (the line, the chat where the bot
# answers, what it says). A line that only moves the newcomer (":in group") makes the bot say nothing.
EXPECTED = [
    ("/connect", TEACHER, r"/zoom/oauth/start\?state="),
    (":open", TEACHER, "is connected"),
    (":in group", None, None),
    (f"/newclass Chess | {walkthrough.DATE} 10:00 | 45 | 5", GROUP, r"New class(.|\n)*https://t\.me/\S+\?start=c_"),
    (":as parent1", None, None),
    (":press Book a seat", PARENT, r"“Chess” with Ann(.|\n)*\[\d+\] Book a seat"),  # the private chat, its button
    (":press Book a seat", PARENT, "who is the seat for"),
    ("Mia", PARENT, JOIN),
    (":as teacher", None, None),
    (":in private", None, None),
    ("/myclasses", TEACHER, r"\[\d+\] Start link"),
    (":press Start link", TEACHER, START),
    (":in group", None, None),
    (f"/newclass Art | {walkthrough.DATE} 11:00 | 45 | 5 | price 50 XTR", GROUP, r"New class(.|\n)*Art(.|\n)*50"),
    (":as parent2", None, None),
    (":press Book a seat", PARENT2, r"“Art” with Ann(.|\n)*\[\d+\] Book a seat"),
    (":press Book a seat", PARENT2, "who is the seat for"),
    ("Leo", PARENT2, r"invoice: (.|\n)*total: 50 XTR"),
    (":pay", PARENT2, JOIN),
    (":skip", PARENT, r"Reminder(.|\n)*" + JOIN),
]


def readme_walkthrough() -> list[str]:
    """The commands of the README's walkthrough paragraph: every `code` in it, in order."""
    paragraph = _WALKTHROUGH.search((REPOSITORY / "README.md").read_text())
    assert paragraph is not None, "README.md has no <!-- walkthrough --> paragraph"
    return re.findall(r"`([^`]+)`", paragraph["text"])


@pytest.fixture
def playground(tmp_path: Path) -> Iterator[Playground]:
    running = Playground(tmp_path)
    try:
        yield running
    finally:
        running.kill()


def test_the_readme_walkthrough_the_welcome_and_this_test_say_the_same_steps() -> None:
    assert readme_walkthrough() == walkthrough.typed()
    assert [line for line, _, _ in EXPECTED] == walkthrough.typed()


def test_the_readme_walkthrough_typed_literally_does_what_the_readme_says(
    playground: Playground, tmp_path: Path
) -> None:
    playground.expect_welcome()
    day = walkthrough.class_day(datetime.now(UTC))
    welcome = playground.output
    assert all(shown in welcome for shown in walkthrough.welcome_lines(day))  # the same steps, date filled in

    for line, (_, chat, says) in zip(readme_walkthrough(), EXPECTED, strict=True):
        seen = len(playground.messages())
        playground.type(line.replace(walkthrough.DATE, day))
        if chat is not None and says is not None:
            playground.expect_message(chat, after=seen, must=says)
    playground.expect_message(TEACHER, after=0, must=r"Reminder(.|\n)*" + START)
    status = playground.finish()

    assert status == 0, playground.output
    shown = playground.messages()
    in_parent = ["\n".join(m.lines) for m in shown if m.chat == PARENT]
    booked = next(n for n, text in enumerate(in_parent) if "Booked: Mia" in text)
    link = next(n for n, text in enumerate(in_parent) if re.search(JOIN, text))
    assert booked < link  # told first, then the link
    question = next(text for text in in_parent if "who is the seat for" in text)
    assert "or pick one" not in question  # nothing to pick on a first booking
    in_sam = ["\n".join(m.lines) for m in shown if m.chat == PARENT2]
    invoice = next(n for n, text in enumerate(in_sam) if "invoice:" in text)
    sams_link = next(n for n, text in enumerate(in_sam) if re.search(JOIN, text))
    assert invoice < sams_link  # the link only once paid
    assert len([m for m in shown if m.chat == GROUP]) == 2  # the two announcements, and no second card above either
    chats = (TEACHER, PARENT, PARENT2, GROUP)
    links_in = {chat: [url for m in shown if m.chat == chat for url in m.urls] for chat in chats}
    assert [url for url in links_in[GROUP] if re.search(r"/(j|s|w)/\d+", url)] == []
    assert [url for url in links_in[PARENT] + links_in[PARENT2] if re.search(START, url)] == []  # the teacher's only
    assert [url for url in links_in[TEACHER] if re.search(JOIN, url)] == []  # the join link: the parent's only
    assert not _SPECS.search(playground.output)
    assert "Traceback" not in playground.output
    assert list(tmp_path.glob("classbot-demo-*")) == []  # the throwaway folder is gone


def test_opening_a_used_connect_link_shows_what_the_page_says(playground: Playground) -> None:
    playground.expect_welcome()
    playground.type("/connect")
    playground.expect_message(TEACHER, after=0, must=r"/zoom/oauth/start\?state=")
    playground.type(":open")
    playground.expect_message(TEACHER, after=1, must="is connected")
    playground.type(":open")

    said = playground.expect_line(r"The page says: .*")
    playground.type(":quit")

    assert said.group(0).startswith("The page says: This link was already used. A connect link works once")
    assert "<" not in said.string
    assert playground.process.wait(30) == 0, playground.output


def test_without_the_platforms_specs_it_works_and_says_nothing_of_them(playground_without_specs: Playground) -> None:
    playground = playground_without_specs
    playground.expect_welcome()

    playground.type("/connect")
    playground.expect_message(TEACHER, after=0, must=r"/zoom/oauth/start\?state=")
    playground.type(":open")
    playground.expect_message(TEACHER, after=1, must="connected")
    playground.type(":quit")

    assert playground.process.wait(30) == 0, playground.output
    assert not _SPECS.search(playground.output)


@pytest.fixture
def playground_without_specs(tmp_path: Path) -> Iterator[Playground]:
    missing = str(tmp_path / "no-such-spec.json")
    running = Playground(tmp_path, {"ZOOM_OPENAPI_SPEC": missing, "TELEGRAM_BOT_API_SPEC": missing})
    try:
        yield running
    finally:
        running.kill()
