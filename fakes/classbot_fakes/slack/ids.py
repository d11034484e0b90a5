"""Identifiers in the shapes Slack uses: ``T…``/``U…``/``C…``/``D…``/``V…`` ids, message timestamps, trigger ids,
envelope ids, event ids and block ids."""

from __future__ import annotations

import secrets
import string
import threading
import time
import uuid

_ALPHABET = string.ascii_uppercase + string.digits
_ts_lock = threading.Lock()
_last_ts = 0.0


def slack_id(prefix: str, length: int = 10) -> str:
    """``prefix`` and upper-case letters and digits, like ``C07QH3R5ZKN`` (Slack's ids are 9 to 11 characters)."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def message_ts() -> str:
    """A message timestamp, ``seconds.micros`` of the wall clock, never repeated in this process (a message's
    identity within its channel)."""
    global _last_ts
    with _ts_lock:
        now = max(time.time(), _last_ts + 0.000001)
        _last_ts = now
    return f"{now:.6f}"


def trigger_id() -> str:
    """Like ``3701415066658.3485157640.72f11de3d52bb9593d6931af772a323e``."""
    return f"{secrets.randbelow(10**13)}.{secrets.randbelow(10**10)}.{secrets.token_hex(16)}"


def envelope_id() -> str:
    return str(uuid.uuid4())


def event_id() -> str:
    return slack_id("Ev", 10)


def block_id() -> str:
    """Slack fills in a missing ``block_id`` with a short random one (e.g. ``2WGp9``); so does a missing action_id."""
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(5))


def view_hash() -> str:
    return f"{int(time.time())}.{secrets.token_hex(4)}"


def token(prefix: str, team_id: str) -> str:
    return f"{prefix}-{team_id}-{secrets.randbelow(10**12)}-{secrets.token_urlsafe(18)}"
