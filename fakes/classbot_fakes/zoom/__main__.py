"""Run the fake Zoom by itself: ``python -m classbot_fakes.zoom --port 0 --latency 0.1``.

Prints ``KEY=value`` lines (the URLs, the OAuth client and one user per ``--user``), then serves until
interrupted. The first line is always ``FAKE_ZOOM_URL=http://127.0.0.1:PORT``.
"""

from __future__ import annotations

import argparse

from ..runner import serve_until_stopped
from .server import FakeZoom


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m classbot_fakes.zoom", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every API answer")
    parser.add_argument("--daily-meeting-cap", type=int, default=100)
    parser.add_argument("--user", action="append", default=[], metavar="EMAIL", help="add a licensed user")
    args = parser.parse_args(argv)
    with FakeZoom(port=args.port, latency=args.latency, daily_meeting_cap=args.daily_meeting_cap) as zoom:
        lines = [
            f"FAKE_ZOOM_URL={zoom.oauth_url}",
            f"ZOOM_OAUTH_URL={zoom.oauth_url}",
            f"ZOOM_API_URL={zoom.api_url}",
            f"ZOOM_CLIENT_ID={zoom.client_id}",
            f"ZOOM_CLIENT_SECRET={zoom.client_secret}",
        ]
        lines += [f"FAKE_ZOOM_USER_ID={zoom.add_user(email=email, licensed=True).id}" for email in args.user]
        serve_until_stopped(lines)


if __name__ == "__main__":
    main()
