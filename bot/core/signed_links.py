"""Short-lived download links for files a platform's bot cannot attach to a message (a booking's calendar, a
class's roster), so that a person gets a link by direct message instead.

A link carries who asked, for what (a public id) and in which language, encrypted and signed with the stored
secrets' keys, and works for ``LINK_LIFETIME``: the files hold join links or children's names, so an old link
lying in a chat's history must stop opening them. Each kind of link has its own purpose, the claims' one key, so
a value encrypted with our keys for any other use (a stored secret, the other kind of link) opens nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from bot.core.errors import Conflict, NotFound
from bot.i18n.texts import Text
from bot.storage.cipher import SecretCipher, SecretExpired, SecretUnreadable
from bot.storage.identity import PersonRef
from bot.support.clock import Clock

LINK_LIFETIME = timedelta(hours=1)  # the messages with the links say so (bot/handlers/slack/actions.py)


@dataclass(frozen=True, slots=True)
class LinkClaims:
    person: PersonRef
    public_id: str
    language: str | None


@dataclass(frozen=True, slots=True)
class Refusals:
    """What a person who opens an old or a broken link reads: each says how to get a new link."""

    expired: Text
    invalid: Text


class SignedLinks:
    """Links under ``path`` of the public URL for one ``purpose``."""

    def __init__(
        self, cipher: SecretCipher, *, public_url: str, path: str, purpose: str, refusals: Refusals, clock: Clock
    ) -> None:
        self._cipher = cipher
        self._base = public_url.rstrip("/") + path
        self._purpose = purpose
        self._refusals = refusals
        self._clock = clock

    def sign(self, person: PersonRef, public_id: str, language: str | None) -> str:
        claims = [person.platform, person.workspace_id, person.user_id, public_id, language]
        token = self._cipher.encrypt_at(json.dumps({self._purpose: claims}), self._clock())
        return self._base + token.decode()

    def language_of(self, token: str) -> str | None:
        """The language the link was asked for in, fresh or not (so a refusal speaks it too), if the link is ours."""
        try:
            return self._read(token, fresh=False).language
        except NotFound:
            return None

    def claims(self, token: str) -> LinkClaims:
        """What a fresh link of ours says; NotFound for a link that is not ours, Conflict for one too old (both
        say to ask for a new one)."""
        return self._read(token, fresh=True)

    def _read(self, token: str, *, fresh: bool) -> LinkClaims:
        try:
            if fresh:
                text = self._cipher.decrypt_fresh(token.encode(), LINK_LIFETIME, self._clock())
            else:
                text = self._cipher.decrypt(token.encode())
            platform, workspace_id, user_id, public_id, language = json.loads(text)[self._purpose]
        except SecretExpired:
            raise Conflict(self._refusals.expired) from None
        # Not ours, altered, or ours but made for something else (stored secrets share the keys).
        except (SecretUnreadable, ValueError, TypeError, KeyError):
            raise NotFound(self._refusals.invalid) from None
        person = PersonRef(platform=str(platform), user_id=str(user_id), workspace_id=str(workspace_id))
        return LinkClaims(person, str(public_id), language)
