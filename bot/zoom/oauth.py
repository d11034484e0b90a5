"""Zoom's user-level OAuth: the authorize URL (with PKCE), the code exchange, refresh and revocation.

Refresh tokens rotate: each refresh returns a new one and kills the old at once. This module makes exactly one
attempt per call and never retries a refresh by itself: a refresh whose answer was lost may already have
rotated the token, and only the caller (``ZoomTokenKeeper``, which holds the connection's lock) can decide what
to do next. What a refusal means comes from the one table of Zoom's codes (``bot.zoom.answers``): a dead refresh
token (``invalid_grant``, 4735, 4741…) becomes ``ZoomReconnectNeeded``, a failing or busy endpoint
``ZoomUnavailable``, anything else a ``ZoomRequestRejected`` whose ``meaning`` says whether the code was spent
or the app's settings are wrong.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from bot.zoom.answers import Meaning, ZoomCall
from bot.zoom.error_responses import ZoomErrorAnswer
from bot.zoom.errors import ZoomUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """What Zoom's token endpoint answered; ``repr`` hides the tokens."""

    access_token: str
    refresh_token: str
    expires_in: int
    scopes: str

    def __repr__(self) -> str:
        return f"TokenGrant(<hidden>, expires_in={self.expires_in}, scopes={self.scopes!r})"


@dataclass(frozen=True, slots=True)
class PkcePair:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> PkcePair:
        """RFC 7636: a 64-character verifier and its S256 challenge."""
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii"))


class ZoomOAuth:
    def __init__(
        self, http: httpx.AsyncClient, *, oauth_url: str, client_id: str, client_secret: str, redirect_uri: str
    ) -> None:
        self._http = http
        self._base = oauth_url.rstrip("/")
        self._client_id = client_id
        self._auth = httpx.BasicAuth(client_id, client_secret)
        self.redirect_uri = redirect_uri

    def authorize_url(self, state: str, code_challenge: str) -> str:
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self._client_id,
                "redirect_uri": self.redirect_uri,
                "state": state,
                "code_challenge": code_challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{self._base}/oauth/authorize?{query}"

    async def exchange_code(self, code: str, code_verifier: str) -> TokenGrant:
        return await self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "code_verifier": code_verifier,
            }
        )

    async def refresh(self, refresh_token: str) -> TokenGrant:
        return await self._token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})

    async def revoke(self, token: str) -> None:
        """Revoke the grant ``token`` belongs to; an already dead token counts as revoked."""
        try:
            response = await self._http.post(f"{self._base}/oauth/revoke", params={"token": token}, auth=self._auth)
        except httpx.HTTPError as failure:
            raise ZoomUnavailable(f"Zoom's revoke endpoint did not answer ({type(failure).__name__})") from None
        if response.status_code >= 500:
            raise ZoomUnavailable("Zoom's revoke endpoint failed", status=response.status_code)
        if response.status_code >= 400:
            log.info("Zoom answered %s to a revocation; treating the token as revoked", response.status_code)

    async def _token_request(self, form: dict[str, str]) -> TokenGrant:
        grant_type = form["grant_type"]
        try:
            response = await self._http.post(f"{self._base}/oauth/token", data=form, auth=self._auth)
        except httpx.HTTPError as failure:
            raise ZoomUnavailable(f"Zoom's token endpoint did not answer ({type(failure).__name__})") from None
        tracking_id = response.headers.get("x-zm-trackingid")
        if response.status_code >= 400:
            call = ZoomCall.TOKEN_REFRESH if grant_type == "refresh_token" else ZoomCall.TOKEN_EXCHANGE
            answer = ZoomErrorAnswer.read(response, call)
            log.warning(
                "Zoom refused a %s token request: status=%s error=%s meaning=%s tracking_id=%s",
                grant_type,
                response.status_code,
                answer.code if answer.code is not None else "-",
                answer.meaning.value,
                tracking_id,
            )
            if answer.meaning is Meaning.RATE_LIMITED:  # no wait is given here: the caller's job backs off
                raise ZoomUnavailable(
                    f"Zoom's token endpoint is busy ({grant_type})",
                    status=answer.status,
                    tracking_id=tracking_id,
                    meaning=Meaning.RATE_LIMITED,
                )
            raise answer.to_error(f"Zoom's token endpoint ({grant_type})")
        body = _json_object(response)
        try:
            return TokenGrant(
                access_token=str(body["access_token"]),
                refresh_token=str(body["refresh_token"]),
                expires_in=int(body.get("expires_in", 3600)),
                scopes=str(body.get("scope", "")),
            )
        except (KeyError, TypeError, ValueError):
            raise ZoomUnavailable("Zoom's token answer is missing fields", tracking_id=tracking_id) from None


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
