"""The public Starlette app of a ClassBot process, assembled from each concern's routes, and the metrics app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.routing import Route

from bot.config import Settings
from bot.core.services import Services
from bot.web.downloads import download_routes
from bot.web.health import health_routes, metrics_routes
from bot.web.info import info_routes
from bot.web.zoom import zoom_routes

if TYPE_CHECKING:
    from bot.handlers.slack.frontend import SlackFrontEnd
    from bot.handlers.telegram.frontend import TelegramFrontEnd
    from bot.payments_stripe.webhook import StripeWebhook


def web_app(
    services: Services,
    settings: Settings,
    *,
    telegram: TelegramFrontEnd | None,
    slack: SlackFrontEnd | None,
    stripe: StripeWebhook | None = None,
) -> Starlette:
    """The HTTP surface of one ClassBot process.

    Telegram's and Slack's routes (and so python-telegram-bot and slack-bolt) are imported only when that
    platform is configured: a Slack-only process never loads ``telegram``.
    """
    routes: list[Route] = [
        *health_routes(services.health),
        *zoom_routes(services, settings),
        *download_routes(services),
        *info_routes(services),
    ]
    if telegram is not None:
        from bot.web.telegram import telegram_routes

        routes += telegram_routes(telegram, settings)
    if slack is not None:
        from bot.web.slack import slack_routes

        routes += slack_routes(slack, services.health)
    if stripe is not None:
        from bot.web.stripe_webhook import stripe_routes  # with the stripe SDK: only when payments are set up

        routes += stripe_routes(stripe, services)
    return Starlette(routes=routes)


def metrics_app(services: Services) -> Starlette:
    """``/metrics`` alone, for the metrics listener (``METRICS_PORT``, bound to 127.0.0.1 by default)."""
    return Starlette(routes=metrics_routes(services.health))
