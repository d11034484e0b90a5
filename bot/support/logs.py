"""Logging set-up: readable text for people or one JSON object per line for machines, and nothing secret.

Each line can carry the ids of what is being worked on (``update_id``, ``slack_request``, ``job_id``), bound to
the asyncio task that handles it (``bind_log_ids`` / ``log_ids``), so every line of one update or job, from any
library, can be found together.

Secrets are kept out of log calls by design; the scrubber here is the second line of defence, masking anything
that looks like a bearer token, a Zoom link's credential or a URL's password should a library put one in a
message. The ``httpx`` logger is quietened because it logs full request URLs, and Telegram's URLs contain the bot
token.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType

_SECRET_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(?i)([?&](?:zak|pwd|tk|token|code|access_token|refresh_token)=)[^&\s\"']+"),
    re.compile(r"(/bot)\d+:[A-Za-z0-9_-]+"),  # Telegram bot token inside a Bot API URL
    re.compile(r"\b(xox[a-z]-)[A-Za-z0-9-]+"),  # Slack tokens: bot, user, refresh (xoxe-), inside rotating ones
    re.compile(r"\b(xapp-)[A-Za-z0-9-]+"),
    # A URL's password (a database URL in a driver's error): up to the last "@", as ``bot.config.shown_url`` does.
    re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:)\S*(?=@)"),
]


# The ids of the update or job the current asyncio task works on; each task sees its own (a context variable).
_IDS: ContextVar[Mapping[str, object]] = ContextVar("classbot_log_ids", default=MappingProxyType({}))


def bind_log_ids(**ids: object) -> None:
    """Tag every later log line of the current task (an update's handling, a job's run) with ``ids``."""
    _IDS.set(MappingProxyType({**_IDS.get(), **ids}))


@contextmanager
def log_ids(**ids: object) -> Iterator[None]:
    """Tag the log lines written inside the block with ``ids``."""
    token = _IDS.set(MappingProxyType({**_IDS.get(), **ids}))
    try:
        yield
    finally:
        _IDS.reset(token)


class IdsFilter(logging.Filter):
    """Copies the current task's ids onto each record (an explicit ``extra`` of the same name wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _IDS.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


def scrub(text: str) -> str:
    """``text`` with every credential-looking part replaced by ``***``."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(r"\1***", text)
    return text


_TRACEBACKS = logging.Formatter()  # renders exceptions as every formatter does


class ScrubbingFilter(logging.Filter):
    """Renders each record's message once, scrubbed, so formatters never see the raw arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            # Rendered here, so a traceback (whose messages may name a URL with a token) is scrubbed too: a text
            # formatter would otherwise render it after every filter has run.
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any ``extra`` ids (update_id, job_id)."""

    _STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({key: value for key, value in vars(record).items() if key not in self._STANDARD})
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def configure_logging(level: str, log_format: str) -> None:
    """Install one handler on the root logger (replacing any), writing to standard error."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(IdsFilter())
    handler.addFilter(ScrubbingFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_libraries()


def quiet_libraries() -> None:
    """Libraries that log request URLs (with tokens in them) or chatter speak only from WARNING up."""
    for noisy in ("httpx", "httpcore", "aiosqlite", "asyncio", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
