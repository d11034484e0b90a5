"""Run the Stripe test server by itself: ``python -m classbot_fakes.stripe --port 0 --webhook URL``.

Prints ``KEY=value`` lines (the settings ClassBot needs), then serves until interrupted. The first line is always
``FAKE_STRIPE_URL=http://127.0.0.1:PORT``.
"""

from __future__ import annotations

import argparse

from ..runner import serve_until_stopped
from .server import FakeStripe


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m classbot_fakes.stripe", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument(
        "--webhook", default=None, help="the bot's webhook URL, e.g. http://127.0.0.1:8080/stripe/webhook"
    )
    args = parser.parse_args(argv)
    with FakeStripe(port=args.port) as stripe:
        if args.webhook:
            stripe.configure_webhook(args.webhook)
        lines = [
            f"FAKE_STRIPE_URL={stripe.api_url}",
            f"STRIPE_API_URL={stripe.api_url}",
            f"STRIPE_SECRET_KEY={stripe.secret_key}",
            f"STRIPE_WEBHOOK_SECRET={stripe.webhook_secret}",
        ]
        serve_until_stopped(lines)


if __name__ == "__main__":
    main()
