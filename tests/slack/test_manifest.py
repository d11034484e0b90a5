"""slack-manifest.yaml, the install's scope request and the test server's default scopes ask for the same bot
scopes: a scope missing from one of them would fail only in a real workspace."""

from __future__ import annotations

import re
from pathlib import Path

from classbot_fakes.slack import DEFAULT_BOT_SCOPES

from bot.handlers.slack.installations import BOT_SCOPES

MANIFEST = Path(__file__).resolve().parents[2] / "slack-manifest.yaml"


def _manifest_bot_scopes() -> set[str]:
    text = MANIFEST.read_text(encoding="utf-8")
    listed = text.split("    bot:\n", 1)[1].split("settings:", 1)[0]
    return set(re.findall(r"^\s+- ([a-z_]+(?::[a-z_.]+)?)", listed, flags=re.MULTILINE))


def test_the_manifest_the_install_and_the_test_server_agree_on_bot_scopes() -> None:
    scopes = _manifest_bot_scopes()

    assert "files:write" in scopes
    assert scopes == set(BOT_SCOPES)
    assert scopes <= set(DEFAULT_BOT_SCOPES)
