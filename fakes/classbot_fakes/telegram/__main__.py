"""Run the fake Telegram by itself: ``python -m classbot_fakes.telegram --port 0 --latency 0.05``.

Prints ``KEY=value`` lines (the first is always ``FAKE_TELEGRAM_URL=http://127.0.0.1:PORT``, then the base URL
and token ClassBot needs), then serves until interrupted.
"""

from __future__ import annotations

import argparse

from ..runner import serve_until_stopped
from .server import FakeTelegram


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m classbot_fakes.telegram", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every API answer")
    parser.add_argument("--token", default="123456:TEST-token")
    parser.add_argument("--bot-username", default="classbot_test_bot")
    parser.add_argument("--enforce-limits", action="store_true", help="answer 429 over Telegram's flood limits")
    args = parser.parse_args(argv)
    fake = FakeTelegram(
        token=args.token, bot_username=args.bot_username, latency=args.latency, enforce_limits=args.enforce_limits
    )
    with fake:
        lines = [
            f"FAKE_TELEGRAM_URL={fake.url}",
            f"TELEGRAM_BASE_URL={fake.base_url}",
            f"TELEGRAM_BOT_TOKEN={fake.token}",
        ]
        serve_until_stopped(lines)


if __name__ == "__main__":
    main()
