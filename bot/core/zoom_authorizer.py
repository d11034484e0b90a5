"""The connect flow's port to Zoom's OAuth (filled by ``bot.core.zoom_authorization``), and its two failures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.storage.zoom_connections import StoredTokens, ZoomProfileRecord


class ZoomRefused(Exception):
    """Zoom would not complete the authorization (a bad or used code, a refused client)."""


class ZoomDown(Exception):
    """Zoom did not answer; trying again later may work."""


@dataclass(frozen=True, slots=True)
class AuthorizedZoomUser:
    profile: ZoomProfileRecord
    tokens: StoredTokens
    scopes: str


class ZoomAuthorizer(Protocol):
    """Zoom's OAuth as the connect flow needs it; raises ``ZoomRefused`` or ``ZoomDown``."""

    def authorize_url(self, state: str, code_challenge: str) -> str: ...

    async def exchange(self, code: str, code_verifier: str) -> AuthorizedZoomUser: ...

    async def revoke(self, refresh_token: str) -> None: ...
