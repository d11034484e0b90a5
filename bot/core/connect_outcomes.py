"""How a Zoom connect ends, and what the teacher is told in chat about it.

A connect happens in a browser, which may be closed, be someone else's, or never come back; so every way it ends
that has a teacher to tell (the person whose /connect link it was) is also said in their private chat, with what
to do next. Only a made-up link has no one to tell.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.i18n.texts import Text, plain, tr


class ConnectOutcome(enum.Enum):
    CONNECTED = "connected"
    CONFIRM = "confirm"  # back from Zoom: the browser is asked to confirm, nothing is stored yet
    HANDOVER_ASKED = "handover_asked"  # confirmed, but someone else holds that Zoom account: they were asked
    CANCELLED = "cancelled"  # the browser said no on the confirmation page
    DENIED = "denied"
    UNKNOWN_STATE = "unknown_state"
    REPLAYED = "replayed"  # the link's callback (or start) came again after it was used
    EXPIRED_STATE = "expired_state"
    OTHER_BROWSER = "other_browser"
    REFUSED = "refused"
    ZOOM_DOWN = "zoom_down"
    NOT_CONFIRMABLE = "not_confirmable"  # no such confirmation: already answered, or never made
    FORGED = "forged"  # a confirmation without this browser's cookie or without the form's token
    CONFIRMATION_EXPIRED = "confirmation_expired"


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What the confirmation page shows and needs: ``key`` goes in the browser's cookie and ``csrf`` in the form;
    both are random, handed out once, and stored only as their SHA-256."""

    key: str
    csrf: str
    zoom_email: str
    asker: Text  # who the account would be connected to, as people recognise them
    held_by_someone_else: bool
    expires_minutes: int


@dataclass(frozen=True, slots=True)
class ConnectResult:
    outcome: ConnectOutcome
    zoom_email: str | None = None
    confirmation: Confirmation | None = None


def person_label(platform: str, display_name: str, handle: str) -> Text:
    """A chat person as others recognise them: "Telegram user Ann Lee (@ann)"."""
    if platform == "telegram":
        if handle:
            return tr("Telegram user {name} (@{handle})", name=display_name, handle=handle)
        return tr("Telegram user {name}", name=display_name)
    if platform == "slack":
        return tr("Slack user {name}", name=display_name)
    return plain(display_name)


def connected_notice(email: str) -> Text:
    return tr(
        "Your Zoom account {email} is connected. Your classes will get their Zoom meetings automatically.",
        email=email,
    )


# Told in the private chat of the person whose link it was, for each way a connect fails after they asked.
FAILURE_NOTICES: dict[ConnectOutcome, Text] = {
    ConnectOutcome.DENIED: tr(
        "Zoom was not connected: the authorization was declined in Zoom. To try again, send /connect."
    ),
    ConnectOutcome.EXPIRED_STATE: tr(
        "Your Zoom connect link expired before it was used, so nothing was connected. "
        "Send /connect for a new one: a link works for 10 minutes."
    ),
    ConnectOutcome.REPLAYED: tr(
        "Your Zoom connect link was opened again after it had been used. A link works only once, so nothing "
        "changed. If that was not you, someone else has the link; it is of no use to them now."
    ),
    ConnectOutcome.OTHER_BROWSER: tr(
        "Your Zoom connect link was finished in a different browser from the one that opened it, so nothing was "
        "connected. Send /connect and open the new link in the browser where you sign in to Zoom."
    ),
    ConnectOutcome.REFUSED: tr(
        "Zoom did not accept the authorization, so nothing was connected. Send /connect to try again."
    ),
    ConnectOutcome.ZOOM_DOWN: tr(
        "Zoom did not answer while your account was being connected, so nothing was connected. "
        "Please send /connect again in a few minutes."
    ),
}


def cancelled_notice(email: str) -> Text:
    return tr(
        "The Zoom account {email} was not connected: it was cancelled on the confirmation page. "
        "Send /connect to try again.",
        email=email,
    )


def unconfirmed_notice(email: str) -> Text:
    return tr(
        "The Zoom account {email} was not connected: it was not confirmed within 10 minutes. "
        "Send /connect to try again.",
        email=email,
    )
