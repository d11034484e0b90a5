"""Delivering to the bot: over Socket Mode when an app is connected, else over HTTP to the request URL.

Over Socket Mode an envelope ``{"envelope_id", "type", "payload", "accepts_response_payload"}`` (events add
``retry_attempt`` and ``retry_reason``) goes out and the fake waits for its ack. Over HTTP the body is what Slack
posts: a slash command as form fields, an interaction as a form with ``payload=<json>``, an event as JSON, each
signed (``X-Slack-Signature``, ``X-Slack-Request-Timestamp``) and, when retried, with ``X-Slack-Retry-Num`` and
``X-Slack-Retry-Reason``. Either way the result is a ``Delivery``: the answer and how long it took.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import ssl
import time
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import urlencode

import httpx

from . import ids
from .records import Delivery
from .signing import signed_headers
from .socket_mode import SocketModeServer
from .state import SlackWorld

Via = Literal["auto", "socket", "http"]
Answered = Callable[[Any], None]
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def http_body(kind: str, payload: dict[str, Any]) -> tuple[bytes, str]:
    """The body Slack posts for ``payload`` and its content type."""
    if kind == "slash_commands":
        return urlencode(payload).encode(), FORM
    if kind == "interactive":
        return urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode(), FORM
    return json.dumps(payload, separators=(",", ":")).encode(), JSON


@functools.cache
def _tls() -> ssl.SSLContext:
    """One verifying TLS context for every delivery: building one (reading the CA bundle) costs tens of
    milliseconds of CPU, which a client made per delivery would spend each time, in the test's own process."""
    return ssl.create_default_context()


def decode_answer(response: httpx.Response) -> Any:
    if not response.content:
        return None
    if response.headers.get("content-type", "").startswith("application/json"):
        try:
            return response.json()
        except ValueError:
            return response.text
    return response.text


class Deliverer:
    def __init__(self, world: SlackWorld, sockets: SocketModeServer, *, http_timeout: float) -> None:
        self._world = world
        self._sockets = sockets
        self.http_timeout = http_timeout

    def transport(self, via: Via) -> Literal["socket", "http"]:
        if via == "socket" or (via == "auto" and self._sockets.connected):
            return "socket"
        with self._world.lock:
            has_url = self._world.request_url is not None
        if via == "http" or has_url:
            if not has_url:
                raise RuntimeError("no request URL: call fake.set_request_url('http://…/slack/events') first")
            return "http"
        raise RuntimeError(
            "nowhere to deliver: no app is connected over Socket Mode and no request URL is set "
            "(connect an AsyncSocketModeHandler, or call fake.set_request_url)"
        )

    async def deliver(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        via: Via = "auto",
        retry_num: int = 0,
        retry_reason: str | None = None,
        trigger_id: str | None = None,
        on_answer: Answered | None = None,
        timeout: float = 10.0,
    ) -> Delivery:
        """Deliver ``payload``; ``on_answer`` runs (under the lock) with the bot's answer the moment it arrives (an
        ack's payload, or a 200 answer's body), to apply what Slack would do with it."""
        if self.transport(via) == "socket":
            delivery = await self._over_socket(kind, payload, retry_num, retry_reason, on_answer, timeout)
        else:
            body, content_type = http_body(kind, payload)
            delivery = await self.post(
                body,
                content_type=content_type,
                kind=kind,
                payload=payload,
                retry_num=retry_num,
                retry_reason=retry_reason,
                timeout=timeout,
            )
            if on_answer is not None and delivery.acked:
                with self._world.lock:
                    on_answer(delivery.response)
        delivery = dataclasses.replace(delivery, trigger_id=trigger_id)
        with self._world.lock:
            self._world.deliveries.append(delivery)
            self._world.changes.notify()
        return delivery

    async def _over_socket(
        self,
        kind: str,
        payload: dict[str, Any],
        retry_num: int,
        retry_reason: str | None,
        on_answer: Answered | None,
        timeout: float,
    ) -> Delivery:
        accepts = kind == "slash_commands" or (kind == "interactive" and payload.get("type") == "view_submission")
        envelope: dict[str, Any] = {
            "envelope_id": ids.envelope_id(),
            "payload": payload,
            "type": kind,
            "accepts_response_payload": accepts,
        }
        if kind == "events_api":
            envelope |= {"retry_attempt": retry_num, "retry_reason": retry_reason or ""}
        sending = self._sockets.send_envelope(envelope, on_answer)
        try:
            await asyncio.wait_for(asyncio.wrap_future(sending), timeout)
        except (TimeoutError, ConnectionError, RuntimeError) as failure:  # the connection went away meanwhile
            return Delivery(kind, "socket", payload, envelope["envelope_id"], failure=f"not sent: {failure!r}")
        world = self._world
        record = world.envelopes[envelope["envelope_id"]]
        ack = await world.changes.wait_for(lambda: record.ack, timeout)
        if record.ack_error is not None:
            raise record.ack_error
        return Delivery(
            kind,
            "socket",
            payload,
            envelope["envelope_id"],
            ack.seconds if ack else None,
            None,
            ack.payload if ack else None,
            retry_num,
            retry_reason,
            failure=None if ack else f"no ack within {timeout}s",
        )

    async def post(
        self,
        body: bytes,
        *,
        content_type: str,
        kind: str = "raw",
        payload: dict[str, Any] | None = None,
        retry_num: int = 0,
        retry_reason: str | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
        signed: bool = True,
        timeout: float | None = None,
    ) -> Delivery:
        """POST ``body`` to the request URL as Slack would (signed unless ``signature`` replaces it)."""
        with self._world.lock:
            url, secret = self._world.request_url, self._world.signing_secret
        if url is None:
            raise RuntimeError("no request URL: call fake.set_request_url('http://…/slack/events') first")
        headers = signed_headers(secret, body, content_type=content_type, timestamp=timestamp)
        if not signed:
            headers = {"Content-Type": content_type}
        elif signature is not None:
            headers["X-Slack-Signature"] = signature
        if retry_num:
            headers |= {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason or "http_timeout"}
        if payload is None:
            try:
                payload = json.loads(body) if content_type == JSON else {}
            except ValueError:
                payload = {}
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=timeout or self.http_timeout, verify=_tls()) as client:
            try:
                response = await client.post(url, content=body, headers=headers)
            except httpx.HTTPError as failure:
                return Delivery(
                    kind,
                    "http",
                    payload,
                    retry_num=retry_num,
                    retry_reason=retry_reason,
                    failure=f"{type(failure).__name__}: {failure}",
                    headers=headers,
                )
        return Delivery(
            kind,
            "http",
            payload,
            None,
            time.monotonic() - started,
            response.status_code,
            decode_answer(response),
            retry_num,
            retry_reason,
            headers=headers,
        )
