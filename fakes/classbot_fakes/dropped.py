"""An HTTP answer that never comes: what a test server sends when a fault says the connection is lost.

The status line promises a body that is never sent and the handler returns, so uvicorn closes the connection
(logging "ASGI callable returned without completing response"). The client sees a broken read and cannot know
whether the request took effect: the case a client must survive without doing the thing twice.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

DROPPED = 0  # the status a transcript records for a request that got no answer


class DroppedConnection(Response):
    def __init__(self) -> None:
        super().__init__(status_code=DROPPED)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1024")]})
