"""The playground's session: who the newcomer is, where they are, and what each command does in the world.

Everything a person does goes through the Telegram test server's driver, exactly as the tests do it, so ClassBot
sees real updates; the bot's answers come back through ``watch`` as they arrive.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from html.parser import HTMLParser

from classbot_fakes.telegram import SentMessage
from classbot_fakes.zoom.browser import ConsentFailed, consent_in_browser

from bot.app import Components
from bot.core import job_kinds
from bot.demo.clock import JumpingClock
from bot.demo.commands import HELP, ActAs, Command, GoTo, Mistake, Press, PressText, Say, Simple
from bot.demo.screen import Screen, ShownButton
from bot.demo.stage import Person, Stage
from bot.demo.terminal import Terminal

_CONNECT_PATH = "/zoom/oauth/start"
_IDLE_WAIT = 3600.0


class Session:
    def __init__(self, stage: Stage, components: Components, clock: JumpingClock, terminal: Terminal) -> None:
        self._stage = stage
        self._components = components
        self._clock = clock
        self._terminal = terminal
        self.screen = Screen(self._chat_label)
        self.person = stage.persons["teacher"]
        self.place = "private"

    @property
    def prompt(self) -> str:
        where = "private chat" if self.place == "private" else f"group {self._stage.group.title}"
        return f"{self.person.label} in {where}> "

    async def watch(self) -> None:
        """Show the bot's messages as they arrive, until cancelled."""
        telegram = self._stage.telegram
        while True:
            with contextlib.suppress(TimeoutError):
                fresh = await telegram.wait_until(
                    lambda: self.screen.unseen(telegram.all_messages()) or None, timeout=_IDLE_WAIT
                )
                for message in sorted(fresh, key=lambda m: (m.date, m.chat_id, m.message_id)):
                    self._terminal.show(self.screen.show(message))

    async def perform(self, command: Command) -> bool:
        """Do what ``command`` says; False when it says to leave."""
        match command:
            case Say(text):
                self._say(text)
            case Press(number):
                await self._press(number)
            case PressText(text):
                await self._press_text(text)
            case ActAs(person):
                self.person = self._stage.persons[person]
            case GoTo(place):
                self.place = place
            case Mistake(problem):
                self._note(problem)
            case Simple("open"):
                await self._open_connect_link()
            case Simple("pay"):
                await self._pay()
            case Simple("skip"):
                await self._skip_to_reminder()
            case Simple("help"):
                self._terminal.show(HELP.splitlines())
            case Simple("quit"):
                return False
        return True

    def _say(self, text: str) -> None:
        chat = self._stage.group if self.place == "group" else None
        try:
            self.person.user.send(text, chat)
        except (ValueError, RuntimeError) as refused:
            self._note(f"Telegram would not send that: {refused}")

    async def _press(self, number: int) -> None:
        button = self.screen.button(number)
        if button is None:
            self._note(f"No button [{number}] on the screen. (To send the number as a message: :say {number})")
        elif button.callback_data is not None:
            self._press_callback(button)
        elif button.url is not None:
            await self._open(button.url)

    async def _press_text(self, text: str) -> None:
        """The newest button called ``text`` in the chat the person is in, pressed as its number would be."""
        chat = self._stage.group if self.place == "group" else self.person.user
        wanted = " ".join(text.split()).casefold()
        for message in reversed(self._stage.telegram.messages(chat, include_deleted=False)):
            for row in message.buttons:
                for button in row:
                    if " ".join(button.text.split()).casefold() == wanted:
                        shown = ShownButton(
                            message.chat_id, message.message_id, button.text, button.callback_data, button.url
                        )
                        if shown.callback_data is not None:
                            self._press_callback(shown)
                        elif shown.url is not None:
                            await self._open(shown.url)
                        return
        where = "the group" if self.place == "group" else f"{self.person.name}'s private chat"
        self._note(f"No button “{text}” in {where} yet. (Type a button's number to press it wherever it is.)")

    def _press_callback(self, button: ShownButton) -> None:
        current = self._current(button)
        if current is None:
            self._note("That message is gone.")
            return
        try:
            self.person.user.press(current, button.text)
        except KeyError:
            self._note("That button is no longer on its message: use the newer one.")
        except ValueError:
            self._note(f"{self.person.name} cannot see that message: it is in {self._chat_label(button.chat_id)}.")

    async def _open(self, url: str) -> None:
        if url.startswith(("https://t.me/", "http://t.me/")):
            try:
                self.person.user.open_deep_link(url)
            except ValueError as refused:
                self._note(str(refused))
                return
            self.place = "private"
            self._note(f"Telegram opened {self.person.name}'s private chat with the bot.")
        elif url.startswith(self._components.settings.public_url + _CONNECT_PATH):
            await self._consent(url)
        else:
            self._note(f"This opens Zoom in a browser; the playground has no Zoom app to open it in: {url}")

    async def _open_connect_link(self) -> None:
        prefix = self._components.settings.public_url + _CONNECT_PATH
        links = [
            url for m in self._stage.telegram.messages(self.person.user) for url in m.urls if url.startswith(prefix)
        ]
        if not links:
            self._note(f"No Connect Zoom link in {self.person.name}'s private chat yet: send /connect there first.")
            return
        await self._consent(links[-1])

    async def _consent(self, url: str) -> None:
        name = self.person.name
        self._note(f"{name} opens the link in a browser; Zoom asks, and {name} allows ClassBot.")
        try:
            await consent_in_browser(url, self.person.zoom_user_id)
        except ConsentFailed as failed:  # a used or expired link: say what the page says, as a person reads it
            words = page_words(failed.page)
            self._note(f"It did not get that far. The page says: {words}" if words else f"That did not work: {failed}")

    async def _pay(self) -> None:
        """Press Pay on the newest invoice in the person's private chat, as Telegram's payment sheet would."""
        invoices = [m for m in self._stage.telegram.messages(self.person.user) if m.invoice is not None]
        if not invoices:
            self._note(f"No invoice in {self.person.name}'s private chat yet: book a seat in a class with a price.")
            return
        invoice = invoices[-1].invoice or {}
        self._note(f"{self.person.name} pays {invoice['total_amount']} {invoice['currency']} in Telegram's sheet.")
        attempt = await self.person.user.pay(invoices[-1])
        if not attempt.ok:
            self._note(f"Telegram shows {self.person.name}: {attempt.error_message}")

    async def _skip_to_reminder(self) -> None:
        due = await self._components.jobs.next_due(job_kinds.REMINDER)
        if due is None:
            self._note("No reminder is waiting: reminders go 24 h and 15 min before each class, once it exists.")
            return
        moved = self._clock.jump_to(due)
        self._components.worker.wake()
        self._note(f"The clock jumps {_duration(moved)} ahead, to {due:%Y-%m-%d %H:%M} UTC: the reminder is due.")

    def _current(self, button: ShownButton) -> SentMessage | None:
        messages = self._stage.telegram.messages(button.chat_id, include_deleted=False)
        return next((m for m in messages if m.message_id == button.message_id), None)

    def _chat_label(self, chat_id: int) -> str:
        if chat_id == self._stage.group.id:
            return f"group {self._stage.group.title}"
        person: Person | None = self._stage.person_of_chat(chat_id)
        return f"{person.label}, private" if person else f"chat {chat_id}"

    def _note(self, text: str) -> None:
        self._terminal.show([f"  ({text})"])


def page_words(page: str) -> str:
    """The words a person reads on one of ClassBot's pages (its heading and paragraphs), without the HTML."""
    reader = _PageReader()
    reader.feed(page)
    return " ".join(" ".join(part.split()) for part in reader.parts if part.strip())


class _PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._inside = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "p"):
            self._inside += 1
            self.parts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "p") and self._inside:
            self._inside -= 1
            if tag == "h1" and self.parts and not self.parts[-1].rstrip().endswith((".", "!", "?")):
                self.parts[-1] = self.parts[-1].rstrip() + "."

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.parts[-1] += data


def _duration(step: timedelta) -> str:
    minutes = int(step.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
