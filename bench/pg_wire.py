"""Counting the bot's PostgreSQL round trips and statements on the wire, without touching the bot.

``pg_stat_statements`` would need ``shared_preload_libraries`` and a server restart, and SQLAlchemy event
counting would need code inside the bot. Instead the bot's ``DATABASE_URL`` points at this forwarder, which
passes every byte through unchanged and reads the PostgreSQL protocol (v3) as it goes:

- a round trip is one ``ReadyForQuery`` ('Z') from the server: the client waited for the server that many
  times (asyncpg sends Parse/Bind/Execute/Sync in one go, so this is exactly its waits);
- a statement is one ``Execute`` ('E') or simple ``Query`` ('Q') from the client, attributed to its SQL text
  through the ``Parse`` ('P') and ``Bind`` ('B') that named it, so the busiest statements can be listed.

The connection must not be encrypted (``ssl=disable`` in the URL); an encrypted one is forwarded uncounted.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import struct
from collections import Counter
from collections.abc import Callable

_SSL_REQUEST = 80877103
_GSS_REQUEST = 80877104
_SPACES = re.compile(r"\s+")


def normalized(query: str) -> str:
    return _SPACES.sub(" ", query).strip()[:300]


class WireCounts:
    """What all connections did; plain numbers, read from the event loop that serves the forwarder."""

    def __init__(self) -> None:
        self.round_trips = 0
        self.statements: Counter[str] = Counter()
        self.connections = 0

    def snapshot(self) -> tuple[int, Counter[str]]:
        return self.round_trips, Counter(self.statements)


class _ClientSide:
    """Reads what the client sends: startup packets first, then typed messages."""

    def __init__(self, counts: WireCounts) -> None:
        self._counts = counts
        self._buffer = bytearray()
        self._started = False
        self._named: dict[bytes, str] = {}
        self._bound = ""
        self.expect_ssl_answer = False

    def feed(self, data: bytes) -> None:
        self._buffer += data
        while True:
            if not self._started:
                if len(self._buffer) < 8:
                    return
                length, code = struct.unpack("!ii", self._buffer[:8])
                if len(self._buffer) < length:
                    return
                del self._buffer[:length]
                if code in (_SSL_REQUEST, _GSS_REQUEST):
                    self.expect_ssl_answer = True
                else:
                    self._started = True
                continue
            if len(self._buffer) < 5:
                return
            kind = bytes(self._buffer[0:1])
            (length,) = struct.unpack("!i", self._buffer[1:5])
            if len(self._buffer) < 1 + length:
                return
            body = bytes(self._buffer[5 : 1 + length])
            del self._buffer[: 1 + length]
            self._message(kind, body)

    def _message(self, kind: bytes, body: bytes) -> None:
        if kind == b"P":
            name, query = body.split(b"\0", 2)[:2]
            self._named[name] = normalized(query.decode(errors="replace"))
        elif kind == b"B":
            statement = body.split(b"\0", 2)[1]
            self._bound = self._named.get(statement, "(unknown prepared statement)")
        elif kind == b"E":
            self._counts.statements[self._bound] += 1
        elif kind == b"Q":
            self._counts.statements[normalized(body.rstrip(b"\0").decode(errors="replace"))] += 1


class _ServerSide:
    def __init__(self, counts: WireCounts, client: _ClientSide) -> None:
        self._counts = counts
        self._client = client
        self._buffer = bytearray()
        self.encrypted = False

    def feed(self, data: bytes) -> None:
        if self.encrypted:
            return
        self._buffer += data
        while True:
            if self._client.expect_ssl_answer:
                if not self._buffer:
                    return
                self._client.expect_ssl_answer = False
                answer = bytes(self._buffer[0:1])
                del self._buffer[:1]
                if answer in (b"S", b"G"):
                    self.encrypted = True
                    return
                continue
            if len(self._buffer) < 5:
                return
            (length,) = struct.unpack("!i", self._buffer[1:5])
            if len(self._buffer) < 1 + length:
                return
            if self._buffer[0:1] == b"Z":
                self._counts.round_trips += 1
            del self._buffer[: 1 + length]


class WireCounter:
    """Forwards 127.0.0.1:``port`` to the real server, counting as it goes."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.counts = WireCounts()
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop accepting and close every connection (their pipes then end by themselves)."""
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.counts.connections += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(*self._target)
        except OSError:
            client_writer.close()
            return
        writers = {client_writer, server_writer}
        self._writers |= writers
        client = _ClientSide(self.counts)
        server = _ServerSide(self.counts, client)
        try:
            await asyncio.gather(
                _pipe(client_reader, server_writer, client.feed), _pipe(server_reader, client_writer, server.feed)
            )
        finally:
            self._writers -= writers


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, observe: Callable[[bytes], None]) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            observe(data)
            await writer.drain()
    with contextlib.suppress(Exception):
        writer.close()
