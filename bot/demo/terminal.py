"""Plain lines in and out, with or without a terminal: the playground reads what is typed (or piped) and writes
what happens, keeping the prompt last on an interactive screen.

Lines are read on a daemon thread, because a blocking read of standard input is the one read that works for a
terminal, a pipe and a file alike; each line is handed to the event loop. End of input reads as None.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import TextIO

_CLEAR_LINE = "\r\x1b[K"


class Terminal:
    def __init__(self, source: TextIO, sink: TextIO) -> None:
        self._source = source
        self._sink = sink
        self._interactive = source.isatty() and sink.isatty()
        self._prompt = ""
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()

    def start_reading(self) -> None:
        loop = asyncio.get_running_loop()

        def read() -> None:
            for line in iter(self._source.readline, ""):
                with contextlib.suppress(RuntimeError):  # the loop closed: the playground is over
                    loop.call_soon_threadsafe(self._lines.put_nowait, line.rstrip("\r\n"))
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._lines.put_nowait, None)

        threading.Thread(target=read, name="playground-input", daemon=True).start()

    async def read(self) -> str | None:
        """The next line typed, or None at the end of input. Piped lines are echoed after the prompt, so that the
        transcript reads like a session."""
        line = await self._lines.get()
        if not self._interactive and line is not None:
            self._write(f"{self._prompt}{line}\n")
        return line

    def show(self, lines: list[str]) -> None:
        """Print ``lines`` above the prompt."""
        if self._interactive:
            self._write(_CLEAR_LINE + "".join(f"{line}\n" for line in lines) + self._prompt)
        else:
            self._write("".join(f"{line}\n" for line in lines))

    def ask(self, prompt: str) -> None:
        """Show ``prompt`` and wait there for the next line."""
        self._prompt = prompt
        if self._interactive:
            self._write(_CLEAR_LINE + prompt)

    def _write(self, text: str) -> None:
        self._sink.write(text)
        self._sink.flush()
