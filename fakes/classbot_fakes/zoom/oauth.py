"""Zoom's authorization server rules: single-use codes, PKCE, rotating refresh tokens, one grant per user.

Pure bookkeeping, no HTTP: the server translates ``OAuthError`` into Zoom's ``{"reason", "error"}`` bodies and
``AccessDenied`` into the REST API's 401 code 124. Callers hold the world lock.

- A code lives 5 minutes and is spent by the exchange that succeeds.
- An exchange starts a new grant for the user; the earlier grant's tokens all die (one token set per user).
- A refresh returns a new pair; the refresh token used dies at once, earlier access tokens live to their expiry.
- Revoking any token of a grant kills the whole grant.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

CODE_LIFETIME = timedelta(minutes=5)
REFRESH_LIFETIME = timedelta(days=90)
INVALID_TOKEN = "Invalid access token."
EXPIRED_TOKEN = "Access token is expired."


class OAuthError(Exception):
    """A refusal of the token or revoke endpoint, as Zoom words it."""

    def __init__(self, status: int, error: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.error = error
        self.reason = reason

    def body(self) -> dict[str, str]:
        return {"reason": self.reason, "error": self.error}


class AccessDenied(Exception):
    """A bearer token the REST API does not accept (401, code 124)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class TokenPair:
    user_id: str
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(slots=True)
class _Code:
    user_id: str
    redirect_uri: str
    challenge: str | None
    expires_at: datetime


@dataclass(slots=True)
class _Token:
    user_id: str
    grant_id: str
    expires_at: datetime


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OAuthStore:
    def __init__(self, now: Callable[[], datetime], access_token_ttl: int) -> None:
        self._now = now
        self.access_token_ttl = access_token_ttl
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, _Token] = {}
        self._refresh: dict[str, _Token] = {}
        self._grant_of_user: dict[str, str] = {}

    def issue_code(self, user_id: str, redirect_uri: str, challenge: str | None) -> str:
        code = secrets.token_urlsafe(24)
        self._codes[code] = _Code(user_id, redirect_uri, challenge, self._now() + CODE_LIFETIME)
        return code

    def exchange_code(self, code: str | None, redirect_uri: str | None, verifier: str | None) -> TokenPair:
        pending = self._codes.get(code or "")
        if code is None or pending is None:
            raise OAuthError(400, "invalid_grant", "Invalid authorization code")
        if self._now() >= pending.expires_at:
            raise OAuthError(400, "invalid_grant", "Code is expired")
        if redirect_uri != pending.redirect_uri:
            raise OAuthError(400, "invalid_grant", "Redirect URI mismatch.")
        if pending.challenge is not None and (
            verifier is None or not hmac.compare_digest(s256(verifier), pending.challenge)
        ):
            raise OAuthError(400, "invalid_grant", "Invalid code_verifier")
        del self._codes[code]
        grant_id = secrets.token_hex(8)
        self._grant_of_user[pending.user_id] = grant_id
        return self._issue(pending.user_id, grant_id)

    def refresh(self, refresh_token: str | None) -> TokenPair:
        token = self._refresh.pop(refresh_token or "", None)
        if token is None or not self._live(token):
            raise OAuthError(400, "invalid_grant", "Invalid Token!")
        return self._issue(token.user_id, token.grant_id)

    def revoke(self, token: str | None) -> None:
        found = self._access.get(token or "") or self._refresh.get(token or "")
        if found is None or self._grant_of_user.get(found.user_id) != found.grant_id:
            raise OAuthError(400, "invalid_request", "Invalid Token!")
        del self._grant_of_user[found.user_id]

    def revoke_user(self, user_id: str) -> None:
        self._grant_of_user.pop(user_id, None)

    def expire_access_tokens(self, user_id: str | None = None) -> None:
        past = self._now() - timedelta(seconds=1)
        for token in self._access.values():
            if user_id is None or token.user_id == user_id:
                token.expires_at = min(token.expires_at, past)

    def authenticate(self, access_token: str) -> str:
        """The user a bearer token acts for; raises AccessDenied with Zoom's message."""
        token = self._access.get(access_token)
        if token is None or self._grant_of_user.get(token.user_id) != token.grant_id:
            raise AccessDenied(INVALID_TOKEN)
        if self._now() >= token.expires_at:
            raise AccessDenied(EXPIRED_TOKEN)
        return token.user_id

    def has_grant(self, user_id: str) -> bool:
        return user_id in self._grant_of_user

    def adopt_refresh_token(self, user_id: str, refresh_token: str) -> None:
        """A live grant whose refresh token is one an earlier server issued (a database recorded elsewhere)."""
        grant_id = secrets.token_hex(8)
        self._grant_of_user[user_id] = grant_id
        self._refresh[refresh_token] = _Token(user_id, grant_id, self._now() + REFRESH_LIFETIME)

    def _live(self, token: _Token) -> bool:
        return self._grant_of_user.get(token.user_id) == token.grant_id and self._now() < token.expires_at

    def _issue(self, user_id: str, grant_id: str) -> TokenPair:
        now = self._now()
        access, refresh = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
        self._access[access] = _Token(user_id, grant_id, now + timedelta(seconds=self.access_token_ttl))
        self._refresh[refresh] = _Token(user_id, grant_id, now + REFRESH_LIFETIME)
        return TokenPair(user_id, access, refresh, self.access_token_ttl)
