"""Zoom's OAuth endpoints over HTTP: the authorize page, the token endpoint and revocation.

The "browser" of GET /oauth/authorize is described by headers: ``X-Fake-Zoom-User`` (a user id or email; the
first user otherwise) and ``X-Fake-Zoom-Consent: deny``; a real browser, which cannot add headers to a redirect,
says the same with the cookies ``fake_zoom_user`` and ``fake_zoom_consent`` (Zoom, too, knows who is signed in
from a cookie). A request Zoom cannot redirect safely (unknown
client_id, no redirect_uri, a bad response_type or PKCE method) gets an HTML error page, never a redirect.

Token endpoint answers, as reported by Zoom's users: a bad client → 400 ``{"reason":"Invalid client_id or
client_secret","error":"invalid_client"}``; a spent or unknown code → 400 ``invalid_grant`` "Invalid
authorization code"; a dead refresh token → 400 ``{"reason":"Invalid Token!","error":"invalid_grant"}``; an
unknown grant type → 400 ``{"reason":"unsupported grant type","error":"unsupported_grant_type"}``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import html
import json
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .oauth import OAuthError, TokenPair
from .state import ZoomWorld

_PKCE_CHALLENGE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
JSON_TYPE = "application/json;charset=UTF-8"


def authorize(world: ZoomWorld, request: Request) -> Response:
    query = request.query_params
    client_id, redirect_uri = query.get("client_id"), query.get("redirect_uri")
    challenge, method = query.get("code_challenge"), query.get("code_challenge_method")
    if client_id != world.client_id:
        return _error_page(f"Invalid client_id: {client_id or ''} (4,702)")
    if not redirect_uri or urlsplit(redirect_uri).scheme not in ("http", "https"):
        return _error_page(f"Invalid redirect: {redirect_uri or ''} (4,709)")
    if query.get("response_type") != "code":
        return _error_page(f"Unsupported response_type: {query.get('response_type') or ''} (4,700)")
    if (challenge is None) != (method is None) or (method is not None and method != "S256"):
        return _error_page(f"Invalid code_challenge_method: {method or 'plain'} (4,700)")
    if challenge is not None and not _PKCE_CHALLENGE.match(challenge):
        return _error_page("Invalid code_challenge (4,700)")
    state = query.get("state")
    with world.lock:
        browser = request.headers.get("x-fake-zoom-user") or request.cookies.get("fake_zoom_user")
        user = world.find_user(browser) if browser else next(iter(world.users.values()), None)
        if user is None:
            return _error_page("No Zoom user is signed in to this browser", status=401)
        consent = request.headers.get("x-fake-zoom-consent") or request.cookies.get("fake_zoom_consent") or "allow"
        if consent.lower() == "deny":
            return RedirectResponse(with_query(redirect_uri, error="access_denied", state=state), status_code=302)
        code = world.oauth.issue_code(user.id, redirect_uri, challenge)
    return RedirectResponse(with_query(redirect_uri, code=code, state=state), status_code=302)


def token(world: ZoomWorld, request: Request, raw: bytes) -> Response:
    form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    with world.lock:
        try:
            _check_client(world, request)
            grant_type = form.get("grant_type")
            if grant_type == "authorization_code":
                pair = world.oauth.exchange_code(form.get("code"), form.get("redirect_uri"), form.get("code_verifier"))
            elif grant_type == "refresh_token":
                pair = world.oauth.refresh(form.get("refresh_token"))
            else:
                raise OAuthError(400, "unsupported_grant_type", "unsupported grant type")
        except OAuthError as error:
            return Response(json.dumps(error.body()), status_code=error.status, media_type=JSON_TYPE)
        return Response(json.dumps(token_body(world, pair)), media_type=JSON_TYPE)


def revoke(world: ZoomWorld, request: Request, raw: bytes) -> Response:
    form = dict(parse_qsl(raw.decode("utf-8", "replace")))
    with world.lock:
        try:
            _check_client(world, request)
            world.oauth.revoke(request.query_params.get("token") or form.get("token"))
        except OAuthError as error:
            return Response(json.dumps(error.body()), status_code=error.status, media_type=JSON_TYPE)
    return Response(json.dumps({"status": "success"}), media_type=JSON_TYPE)


def token_body(world: ZoomWorld, pair: TokenPair) -> dict[str, object]:
    """The token endpoint's success answer (caller holds the lock)."""
    return {
        "access_token": pair.access_token,
        "token_type": "bearer",
        "refresh_token": pair.refresh_token,
        "expires_in": pair.expires_in,
        "scope": " ".join(world.users[pair.user_id].scopes),
        "api_url": world.base_url,
    }


def with_query(url: str, **params: str | None) -> str:
    """``url`` with ``params`` (those not None) appended to its query string."""
    parts = urlsplit(url)
    extra = urlencode({k: v for k, v in params.items() if v is not None})
    return urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))


def _check_client(world: ZoomWorld, request: Request) -> None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    try:
        client_id, _, secret = base64.b64decode(credentials, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        client_id = secret = ""
    ok_id = hmac.compare_digest(client_id.encode(), world.client_id.encode())
    ok_secret = hmac.compare_digest(secret.encode(), world.client_secret.encode())
    if scheme.lower() != "basic" or not (ok_id and ok_secret):
        raise OAuthError(400, "invalid_client", "Invalid client_id or client_secret")


def _error_page(message: str, *, status: int = 400) -> HTMLResponse:
    text = html.escape(message)
    return HTMLResponse(f"<!doctype html><title>Zoom</title><h1>{text}</h1>", status_code=status)
