"""The connect flow's view of Zoom (the core's ``ZoomAuthorizer`` port): exchange a code, read who it is, revoke.

Zoom's errors are translated into the two outcomes the core distinguishes: Zoom refused (the code was bad or
used, the app's credentials are wrong: then the operator is told in the log) or Zoom is down (try again later).
"""

from __future__ import annotations

import logging

from bot.core.zoom_answers import Whom, action_for
from bot.core.zoom_authorizer import AuthorizedZoomUser, ZoomDown, ZoomRefused
from bot.core.zoom_tokens import tokens_from_grant
from bot.storage.zoom_connections import ZoomProfileRecord
from bot.support.clock import Clock
from bot.zoom.client import ZoomClient
from bot.zoom.errors import ZoomError, ZoomRateLimited, ZoomUnavailable
from bot.zoom.oauth import ZoomOAuth

log = logging.getLogger(__name__)


class ZoomAuthorization:
    def __init__(self, oauth: ZoomOAuth, client: ZoomClient, *, clock: Clock) -> None:
        self._oauth = oauth
        self._client = client
        self._clock = clock

    def authorize_url(self, state: str, code_challenge: str) -> str:
        return self._oauth.authorize_url(state, code_challenge)

    async def exchange(self, code: str, code_verifier: str) -> AuthorizedZoomUser:
        now = self._clock()
        try:
            grant = await self._oauth.exchange_code(code, code_verifier)
            user = await self._client.get_me_with_token(grant.access_token)
        except (ZoomUnavailable, ZoomRateLimited) as failure:
            raise ZoomDown(str(failure)) from None
        except ZoomError as failure:
            if Whom.OPERATOR in action_for(failure).tell:  # the app's settings, not the teacher, are at fault
                log.error("Zoom refused a teacher's authorization; the operator must look: %s", failure)
            raise ZoomRefused(str(failure)) from None
        profile = ZoomProfileRecord(
            zoom_user_id=user.id,
            account_id=user.account_id,
            email=user.email,
            display_name=f"{user.first_name} {user.last_name}".strip(),
            licensed=user.licensed,
            timezone=user.timezone,
        )
        return AuthorizedZoomUser(profile, tokens_from_grant(grant, now), grant.scopes)

    async def revoke(self, refresh_token: str) -> None:
        try:
            await self._oauth.revoke(refresh_token)
        except ZoomUnavailable as failure:
            raise ZoomDown(str(failure)) from None
