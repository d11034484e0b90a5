"""An ASGI app served by uvicorn on 127.0.0.1, in a daemon thread with its own event loop.

``start()`` binds the socket itself (so the port is known at once, 0 meaning any free port) and returns when
uvicorn says it is listening, waiting on a condition with a timeout; ``stop()`` asks uvicorn to exit and joins.
``ServedFake`` is a test server's life on top of it (start, stop keeping state, start again on the same port), and
``serve_until_stopped`` what each test server's ``python -m`` does once it listens.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Self

import uvicorn
from starlette.types import ASGIApp

# How long an idle connection stays open: a minute, longer than a client here keeps one idle (httpx: 5 s), so
# that a client never sends on a connection the server is closing that very moment. With uvicorn's own default,
# those same 5 s, a reused connection could meet the close (a ReadError) and a test fail by chance.
_IDLE_CONNECTION_KEPT_S = 60


class _Server(uvicorn.Server):
    """A uvicorn server that says when it is listening."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self._on_started()

    async def main_loop(self) -> None:
        # uvicorn's own loop sleeps 0.1 s between ticks; waking on stop() instead saves that on every test.
        wake = self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), 0.1)

    def request_exit(self) -> None:
        """Ask the server to stop, from any thread."""
        self.should_exit = True
        if self._loop is not None and self._wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop may have closed already
                self._loop.call_soon_threadsafe(self._wake.set)


class ThreadedServer:
    def __init__(self, app: ASGIApp, *, name: str, port: int = 0, start_timeout: float = 10.0) -> None:
        self._app = app
        self._name = name
        self._requested_port = port
        self._start_timeout = start_timeout
        self._changed = threading.Condition()
        self._listening = False
        self._failure: BaseException | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    def bind(self) -> socket.socket:
        """The listening socket; its port is ``self.port`` from now on."""
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and without it every
        # answer split into header and body segments waits ~40 ms for a delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._requested_port))
        sock.listen(128)
        self.port = sock.getsockname()[1]
        return sock

    def start(self, sock: socket.socket) -> None:
        if self._thread is not None:
            raise RuntimeError(f"{self._name} is already started")
        config = uvicorn.Config(
            self._app,
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
            timeout_keep_alive=_IDLE_CONNECTION_KEPT_S,
        )
        self._server = _Server(config, self._notify_listening)
        self._thread = threading.Thread(target=self._serve, args=(sock,), name=f"{self._name}-{self.port}", daemon=True)
        self._thread.start()
        with self._changed:
            ready = self._changed.wait_for(lambda: self._listening or self._failure is not None, self._start_timeout)
        if self._failure is not None or not ready:
            self.stop()
            raise RuntimeError(f"{self._name} did not start on port {self.port}") from self._failure

    def stop(self) -> None:
        if self._server is not None:
            self._server.request_exit()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = self._server = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def _serve(self, sock: socket.socket) -> None:
        assert self._server is not None
        try:
            asyncio.run(self._server.serve(sockets=[sock]))
        except BaseException as failure:
            with self._changed:
                self._failure = failure
                self._changed.notify_all()
        finally:
            sock.close()

    def _notify_listening(self) -> None:
        with self._changed:
            self._listening = True
            self._changed.notify_all()


class ServedFake:
    """A test server's life: ``start()`` serves ``_app()`` on 127.0.0.1 (the port given, or a free one) and returns
    once it listens; ``stop()`` shuts it down with its state still readable, and ``start()`` again serves the same
    port, so a test can take the service away (connection refused) and bring it back. Subclasses name themselves
    and may hook in what they run beside the web server (webhook senders, Socket Mode)."""

    def __init__(self, name: str, *, port: int, start_timeout: float) -> None:
        self._name = name
        self._port = port
        self._start_timeout = start_timeout
        self._runner: ThreadedServer | None = None

    def _app(self) -> ASGIApp:
        raise NotImplementedError

    def _before_serving(self, port: int) -> None:
        """The port is bound and the app not yet served: the moment to say where the server is."""

    def _serving_failed(self) -> None:
        """Undo ``_before_serving`` when the server did not start."""

    def _after_serving(self) -> None:
        """The server listens."""

    def _before_stopping(self) -> None:
        """The server is about to shut down (it may not have been started)."""

    def start(self) -> Self:
        """Serve on 127.0.0.1 (the port given, or a free one); returns once the server listens."""
        if self._runner is not None:
            raise RuntimeError(f"{self._name} is already started")
        runner = ThreadedServer(self._app(), name=self._name, port=self._port, start_timeout=self._start_timeout)
        sock = runner.bind()
        self._runner = runner
        try:
            self._before_serving(self.port)
            runner.start(sock)
        except BaseException:
            self._runner = None
            sock.close()
            self._serving_failed()
            raise
        self._after_serving()
        return self

    def stop(self) -> None:
        """Shut the server down and join its thread; its state stays readable."""
        self._before_stopping()
        if self._runner is not None:
            self._runner.stop()
            self._port = self._runner.port or self._port
            self._runner = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    @property
    def port(self) -> int:
        port = self._runner.port if self._runner is not None else self._port
        if not port:
            raise RuntimeError(f"{self._name} has not been started")
        return port


def serve_until_stopped(lines: Iterable[str]) -> None:
    """Print the ``KEY=value`` lines a person (or a script) needs, then wait for SIGTERM or Ctrl-C."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("\n".join(lines), flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
