"""Socket Mode: a websocket server (aiohttp's, since uvicorn here has no websocket library) in its own thread.

The app calls apps.connections.open with its ``xapp-`` token and gets ``ws://…/socket?ticket=…`` (a ticket is
good once, for 60 seconds); on connecting it gets ``{"type": "hello", …}``. Envelopes go to the newest live
connection; the app acknowledges each with ``{"envelope_id": …, "payload": …?}``, recorded with the time since
the envelope left. ``request_disconnect`` sends ``{"type": "disconnect", "reason": …}`` (the client then opens a
new connection); the old connections get no more envelopes and are closed once a new one says hello. Pings are
answered with pongs carrying the same data, as slack-sdk's health check expects.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .records import Ack
from .state import EnvelopeRecord, SlackWorld

TICKET_LIFETIME = 60.0
_numbers = itertools.count(1)


class NoSocketClient(RuntimeError):
    """No app is connected over Socket Mode."""


@dataclass(slots=True, eq=False)
class Connection:
    number: int
    ws: web.WebSocketResponse
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    draining: bool = False


class SocketModeServer:
    def __init__(self, world: SlackWorld, *, port: int = 0, start_timeout: float = 10.0) -> None:
        self._world = world
        self._requested_port = port
        self._start_timeout = start_timeout
        self._connections: list[Connection] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._changed = threading.Condition()
        self._state: str = "stopped"
        self.port: int | None = None

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._requested_port))
        sock.listen(64)
        self.port = sock.getsockname()[1]
        self._state = "starting"
        self._thread = threading.Thread(
            target=self._serve, args=(sock,), name=f"fake-slack-socket-{self.port}", daemon=True
        )
        self._thread.start()
        with self._changed:
            self._changed.wait_for(lambda: self._state != "starting", self._start_timeout)
        if self._state != "listening":
            self.stop()
            raise RuntimeError(f"the fake Slack's Socket Mode server did not start on port {self.port}")

    def stop(self) -> None:
        loop = self._loop
        if loop is not None and loop.is_running():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=5)
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = self._loop = None
        with self._world.lock:
            self._connections.clear()
        self._requested_port = self.port or self._requested_port

    def _serve(self, sock: socket.socket) -> None:
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        app = web.Application()
        app.router.add_get("/socket", self._link)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        try:
            loop.run_until_complete(self._runner.setup())
            loop.run_until_complete(web.SockSite(self._runner, sock).start())
            self._set_state("listening")
            loop.run_forever()
        except BaseException:
            self._set_state("failed")
            raise
        finally:
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            sock.close()
            self._set_state("stopped")

    def _set_state(self, state: str) -> None:
        with self._changed:
            self._state = state
            self._changed.notify_all()

    async def _shutdown(self) -> None:
        with self._world.lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(Exception):
                await connection.ws.close(code=1001, message=b"server shutting down")
        if self._runner is not None:
            await self._runner.cleanup()

    # -- connections -------------------------------------------------------------------------------------------

    async def _link(self, request: web.Request) -> web.StreamResponse:
        world = self._world
        with world.lock:
            issued = world.tickets.pop(request.query.get("ticket", ""), None)
        if issued is None or world.now() - issued > TICKET_LIFETIME:
            return web.Response(status=401, text="invalid or expired ticket")
        connection = Connection(next(_numbers), web.WebSocketResponse(autoping=True))
        with world.lock:
            self._connections.append(connection)  # before the handshake: a client that has connected is counted
            world.changes.notify()
        try:
            await connection.ws.prepare(request)
            await connection.ws.send_str(json.dumps(self._hello()))
            connection.ready.set()
            await self._close_drained()
            async for message in connection.ws:
                if message.type == WSMsgType.TEXT:
                    self._receive(message.data)
        finally:
            with world.lock:
                self._connections.remove(connection)
                world.changes.notify()
        return connection.ws

    def _hello(self) -> dict[str, Any]:
        with self._world.lock:
            count = len([c for c in self._connections if not c.draining])
            app_id = self._world.app_id
        return {
            "type": "hello",
            "num_connections": count,
            "debug_info": {"host": "applink-fake-1", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": app_id},
        }

    async def _close_drained(self) -> None:
        with self._world.lock:
            drained = [c for c in self._connections if c.draining]
        for connection in drained:
            with contextlib.suppress(Exception):
                await connection.ws.close(code=1000)

    def _receive(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            return
        envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
        if not isinstance(envelope_id, str):
            return
        world = self._world
        with world.lock:
            record = world.envelopes.get(envelope_id)
            if record is None or record.ack is not None:
                return
            payload = message.get("payload")
            record.ack = Ack(
                envelope_id,
                record.kind,
                time.monotonic() - record.sent_at,
                payload if isinstance(payload, dict) else None,
            )
            if record.on_ack is not None:
                try:
                    record.on_ack(record.ack.payload)
                except Exception as failure:  # handed to the test by the driver that sent the envelope
                    record.ack_error = failure
            world.changes.notify()

    # -- sending -------------------------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Whether an app is connected (or completing its handshake) and takes envelopes."""
        with self._world.lock:
            return any(not c.draining for c in self._connections)

    @property
    def connection_count(self) -> int:
        with self._world.lock:
            return len(self._connections)

    def send_envelope(
        self, envelope: dict[str, Any], on_ack: Callable[[dict[str, Any] | None], None] | None = None
    ) -> concurrent.futures.Future[None]:
        """Send to the newest live connection; the envelope's clock starts when it is on the wire. ``on_ack`` runs
        (under the lock) with the ack's payload as soon as the ack arrives."""
        with self._world.lock:
            live = [c for c in self._connections if not c.draining]
            if not live or self._loop is None:
                raise NoSocketClient("no app is connected to the fake Slack over Socket Mode")
            connection = live[-1]
            record = EnvelopeRecord(envelope["envelope_id"], envelope["type"], time.monotonic(), on_ack=on_ack)
            self._world.envelopes[record.envelope_id] = record
        return asyncio.run_coroutine_threadsafe(self._send(connection, record, envelope), self._loop)

    async def _send(self, connection: Connection, record: EnvelopeRecord, message: dict[str, Any]) -> None:
        await connection.ready.wait()
        text = json.dumps(message)
        with self._world.lock:
            record.sent_at = time.monotonic()
        await connection.ws.send_str(text)

    def request_disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask every connected client to reconnect, as Slack does before it recycles a server."""
        with self._world.lock:
            targets = [c for c in self._connections if not c.draining]
            for connection in targets:
                connection.draining = True
            message = json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake-1"}})
        for connection in targets:
            if self._loop is not None:
                asyncio.run_coroutine_threadsafe(connection.ws.send_str(message), self._loop).result(timeout=5)

    def drop_connections(self) -> None:
        """Close every connection without warning, as a network failure would."""
        with self._world.lock:
            targets = list(self._connections)
        for connection in targets:
            if self._loop is not None:
                asyncio.run_coroutine_threadsafe(connection.ws.close(code=1011), self._loop).result(timeout=5)
