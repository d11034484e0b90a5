"""Installing the app: Slack's authorize page (``GET /oauth/v2/authorize``) and ``oauth.v2.access``.

The authorize page stands for the user's consent: it redirects (302) to the ``redirect_uri`` (or the app's
configured redirect URL) with ``code`` and ``state``, or ``error=access_denied`` when the user cancels. Who
consents, and whether, come from the fake-only ``fake_user`` / ``fake_consent`` query arguments the driver adds
(absent: the workspace owner allows). The code is good once, for 10 minutes; oauth.v2.access takes it with the
client credentials (Basic auth or form) and the same ``redirect_uri`` as the authorize step, and answers the
installation: a bot token (the workspace keeps its bot token across reinstalls), ``bot_user_id``, ``team``,
``authed_user`` (with a user token when user scopes were asked), ``scope``.
"""

from __future__ import annotations

import html
import secrets
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from . import ids, wire
from .api import Call, Method, method
from .people import create_team, owner_of
from .records import Installation
from .state import Credential, OAuthCode, SlackWorld
from .wire import SlackError

CODE_LIFETIME = 600.0


def _error_page(status: int, error: str) -> Response:
    return HTMLResponse(f"<html><body><h1>Slack</h1><p>{html.escape(error)}</p></body></html>", status_code=status)


def authorize(world: SlackWorld, request: Request) -> Response:
    query = request.query_params
    with world.lock:
        if query.get("client_id") != world.client_id:
            return _error_page(400, "invalid_client_id")
        scopes = tuple(s for s in query.get("scope", "").split(",") if s)
        user_scopes = tuple(s for s in query.get("user_scope", "").split(",") if s)
        if not scopes and not user_scopes:
            return _error_page(400, "invalid_scope: the app asks for no scopes")
        redirect_uri = query.get("redirect_uri") or world.redirect_uri
        if not redirect_uri or not redirect_uri.startswith(("http://", "https://")):
            return _error_page(400, "bad_redirect_uri")
        user = world.users.get(query.get("fake_user", ""))
        team_id = user.team_id if user is not None else query.get("team") or world.default_team
        if team_id not in world.teams:
            create_team(world, team_id)
        if user is None:
            user = owner_of(world, team_id)
        answer: dict[str, str] = {}
        if query.get("fake_consent", "allow") == "deny":
            answer["error"] = "access_denied"
        else:
            code = f"{secrets.randbelow(10**12)}.{secrets.randbelow(10**12)}.{secrets.token_hex(32)}"
            world.codes[code] = OAuthCode(
                code, team_id, user.id, scopes, user_scopes, query.get("redirect_uri"), world.now()
            )
            answer["code"] = code
        if "state" in query:
            answer["state"] = query["state"]
        world.changes.notify()
    separator = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(redirect_uri + separator + urlencode(answer), status_code=302)


def oauth_v2_access(call: Call) -> dict[str, Any]:
    world, params = call.world, call.params
    client_id, secret = call.request.basic or (wire.text(params, "client_id"), wire.text(params, "client_secret"))
    if client_id != world.client_id:
        raise SlackError("invalid_client_id")
    if secret != world.client_secret:
        raise SlackError("bad_client_secret")
    if wire.text(params, "grant_type") == "refresh_token":
        raise SlackError("invalid_refresh_token")
    code = world.codes.get(wire.text(params, "code") or "")
    if code is None or code.used or world.now() - code.issued > CODE_LIFETIME:
        raise SlackError("invalid_code")
    if code.redirect_uri is not None and wire.text(params, "redirect_uri") != code.redirect_uri:
        raise SlackError("bad_redirect_uri")
    code.used = True
    team = world.teams[code.team_id]
    if team.bot_token is None:
        team.bot_token = ids.token("xoxb", team.id)
        world.tokens[team.bot_token] = Credential("bot", team.id, team.bot_user_id)
    team.scopes = tuple(dict.fromkeys(team.scopes + code.scopes))
    installer: dict[str, Any] = {"id": code.user_id}
    user_token = None
    if code.user_scopes:
        user_token = ids.token("xoxp", team.id)
        world.tokens[user_token] = Credential("user", team.id, code.user_id)
        installer |= {"scope": ",".join(code.user_scopes), "access_token": user_token, "token_type": "user"}
    world.installations.append(
        Installation(team.id, code.user_id, team.bot_token, team.bot_user_id, team.scopes, code.user_scopes, user_token)
    )
    world.changes.notify()
    return {
        "app_id": world.app_id,
        "authed_user": installer,
        "scope": ",".join(team.scopes),
        "token_type": "bot",
        "access_token": team.bot_token,
        "bot_user_id": team.bot_user_id,
        "team": {"id": team.id, "name": team.name},
        "enterprise": None,
        "is_enterprise_install": False,
    }


METHODS: dict[str, Method] = {"oauth.v2.access": method(oauth_v2_access, tokens=None)}
