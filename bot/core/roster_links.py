"""Download links for a class's roster as a spreadsheet, for a platform whose bot cannot attach the file.

Telegram's teacher gets the .csv as a document in the private chat; a Slack bot can no longer attach files
(``files.upload`` is retired), so a Slack teacher gets a link by direct message, like a parent's calendar link
(``bot.core.calendar_links``). The roster names children and parents, so the link carries who asked, for which
class and in which language, encrypted and signed with the stored secrets' keys, and works for ``LINK_LIFETIME``
only. The file is made when the link is opened, from the roster as it is then, and only while the person who
asked still teaches the class (``Reports.roster_csv`` checks, as it does for Telegram).
"""

from __future__ import annotations

import json

from bot.core.calendar_links import LINK_LIFETIME
from bot.core.classes import ClassService
from bot.core.errors import Conflict, NotFound
from bot.core.reports import Reports
from bot.i18n.texts import Language, tr
from bot.storage.cipher import SecretCipher, SecretExpired, SecretUnreadable
from bot.storage.identity import PersonRef
from bot.support.clock import Clock

ROSTER_PATH = "/roster/"
_PURPOSE = "roster"  # the claims' one key: a value encrypted with our keys for any other use opens nothing here


class RosterLinks:
    def __init__(
        self, classes: ClassService, reports: Reports, cipher: SecretCipher, *, public_url: str, clock: Clock
    ) -> None:
        self._classes = classes
        self._reports = reports
        self._cipher = cipher
        self._base = public_url.rstrip("/") + ROSTER_PATH
        self._clock = clock

    async def issue(self, teacher: PersonRef, class_public_id: str, language: str | None) -> str:
        """A link to the roster of the teacher's own class; refused, as the file would be, otherwise."""
        await self._classes.roster(teacher, class_public_id)  # the teacher's, or refused now
        claims = [teacher.platform, teacher.workspace_id, teacher.user_id, class_public_id, language]
        token = self._cipher.encrypt_at(json.dumps({_PURPOSE: claims}), self._clock())
        return self._base + token.decode()

    def language_of(self, token: str) -> str | None:
        """The language the link was asked for in, fresh or not (so a refusal speaks it too), if the link is ours."""
        try:
            return self._claims(token, fresh=False)[4]
        except NotFound:
            return None

    async def roster_csv(self, token: str, language: Language) -> tuple[str, bytes]:
        """The file name and .csv body behind a link; NotFound for a link that is not ours, Conflict for one too
        old (both say to ask for a new one)."""
        platform, workspace_id, user_id, class_public_id, _ = self._claims(token)
        teacher = PersonRef(platform=platform, user_id=user_id, workspace_id=workspace_id)
        return await self._reports.roster_csv(teacher, class_public_id, language=language)

    def _claims(self, token: str, *, fresh: bool = True) -> tuple[str, str, str, str, str | None]:
        try:
            if fresh:
                text = self._cipher.decrypt_fresh(token.encode(), LINK_LIFETIME, self._clock())
            else:
                text = self._cipher.decrypt(token.encode())
            platform, workspace_id, user_id, class_public_id, language = json.loads(text)[_PURPOSE]
        except SecretExpired:
            raise Conflict(_ASK_AGAIN_EXPIRED) from None
        except (SecretUnreadable, ValueError, TypeError, KeyError):
            raise NotFound(_ASK_AGAIN_INVALID) from None
        return platform, workspace_id, user_id, class_public_id, language


_ASK_AGAIN_EXPIRED = tr(
    "This roster link has expired. Press “Roster as a spreadsheet (.csv)” in the roster for a new one."
)
_ASK_AGAIN_INVALID = tr(
    "This roster link is not valid. Press “Roster as a spreadsheet (.csv)” in the roster for a new one."
)
