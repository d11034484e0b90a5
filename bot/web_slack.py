"""Slack's endpoints on the one Starlette app: ``/slack/events`` (HTTP mode) and the multi-workspace install
(``/slack/install``, ``/slack/oauth_redirect``), present when the Slack front end is configured."""

from __future__ import annotations

from starlette.routing import Route

from bot.app import Components


def slack_routes(components: Components) -> list[Route]:
    return components.slack.routes() if components.slack is not None else []
