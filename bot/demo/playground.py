"""``python -m bot demo``: ClassBot, its two test servers and a terminal chat, in one process, with no accounts.

The order of things: the test servers and people (``stage``), then ClassBot built as ``python -m bot run`` builds
it but with the playground's clock, its web server on a socket bound first (so the port is known before the
settings are made), the group set up, the welcome, and the chat until ``:quit`` or the end of input. Leaving
undoes it in reverse: the web server stops, ClassBot's parts close, the test servers stop, the folder goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Iterator
from datetime import datetime
from typing import TextIO

import uvicorn
from classbot_fakes.telegram import SentMessage

from bot.app import build_components, create_web_app
from bot.core.actions import Act
from bot.demo.clock import JumpingClock
from bot.demo.commands import parse
from bot.demo.session import Session
from bot.demo.stage import TIMEZONE, Stage, open_stage, specs_available
from bot.demo.terminal import Terminal
from bot.demo.walkthrough import class_day, welcome_lines
from bot.support.logs import configure_logging

_SETUP_TIMEOUT = 30.0
_ANYONE_MAY_PUBLISH = Act.POLICY.on("anyone").wire  # the callback data of "Any member"


class _QuietServer(uvicorn.Server):
    """Uvicorn without its own signal handling, and saying when it listens."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.listening.set()


def play(source: TextIO, sink: TextIO) -> int:
    """Run the playground on these streams; the exit status."""
    return asyncio.run(_play(Terminal(source, sink)))


async def _play(terminal: Terminal) -> int:
    checked = specs_available()  # without them the test servers take requests unchecked: no matter for a newcomer
    with open_stage(checked=checked) as stage, _listening_socket() as sock:
        settings = stage.settings(sock.getsockname()[1])
        configure_logging(settings.log_level, settings.log_format)
        clock = JumpingClock()
        async with build_components(settings, clock=clock) as components:
            server = _QuietServer(
                uvicorn.Config(create_web_app(components), lifespan="off", log_config=None, access_log=False)
            )
            serving = asyncio.create_task(server.serve(sockets=[sock]), name="http-server")
            session = Session(stage, components, clock, terminal)
            try:
                await asyncio.wait_for(server.listening.wait(), _SETUP_TIMEOUT)
                await _set_up(stage, session)
                terminal.show(_welcome(stage, clock()))
                await _chat(session, terminal)
            finally:
                server.should_exit = True
                await serving
    terminal.show(["Bye: everything the playground made is gone."])
    return 0


async def _chat(session: Session, terminal: Terminal) -> None:
    """Read and perform commands until ``:quit``, the end of input, SIGINT or SIGTERM."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    watching = asyncio.create_task(session.watch(), name="playground-screen")
    stopping = asyncio.create_task(stop.wait(), name="playground-stop")
    terminal.start_reading()
    try:
        while True:
            terminal.ask(session.prompt)
            reading = asyncio.create_task(terminal.read())
            await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not reading.done():
                reading.cancel()
                break
            line = reading.result()
            if line is None:
                break
            command = parse(line)
            if command is not None and not await session.perform(command):
                break
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        for task in (watching, stopping):
            task.cancel()
        await asyncio.gather(watching, stopping, return_exceptions=True)
        terminal.ask("")


async def _set_up(stage: Stage, session: Session) -> None:
    """Everyone opens the bot's private chat; Ann sets the group up so that any member may publish there."""
    telegram = stage.telegram
    for person in stage.persons.values():
        person.user.start_private_chat()
    for person in stage.persons.values():
        await telegram.wait_for_message(person.user, timeout=_SETUP_TIMEOUT)
    teacher = stage.persons["teacher"].user
    teacher.send("/setup", stage.group)
    question = await telegram.wait_for_message(stage.group, _asks_policy, timeout=_SETUP_TIMEOUT)
    anyone = next(b for row in question.buttons for b in row if b.callback_data == _ANYONE_MAY_PUBLISH)
    teacher.press(question, anyone.text)
    await telegram.wait_for_message(stage.group, lambda m: m.message_id > question.message_id, timeout=_SETUP_TIMEOUT)
    session.screen.skip(telegram.all_messages())


def _asks_policy(message: SentMessage) -> bool:
    return any(button.callback_data == _ANYONE_MAY_PUBLISH for row in message.buttons for button in row)


def _welcome(stage: Stage, now: datetime) -> list[str]:
    names = {key: person.name for key, person in stage.persons.items()}
    return [
        "",
        "ClassBot playground: the bot runs here against built-in Zoom and Telegram test servers. No accounts, and",
        "nothing leaves this machine.",
        f"{names['teacher']} (teacher), {names['parent1']} (parent1) and {names['parent2']} (parent2) are all in the "
        f"group {stage.group.title},",
        f"where ClassBot is an admin and already set up. Times are {TIMEZONE}. Try, in this order:",
        "",
        *welcome_lines(class_day(now)),
        "",
        "Buttons are numbered: type the number to press one (or :press and its text). :help lists the commands;",
        ":quit or Ctrl-D leaves.",
    ]


@contextlib.contextmanager
def _listening_socket() -> Iterator[socket.socket]:
    """A socket on a free port of 127.0.0.1 for ClassBot's web server, bound before the settings need the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        yield sock
    finally:
        sock.close()
