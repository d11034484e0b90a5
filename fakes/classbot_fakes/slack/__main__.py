"""Run the fake Slack by itself: ``python -m classbot_fakes.slack --port 0 --user Ann --admin Bea``.

Prints ``KEY=value`` lines (the URLs, the app's credentials and one user id per ``--user``/``--admin``), then serves
until interrupted. The first line is always ``SLACK_API_URL=http://127.0.0.1:PORT/api/``.
"""

from __future__ import annotations

import argparse

from ..runner import serve_until_stopped
from .server import FakeSlack


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m classbot_fakes.slack", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="Web API port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--socket-port", type=int, default=0, help="Socket Mode port (0: any free port)")
    parser.add_argument("--request-url", default=None, help="the bot's /slack/events, for HTTP delivery")
    parser.add_argument("--user", action="append", default=[], metavar="NAME", help="add a member")
    parser.add_argument("--admin", action="append", default=[], metavar="NAME", help="add a workspace admin")
    args = parser.parse_args(argv)
    with FakeSlack(port=args.port, socket_port=args.socket_port) as slack:
        slack.set_request_url(args.request_url)
        lines = [
            f"SLACK_API_URL={slack.api_url}",
            f"SLACK_BOT_TOKEN={slack.bot_token}",
            f"SLACK_APP_TOKEN={slack.app_token}",
            f"SLACK_SIGNING_SECRET={slack.signing_secret}",
            f"SLACK_CLIENT_ID={slack.client_id}",
            f"SLACK_CLIENT_SECRET={slack.client_secret}",
            f"FAKE_SLACK_AUTHORIZE_URL={slack.authorize_url}",
            f"FAKE_SLACK_SOCKET_URL={slack.socket_url}",
        ]
        lines += [f"FAKE_SLACK_USER={name}:{slack.add_user(name).id}" for name in args.user]
        lines += [f"FAKE_SLACK_USER={name}:{slack.add_user(name, is_admin=True).id}" for name in args.admin]
        serve_until_stopped(lines)


if __name__ == "__main__":
    main()
