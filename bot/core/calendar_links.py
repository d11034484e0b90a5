"""Download links for a booking's calendar file, for a platform whose bot cannot attach the file to a message.

On Telegram the .ics goes into the private chat as a document. Slack's Web API leaves a bot no way to attach a file
to a message any more (``files.upload`` is retired), so a Slack parent gets a link to it instead, by direct
message, like their join link. The link carries who asked, for which booking and in which language, encrypted
and signed with the same keys as the stored secrets, and works for ``LINK_LIFETIME``: the file holds the parent's
join link, as the Telegram document does, so an old link lying in a chat's history must stop opening it. The file
is made when the link is opened, from the booking as it is then, and only while the booking is the parent's and
confirmed.
"""

from __future__ import annotations

import json
from datetime import timedelta

from bot.core.bookings import BookingService
from bot.core.errors import Conflict, NotFound
from bot.i18n.texts import Language, tr
from bot.storage.cipher import SecretCipher, SecretExpired, SecretUnreadable
from bot.storage.identity import PersonRef
from bot.support.clock import Clock

LINK_LIFETIME = timedelta(hours=1)  # the message with the link says so (bot/handlers/slack/actions.py)
CALENDAR_PATH = "/calendar/"
_PURPOSE = "calendar"  # the claims' one key: a value encrypted with our keys for any other use opens nothing here


class CalendarLinks:
    def __init__(self, bookings: BookingService, cipher: SecretCipher, *, public_url: str, clock: Clock) -> None:
        self._bookings = bookings
        self._cipher = cipher
        self._base = public_url.rstrip("/") + CALENDAR_PATH
        self._clock = clock

    async def issue(self, parent: PersonRef, booking_public_id: str, language: str | None) -> str:
        """A link to the calendar of the parent's own confirmed booking; refused, as the file would be, otherwise."""
        await self._bookings.ensure_own_confirmed(parent, booking_public_id)
        claims = [parent.platform, parent.workspace_id, parent.user_id, booking_public_id, language]
        token = self._cipher.encrypt_at(json.dumps({_PURPOSE: claims}), self._clock())
        return self._base + token.decode()

    def language_of(self, token: str) -> str | None:
        """The language the link was asked for in, fresh or not (so a refusal speaks it too), if the link is ours."""
        try:
            return self._claims(token, fresh=False)[4]
        except NotFound:
            return None

    async def calendar(self, token: str, language: Language) -> tuple[str, bytes]:
        """The file name and .ics body behind a link, in ``language``; NotFound for a link that is not ours,
        Conflict for one too old (both say to ask for a new one)."""
        platform, workspace_id, user_id, booking_public_id, _ = self._claims(token)
        parent = PersonRef(platform=platform, user_id=user_id, workspace_id=workspace_id)
        return await self._bookings.calendar(parent, booking_public_id, language=language)

    def _claims(self, token: str, *, fresh: bool = True) -> tuple[str, str, str, str, str | None]:
        try:
            if fresh:
                text = self._cipher.decrypt_fresh(token.encode(), LINK_LIFETIME, self._clock())
            else:
                text = self._cipher.decrypt(token.encode())
            platform, workspace_id, user_id, booking_public_id, language = json.loads(text)[_PURPOSE]
        except SecretExpired:
            raise Conflict(
                tr("This calendar link has expired. Press “Add to calendar (.ics)” beside your booking for a new one.")
            ) from None
        # Not ours, altered, or ours but made for something else (stored secrets share the keys).
        except (SecretUnreadable, ValueError, TypeError, KeyError):
            raise NotFound(
                tr("This calendar link is not valid. Press “Add to calendar (.ics)” beside your booking for a new one.")
            ) from None
        return platform, workspace_id, user_id, booking_public_id, language
