"""``python -m bot demo`` as a subprocess fed line by line, and its screen read back as the chats it shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

REPOSITORY = Path(__file__).resolve().parents[2]
_HEADING = re.compile(r"^\[(?P<chat>[^\]]+)\] ClassBot(?: \(edited\))?:$")
T = TypeVar("T")
_BUTTON = re.compile(r"^    \[(?P<number>\d+)\] (?P<text>.*?)(?:  ->  (?P<url>\S+))?$")


@dataclass(frozen=True)
class Shown:
    """One message the playground printed: its chat label, its lines and its numbered buttons."""

    chat: str
    lines: tuple[str, ...]
    buttons: tuple[tuple[int, str, str | None], ...]

    @property
    def urls(self) -> list[str]:
        return [url for _, _, url in self.buttons if url] + [
            line.removeprefix("    link: ") for line in self.lines if line.startswith("    link: ")
        ]

    def number(self, text: str) -> int:
        return next(number for number, label, _ in self.buttons if label == text)


class Playground:
    """The running playground: ``type`` a line, ``expect`` what should appear (waiting, never sleeping)."""

    def __init__(self, workdir: Path, environment: dict[str, str] | None = None) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPOSITORY), "TMPDIR": str(workdir), **(environment or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "demo"],
            cwd=workdir,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        self._lines: list[str] = []
        self._ended = False
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def expect_welcome(self) -> None:
        """The welcome's last line, printed once the bot and its test servers are up: on a machine busy with other
        work, setting all of that up (the database's migrations, three servers, the bot) has taken over 30 s."""
        self.expect_line(r":quit or Ctrl-D leaves", timeout=120)

    def expect_line(self, pattern: str, *, timeout: float = 30) -> re.Match[str]:
        """The first printed line matching ``pattern``, waiting for it."""
        compiled = re.compile(pattern)

        def found() -> re.Match[str] | None:
            return next((m for m in map(compiled.search, self._lines) if m), None)

        return self._wait(found, timeout, f"a line matching {pattern!r}")

    def expect_message(self, chat: str, *, after: int, must: str, timeout: float = 30) -> Shown:
        """The first message in ``chat`` printed after the first ``after`` messages, whose lines and links contain
        the regex ``must``."""
        compiled = re.compile(must)

        def found() -> Shown | None:
            for shown in self.messages()[after:]:
                if shown.chat == chat and compiled.search("\n".join([*shown.lines, *shown.urls])):
                    return shown
            return None

        return self._wait(found, timeout, f"a message in {chat} matching {must!r}")

    def messages(self) -> list[Shown]:
        with self._changed:
            lines = list(self._lines)
        shown: list[Shown] = []
        index = 0
        while index < len(lines):
            heading = _HEADING.match(lines[index])
            index += 1
            if heading is None:
                continue
            body: list[str] = []
            while index < len(lines) and lines[index].startswith("    "):
                body.append(lines[index])
                index += 1
            buttons = tuple((int(m["number"]), m["text"], m["url"]) for m in map(_BUTTON.match, body) if m is not None)
            shown.append(Shown(heading["chat"], tuple(body), buttons))
        return shown

    def finish(self, timeout: float = 30) -> int:
        """Close the input (Ctrl-D) and wait for the exit status."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        status = self.process.wait(timeout)
        self._reader.join(timeout)
        return status

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    @property
    def output(self) -> str:
        with self._changed:
            return "\n".join(self._lines)

    def _wait(self, found: Callable[[], T | None], timeout: float, what: str) -> T:
        """``found()`` once it is not None, re-checked on every printed line; fails after ``timeout`` seconds or when
        the playground has ended, showing what it printed."""
        result: list[T] = []

        def settled() -> bool:
            value = found()
            if value is not None:
                result.append(value)
            return value is not None or self._ended

        with self._changed:
            self._changed.wait_for(settled, timeout)
        if not result:
            raise AssertionError(f"no {what} within {timeout}s; the playground printed:\n{self.output}")
        return result[0]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self._lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()
