"""No Slack token survives into a log line, whatever its kind, wherever a library puts it in a message."""

from __future__ import annotations

import pytest

from bot.support.logs import scrub

TOKENS = [
    "xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",  # bot
    "xoxp-1234567890123-1234567890123-1234567890123-0123456789abcdef0123456789abcdef",  # user
    "xoxe.xoxb-1-MS0yLTEyMzQ1Njc4OTAxMjMtMTIzNDU2Nzg5MDEyMy1hYmNkZWY",  # rotating bot token
    "xoxe-1-My0xLTEyMzQ1Njc4OTAxMjMtMTIzNDU2Nzg5MDEyMy1hYmNkZWY",  # refresh token
    "xapp-1-A0123456789-1234567890123-0123456789abcdef",  # app-level
]


@pytest.mark.parametrize("token", TOKENS)
def test_every_kind_of_slack_token_is_scrubbed(token: str) -> None:
    secret_part = token.rsplit("-", 1)[1]
    said = [
        f"Received the following response - status: 200, body: {{'access_token': '{token}', 'ok': True}}",
        f"Authorization: Bearer {token}",
        f"token={token}&channel=C1",
    ]

    assert all(secret_part not in scrub(line) for line in said)
