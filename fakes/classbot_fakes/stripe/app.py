"""The Starlette app of the Stripe test server: Stripe's rules for keys, form bodies and idempotency, then the
routes the bot's SDK calls.

- ``Authorization: Bearer <secret key>``, else 401 as Stripe answers it (no key, or an invalid one).
- POST bodies are ``application/x-www-form-urlencoded`` with Stripe's brackets (``metadata[booking]=...``,
  ``line_items[0][price_data][currency]=eur``), decoded to nested objects.
- ``Idempotency-Key`` on a POST: the same key with the same request replays the first successful answer
  (``Idempotent-Replayed: true``); the same key with other parameters, or on another endpoint, is 400
  ``idempotency_error``. A refused request saves nothing under its key (Stripe saves no result for a request
  that failed validation), so it may be tried again.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from .world import Remembered, StripeCall, StripeError, StripeWorld

_KEY = re.compile(r"^(\w+)((?:\[[^\[\]]*\])*)$")
Handler = Callable[[Request, dict[str, Any]], tuple[int, dict[str, Any]]]
# Events to deliver once the answer is sent (Stripe sends them apart from the request that caused them).
Deliver = Callable[[dict[str, Any]], Coroutine[Any, Any, None]]


def decode_form(body: bytes) -> dict[str, Any]:
    """Stripe's form encoding to nested dicts and lists (``a[0][b]=1`` → ``{"a": [{"b": "1"}]}``)."""
    tree: dict[str, Any] = {}
    for raw_key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
        match = _KEY.match(raw_key)
        if match is None:
            raise StripeError(400, f"Received unknown parameter: {raw_key}", code="parameter_unknown", param=raw_key)
        parts = [match[1], *re.findall(r"\[([^\[\]]*)\]", match[2])]
        node: Any = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    decoded: dict[str, Any] = _lists(tree)
    return decoded


def _lists(node: Any) -> Any:
    """Dicts whose keys are 0..n-1 are the lists Stripe's encoding wrote with indices."""
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        ordered = sorted(converted, key=int)
        if [int(key) for key in ordered] == list(range(len(ordered))):
            return [converted[key] for key in ordered]
    return converted


def build_app(world: StripeWorld, deliver: Deliver) -> Starlette:
    sending: set[asyncio.Task[None]] = set()  # held until done: a task only the loop knows may be collected

    def api(handler: Handler, *, post: bool) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            body = await request.body()
            key = request.headers.get("idempotency-key") if post else None
            params: dict[str, Any] = {}
            with world.lock:
                try:
                    _authorize(world, request.headers.get("authorization"))
                    if request.url.path in world.failing:
                        raise StripeError(500, "An unknown error occurred", type="api_error")
                    params = decode_form(body) if post else dict(request.query_params)
                    if key is not None and key in world.idempotency:
                        first = world.idempotency[key]
                        if (first.method, first.path, first.params) != (request.method, request.url.path, params):
                            raise StripeError(
                                400,
                                "Keys for idempotent requests can only be used with the same parameters they were "
                                f"first used with. Try using a key other than '{key}' if you meant to execute a "
                                "different request.",
                                type="idempotency_error",
                            )
                        world.calls.append(StripeCall(request.method, request.url.path, params, first.status, key))
                        return _json(first.status, first.body, replayed=True)
                    status, answer = handler(request, params)
                except StripeError as refused:
                    status, answer = refused.status, refused.body
                    if refused.status == 401 or refused.body["error"]["type"] == "idempotency_error":
                        world.calls.append(StripeCall(request.method, request.url.path, params, status, key))
                        return _json(status, answer)
                events = answer.pop("_events", [])
                if key is not None and status == 200:  # a refused request saves no result (Stripe's rule)
                    world.idempotency[key] = Remembered(request.method, request.url.path, params, status, answer)
                world.calls.append(StripeCall(request.method, request.url.path, params, status, key))
            for event in events:
                task = asyncio.get_running_loop().create_task(deliver(event))
                sending.add(task)
                task.add_done_callback(sending.discard)
            return _json(status, answer)

        return endpoint

    def create_session(_: Request, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, world.create_session(params)

    def list_sessions(_: Request, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            limit = int(params.get("limit", "10"))
        except ValueError:
            raise StripeError(400, "Invalid integer.", code="parameter_invalid_integer", param="limit") from None
        if not 1 <= limit <= 100:
            raise StripeError(400, "This value must be between 1 and 100.", param="limit")
        newest = sorted(world.sessions.values(), key=lambda session: session["created"], reverse=True)
        shown = [world.shown(session) for session in newest[:limit]]
        body = {"object": "list", "data": shown, "has_more": len(newest) > limit, "url": "/v1/checkout/sessions"}
        return 200, body

    def get_session(request: Request, _: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, world.shown(world.session(request.path_params["session_id"]))

    def expire_session(request: Request, _: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        session, event = world.expire_session(request.path_params["session_id"])
        return 200, {**session, "_events": [event]}

    def create_refund(_: Request, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, world.create_refund(params)

    def get_event(request: Request, _: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, world.event(request.path_params["event_id"])

    async def checkout_page(request: Request) -> Response:
        """What the Checkout URL shows a person: enough for the playground to say what would be paid."""
        with world.lock:
            session = world.sessions.get(request.path_params["session_id"])
            if session is None:
                return HTMLResponse("<h1>Something went wrong</h1>", status_code=404)
            world.expire_if_due(session)
            if session["status"] != "open":  # Stripe's hosted page takes no payment for a closed session
                return HTMLResponse("<h1>This Checkout Session is no longer active</h1>", status_code=410)
            text = f"<h1>Pay {session['amount_total']} {session['currency']}</h1><p>{session['status']}</p>"
        return HTMLResponse(text)

    return Starlette(
        routes=[
            Route("/v1/checkout/sessions", api(create_session, post=True), methods=["POST"]),
            Route("/v1/checkout/sessions", api(list_sessions, post=False), methods=["GET"]),
            Route("/v1/checkout/sessions/{session_id}", api(get_session, post=False), methods=["GET"]),
            Route("/v1/checkout/sessions/{session_id}/expire", api(expire_session, post=True), methods=["POST"]),
            Route("/v1/refunds", api(create_refund, post=True), methods=["POST"]),
            Route("/v1/events/{event_id}", api(get_event, post=False), methods=["GET"]),
            Route("/c/pay/{session_id}", checkout_page, methods=["GET"]),
        ]
    )


def _authorize(world: StripeWorld, header: str | None) -> None:
    if not header:
        raise StripeError(
            401,
            "You did not provide an API key. You need to provide your API key in the Authorization header, using "
            "Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#"
            "authentication for details, or we can help at https://support.stripe.com/.",
        )
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or key != world.secret_key:
        shown = f"{key[:8]}{'*' * 12}{key[-4:]}" if len(key) > 12 else key
        raise StripeError(401, f"Invalid API Key provided: {shown}")


def _json(status: int, body: dict[str, Any], *, replayed: bool = False) -> Response:
    headers = {"Request-Id": "req_fake", "Stripe-Version": "2026-10-28.endive"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    if status >= 400:
        headers["Stripe-Should-Retry"] = "false"
    return Response(json.dumps(body), status_code=status, media_type="application/json", headers=headers)
