"""A load balancer for tests: forwards each HTTP request to the next of several ClassBot processes."""

from __future__ import annotations

import itertools
from collections import Counter

import httpx
from classbot_fakes.runner import ThreadedServer
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_HOP_BY_HOP = {"host", "content-length", "connection", "transfer-encoding", "keep-alive"}


class RoundRobinProxy:
    def __init__(self, targets: list[str]) -> None:
        self.targets = targets
        self._next = itertools.cycle(range(len(targets)))
        self.forwarded = [0] * len(targets)
        self.statuses: Counter[int] = Counter()  # how ClassBot answered, by HTTP status
        app = Starlette(routes=[Route("/{path:path}", self._forward, methods=["GET", "POST"])])
        self._server = ThreadedServer(app, name="round-robin")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}"

    def start(self) -> None:
        self._server.start(self._server.bind())

    def stop(self) -> None:
        self._server.stop()

    async def _forward(self, request: Request) -> Response:
        body = await request.body()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        for _ in self.targets:  # a target that is down (restarting) passes the request to the next one
            index = next(self._next)
            try:
                async with httpx.AsyncClient(timeout=60) as client:
                    answer = await client.request(
                        request.method,
                        self.targets[index] + request.url.path,
                        params=request.query_params,
                        content=body,
                        headers=headers,
                    )
            except httpx.TransportError:
                continue
            self.forwarded[index] += 1
            self.statuses[answer.status_code] += 1
            return _passed_back(answer)
        return Response("no ClassBot process answered", status_code=502)


def _passed_back(answer: httpx.Response) -> Response:
    """``answer`` as the client gets it, every header kept apart: two Set-Cookie headers stay two (the Zoom connect
    callback sets one cookie and deletes another), where a mapping would keep only the last."""
    dropped = _HOP_BY_HOP | {"content-encoding", "content-length"}
    response = Response(answer.content, status_code=answer.status_code)
    response.raw_headers += [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in answer.headers.multi_items()
        if name.lower() not in dropped
    ]
    return response
