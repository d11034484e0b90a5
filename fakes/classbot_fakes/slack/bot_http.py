"""The bot's HTTP side as Slack meets it: the request URL's ``url_verification`` challenge, raw signed posts
(and badly signed, unsigned or stale ones, which the bot must refuse), and the install flow through the bot's
``/slack/install`` and ``/slack/oauth_redirect``."""

from __future__ import annotations

import html
import json
import re
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from .delivery import JSON, Deliverer
from .people import create_team, owner_of
from .records import Delivery, FakeSlackUser, InstallResult
from .state import SlackWorld

AUTHORIZE_LINK = re.compile(r"""href=["']([^"']*/oauth/v2/authorize[^"']*)["']""")


class BotHttp:
    _world: SlackWorld
    _deliverer: Deliverer

    async def url_verification(self, challenge: str | None = None, *, timeout: float = 10.0) -> Delivery:
        """Slack checks the request URL: the bot must answer 200 with the challenge."""
        with self._world.lock:
            token = self._world.verification_token
        body = {"token": token, "challenge": challenge or secrets.token_urlsafe(24), "type": "url_verification"}
        return await self.post_to_bot(json.dumps(body).encode(), kind="url_verification", timeout=timeout)

    async def post_to_bot(
        self,
        body: bytes | str,
        *,
        content_type: str = JSON,
        kind: str = "raw",
        timestamp: int | None = None,
        signature: str | None = None,
        signed: bool = True,
        timeout: float = 10.0,
    ) -> Delivery:
        """POST ``body`` to the request URL, signed with the signing secret at ``timestamp`` (default now), or
        with ``signature`` instead, or with no Slack headers at all (``signed=False``)."""
        raw = body.encode() if isinstance(body, str) else body
        delivery = await self._deliverer.post(
            raw,
            content_type=content_type,
            kind=kind,
            timestamp=timestamp,
            signature=signature,
            signed=signed,
            timeout=timeout,
        )
        with self._world.lock:
            self._world.deliveries.append(delivery)
            self._world.changes.notify()
        return delivery

    async def post_badly_signed(self, body: bytes | str | None = None, *, content_type: str = JSON) -> Delivery:
        """A request whose signature does not match (default body: a url_verification challenge)."""
        raw = body if body is not None else json.dumps({"type": "url_verification", "challenge": "forged"})
        return await self.post_to_bot(raw, content_type=content_type, signature="v0=" + "0" * 64)

    async def post_stale(
        self, body: bytes | str | None = None, *, age: int = 6 * 60, content_type: str = JSON
    ) -> Delivery:
        """A correctly signed request whose timestamp is ``age`` seconds old (a replay)."""
        raw = body if body is not None else json.dumps({"type": "url_verification", "challenge": "replayed"})
        return await self.post_to_bot(raw, content_type=content_type, timestamp=int(time.time()) - age)

    async def install(
        self,
        *,
        team_id: str | None = None,
        user: FakeSlackUser | str | None = None,
        install_url: str | None = None,
        deny: bool = False,
        timeout: float = 10.0,
    ) -> InstallResult:
        """A browser walks the install: GET the bot's install page (default: the request URL's origin +
        ``/slack/install``), follow its "Add to Slack" link to the fake's authorize page, where ``user`` (default:
        the workspace owner; ``team_id`` may name a new workspace) allows (or, with ``deny``, cancels), then GET
        the bot's redirect URI with the code and state, carrying the bot's cookies. Returns the bot's answer."""
        world = self._world
        with world.lock:
            team = team_id or (world.users[_id(user)].team_id if user is not None else world.default_team)
            if team not in world.teams:
                create_team(world, team)
            person = world.users[_id(user)] if user is not None else owner_of(world, team)
            if install_url is None:
                if world.request_url is None:
                    raise RuntimeError("no install URL: pass install_url or call fake.set_request_url first")
                origin = urlsplit(world.request_url)
                install_url = f"{origin.scheme}://{origin.netloc}/slack/install"
            base = world.base_url
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as browser:
            page = await browser.get(install_url)
            if page.status_code in (301, 302, 303, 307, 308):
                authorize_url = page.headers["location"]
            else:
                found = AUTHORIZE_LINK.search(page.text)
                if page.status_code != 200 or found is None:
                    raise AssertionError(f"{install_url} answered {page.status_code} with no authorize link")
                authorize_url = html.unescape(found.group(1))
            if not authorize_url.startswith(base + "/oauth/v2/authorize"):
                raise AssertionError(
                    f"the bot sends users to {authorize_url}, not to the fake's {base}/oauth/v2/authorize"
                )
            extra = urlencode({"fake_user": person.id, "fake_consent": "deny" if deny else "allow"})
            consent = await browser.get(f"{authorize_url}&{extra}")
            if consent.status_code != 302:
                raise AssertionError(f"Slack's authorize page refused: {consent.status_code} {consent.text}")
            redirect_url = consent.headers["location"]
            answer = await browser.get(redirect_url, headers=_cookies_for_localhost(page))
        query = parse_qs(urlsplit(redirect_url).query)
        return InstallResult(
            authorize_url,
            redirect_url,
            answer.status_code,
            answer.text,
            answer.headers.get("location"),
            query.get("code", [None])[0],
            query.get("state", [None])[0],
        )


def _cookies_for_localhost(page: httpx.Response) -> dict[str, str]:
    """The cookies the install page set, as a browser sends them back to a local address: Secure ones too (a
    browser treats http://127.0.0.1 as a secure context; httpx's jar would drop them)."""
    pairs = [cookie.split(";", 1)[0].strip() for cookie in page.headers.get_list("set-cookie")]
    return {"Cookie": "; ".join(pair for pair in pairs if "=" in pair)} if pairs else {}


def _id(user: FakeSlackUser | str | None) -> str:
    return user.id if isinstance(user, FakeSlackUser) else str(user)
