"""Download links for a booking's calendar file, for a platform whose bot cannot attach the file to a message.

On Telegram the .ics goes into the private chat as a document. Slack's Web API leaves a bot no way to attach a file
to a message any more (``files.upload`` is retired), so a Slack parent gets a link to it instead, by direct
message, like their join link (``bot.core.signed_links``: the file holds the parent's join link, as the Telegram
document does, so the link works for an hour only). The file is made when the link is opened, from the booking as
it is then, and only while the booking is the parent's and confirmed.
"""

from __future__ import annotations

from bot.core.bookings import BookingService
from bot.core.signed_links import Refusals, SignedLinks
from bot.i18n.texts import Language, tr
from bot.storage.cipher import SecretCipher
from bot.storage.identity import PersonRef
from bot.support.clock import Clock

CALENDAR_PATH = "/calendar/"


class CalendarLinks:
    def __init__(self, bookings: BookingService, cipher: SecretCipher, *, public_url: str, clock: Clock) -> None:
        self._bookings = bookings
        self._links = SignedLinks(
            cipher, public_url=public_url, path=CALENDAR_PATH, purpose="calendar", refusals=_REFUSALS, clock=clock
        )

    async def issue(self, parent: PersonRef, booking_public_id: str, language: str | None) -> str:
        """A link to the calendar of the parent's own confirmed booking; refused, as the file would be, otherwise."""
        await self._bookings.ensure_own_confirmed(parent, booking_public_id)
        return self._links.sign(parent, booking_public_id, language)

    def language_of(self, token: str) -> str | None:
        return self._links.language_of(token)

    async def calendar(self, token: str, language: Language) -> tuple[str, bytes]:
        """The file name and .ics body behind a link, in ``language``; refused as ``SignedLinks.claims`` says."""
        claims = self._links.claims(token)
        return await self._bookings.calendar(claims.person, claims.public_id, language=language)


_REFUSALS = Refusals(
    expired=tr("This calendar link has expired. Press “Add to calendar (.ics)” beside your booking for a new one."),
    invalid=tr("This calendar link is not valid. Press “Add to calendar (.ics)” beside your booking for a new one."),
)
