"""The control side of a host process: a small JSON API on 127.0.0.1 next to a fake, served until SIGTERM.

The fakes keep their state in their own process (that is the point: their CPU is not the bot's, nor the
driver's), so the benchmark reads their transcripts and steers them through this API. The host prints its
``KEY=value`` lines, then ``CONTROL_URL=…`` last, which tells the parent process it is ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

JsonHandler = Callable[[dict[str, Any]], Awaitable[Any]]


def json_route(path: str, handler: JsonHandler) -> Route:
    """POST ``path`` with a JSON object (or GET with query parameters) answers ``handler``'s result as JSON."""

    async def endpoint(request: Request) -> Response:
        if request.method == "POST":
            body = await request.body()
            arguments: dict[str, Any] = (await request.json()) if body else {}
        else:
            arguments = dict(request.query_params)
        try:
            return JSONResponse(await handler(arguments))
        except (KeyError, ValueError, TimeoutError, RuntimeError, LookupError) as failure:
            return JSONResponse({"error": f"{type(failure).__name__}: {failure}"}, status_code=400)

    return Route(path, endpoint, methods=["GET", "POST"])


async def serve_control(routes: list[Route], lines: list[str], on_url: Callable[[str], None] | None = None) -> None:
    """Serve ``routes`` on a free port, print ``lines`` and the control URL, and return on SIGTERM or SIGINT."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=routes), log_config=None, access_log=False, lifespan="off"))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if serving.done():
            await serving
            raise RuntimeError("the control server did not start")
        await asyncio.sleep(0.01)
    if on_url is not None:
        on_url(f"http://127.0.0.1:{port}")
    print("\n".join([*lines, f"CONTROL_URL=http://127.0.0.1:{port}"]), flush=True)
    await stop.wait()
    server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await serving
    sys.stdout.flush()
