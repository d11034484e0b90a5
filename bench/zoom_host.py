"""The fake Zoom in its own process, with a control API the benchmarks need and its CLI lacks.

    python -m bench.zoom_host [--latency 0.1] [--per-second-limit 30] [--user EMAIL]

Prints what ``python -m classbot_fakes.zoom`` prints (URLs, client id and secret, ``FAKE_ZOOM_USER_ID`` per
licensed user) and ``CONTROL_URL``. The control API:

    GET  /calls?since=N   calls counted by endpoint ("POST /v2/meetings/{id}/registrants 201") from call N on
    POST /settings        {"latency": s, "per_second_limit": n or null}
    POST /tokens          {"user": id}: an access token as Zoom's token endpoint would issue (for the floor bot)
"""

from __future__ import annotations

import argparse
import asyncio
import re
from collections import Counter
from typing import Any

from classbot_fakes.zoom import FakeZoom

from bench.hosting import json_route, serve_control

_NUMBER = re.compile(r"/\d{5,}")


def endpoint_of(method: str, path: str, status: int) -> str:
    """A call's endpoint with ids folded, so counts group by operation."""
    return f"{method} {_NUMBER.sub('/{id}', path)} {status}"


class ZoomHost:
    def __init__(self, zoom: FakeZoom) -> None:
        self.zoom = zoom

    async def calls(self, arguments: dict[str, Any]) -> dict[str, Any]:
        calls = self.zoom.calls
        since = int(arguments.get("since", 0))
        counted = Counter(endpoint_of(call.method, call.path, call.status) for call in calls[since:])
        return {"total": len(calls), "by_endpoint": dict(counted)}

    async def settings(self, arguments: dict[str, Any]) -> dict[str, Any]:
        if "latency" in arguments:
            self.zoom.latency = float(arguments["latency"])
        if "per_second_limit" in arguments:
            limit = arguments["per_second_limit"]
            self.zoom.per_second_limit = None if limit is None else int(limit)
        return {"latency": self.zoom.latency, "per_second_limit": self.zoom.per_second_limit}

    async def tokens(self, arguments: dict[str, Any]) -> dict[str, Any]:
        return dict(self.zoom.issue_tokens(str(arguments["user"])))


async def main_async(arguments: argparse.Namespace) -> None:
    zoom = FakeZoom(latency=arguments.latency)
    with zoom:
        zoom.per_second_limit = arguments.per_second_limit
        users = [zoom.add_user(email=email, licensed=True).id for email in arguments.user]
        host = ZoomHost(zoom)
        routes = [
            json_route("/calls", host.calls),
            json_route("/settings", host.settings),
            json_route("/tokens", host.tokens),
        ]
        lines = [
            f"FAKE_ZOOM_URL={zoom.oauth_url}",
            f"ZOOM_OAUTH_URL={zoom.oauth_url}",
            f"ZOOM_API_URL={zoom.api_url}",
            f"ZOOM_CLIENT_ID={zoom.client_id}",
            f"ZOOM_CLIENT_SECRET={zoom.client_secret}",
            *(f"FAKE_ZOOM_USER_ID={user}" for user in users),
        ]
        await serve_control(routes, lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.zoom_host", description=__doc__)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--per-second-limit", type=int, default=None)
    parser.add_argument("--user", action="append", default=[], metavar="EMAIL")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
