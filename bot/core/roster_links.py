"""Download links for a class's roster as a spreadsheet, for a platform whose bot cannot attach the file.

Telegram's teacher gets the .csv as a document in the private chat; a Slack bot can no longer attach files
(``files.upload`` is retired), so a Slack teacher gets a link by direct message, like a parent's calendar link
(``bot.core.signed_links``: the roster names children and parents, so the link works for an hour only). The
file is made when the link is opened, from the roster as it is then, and only while the person who asked still
teaches the class (``Reports.roster_csv`` checks, as it does for Telegram).
"""

from __future__ import annotations

from bot.core.classes import ClassService
from bot.core.reports import Reports
from bot.core.signed_links import Refusals, SignedLinks
from bot.i18n.texts import Language, tr
from bot.storage.cipher import SecretCipher
from bot.storage.identity import PersonRef
from bot.support.clock import Clock

ROSTER_PATH = "/roster/"


class RosterLinks:
    def __init__(
        self, classes: ClassService, reports: Reports, cipher: SecretCipher, *, public_url: str, clock: Clock
    ) -> None:
        self._classes = classes
        self._reports = reports
        self._links = SignedLinks(
            cipher, public_url=public_url, path=ROSTER_PATH, purpose="roster", refusals=_REFUSALS, clock=clock
        )

    async def issue(self, teacher: PersonRef, class_public_id: str, language: str | None) -> str:
        """A link to the roster of the teacher's own class; refused, as the file would be, otherwise."""
        await self._classes.roster(teacher, class_public_id)  # the teacher's, or refused now
        return self._links.sign(teacher, class_public_id, language)

    def language_of(self, token: str) -> str | None:
        return self._links.language_of(token)

    async def roster_csv(self, token: str, language: Language) -> tuple[str, bytes]:
        """The file name and .csv body behind a link; refused as ``SignedLinks.claims`` says."""
        claims = self._links.claims(token)
        return await self._reports.roster_csv(claims.person, claims.public_id, language=language)


_REFUSALS = Refusals(
    expired=tr("This roster link has expired. Press “Roster as a spreadsheet (.csv)” in the roster for a new one."),
    invalid=tr("This roster link is not valid. Press “Roster as a spreadsheet (.csv)” in the roster for a new one."),
)
