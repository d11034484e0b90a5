"""A TCP proxy in front of PostgreSQL that a test can take down and bring back, to stage a database outage for
running ClassBot processes without touching the server itself (other work may be using it).

While down, the proxy's port refuses new connections (nothing listens on it) and every connection it was carrying
is cut, as when the server or the network between goes away; brought back, it listens on the same port again.
``answer_delay`` holds back each of the server's answers for a while, as a database struggling under load does.
It runs its own event loop in a thread, so it keeps forwarding whatever the test's own loop is doing.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any

from sqlalchemy.engine import make_url

from tests.support.ports import free_port


class DatabaseProxy:
    def __init__(self, database_url: str) -> None:
        self._real = make_url(database_url)
        self._target = (self._real.host or "127.0.0.1", self._real.port or 5432)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="database-proxy", daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0
        self.connections = 0  # accepted and forwarded, over the proxy's life
        self.cut = 0  # connections cut by take_down()
        self.answer_delay = 0.0  # seconds each chunk from the server waits before it is passed on

    @property
    def url(self) -> str:
        """The database's URL with the proxy in place of the server."""
        return self._real.set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    def start(self) -> None:
        self.port = free_port()  # below the ephemeral range: still free when the proxy comes back on it
        self._thread.start()
        self._call(self._listen())

    def take_down(self) -> None:
        """Refuse new connections and cut the open ones."""
        self._call(self._close())

    def bring_back(self) -> None:
        self._call(self._listen())

    def stop(self) -> None:
        self._call(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def _call(self, work: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(work, self._loop).result(10)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._connect, "127.0.0.1", self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self.cut += len(self._writers) // 2
        for writer in list(self._writers):
            with contextlib.suppress(OSError):
                writer.transport.abort()  # a reset, as a dead server or network gives: no orderly goodbye
        self._writers.clear()

    async def _connect(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        except OSError:
            client_writer.transport.abort()
            return
        self.connections += 1
        self._writers |= {client_writer, upstream_writer}
        await asyncio.gather(
            self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer, answers=True)
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, answers: bool = False) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                if answers and self.answer_delay:
                    await asyncio.sleep(self.answer_delay)
                writer.write(data)
                await writer.drain()
        writer.close()
        self._writers.discard(writer)
