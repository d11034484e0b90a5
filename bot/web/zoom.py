"""Zoom's HTTP endpoints: the start of the connect flow, the OAuth callback, and the webhook.

These routes only translate between HTTP and the core: they read parameters, headers and raw bodies, call one
core use case, and turn its outcome into a status code and a page or JSON answer.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.config import Settings
from bot.core.connect import ConnectOutcome
from bot.core.services import Services
from bot.i18n.texts import Text, tr
from bot.web.limits import bounded_body
from bot.web.pages import browser_translator, page
from bot.zoom.webhook import (
    MAX_BODY_BYTES,
    WebhookRejected,
    event_key,
    parse_event,
    read_envelope,
    url_validation_answer,
    verify_signature,
)

log = logging.getLogger(__name__)

STATE_COOKIE = "classbot_zoom_state"
_COOKIE_PATH = "/zoom/oauth"

_FAILURE_PAGES: dict[ConnectOutcome, tuple[int, Text, Text]] = {
    ConnectOutcome.DENIED: (
        400,
        tr("Zoom was not connected"),
        tr(
            "You declined the authorization in Zoom, so nothing was connected. "
            "To try again, send /connect to ClassBot in your chat."
        ),
    ),
    ConnectOutcome.UNKNOWN_STATE: (
        400,
        tr("This link does not work"),
        tr("This connect link is not valid or was already used. Send /connect to ClassBot in your chat for a new one."),
    ),
    ConnectOutcome.EXPIRED_STATE: (
        400,
        tr("This link has expired"),
        tr("Connect links work for 10 minutes. Send /connect to ClassBot in your chat for a new one."),
    ),
    ConnectOutcome.OTHER_BROWSER: (
        400,
        tr("Please start again in this browser"),
        tr(
            "This authorization was started in another browser, so it was not accepted. "
            "Send /connect to ClassBot in your chat and open the new link here."
        ),
    ),
    ConnectOutcome.REFUSED: (
        400,
        tr("Zoom did not accept the authorization"),
        tr("Zoom refused to complete the connection. Send /connect to ClassBot in your chat to try again."),
    ),
    ConnectOutcome.ZOOM_DOWN: (
        503,
        tr("Zoom is not answering"),
        tr("Zoom did not answer, so nothing was connected. Please send /connect again in a few minutes."),
    ),
}
_NOT_SET_UP = (tr("Zoom is not set up"), tr("This ClassBot has no Zoom app configured."), 503)


def zoom_routes(services: Services, settings: Settings) -> list[Route]:
    async def oauth_start(request: Request) -> Response:
        connect = services.connect
        t = browser_translator(request, services.catalogs)
        if connect is None:
            return page(t, *_NOT_SET_UP)
        state = request.query_params.get("state", "")
        target = await connect.authorize_redirect(state) if state else ConnectOutcome.UNKNOWN_STATE
        if isinstance(target, ConnectOutcome):
            return page(t, *_failure(target))
        response = RedirectResponse(target, status_code=302)
        response.set_cookie(
            STATE_COOKIE,
            state,
            max_age=600,
            path=_COOKIE_PATH,
            httponly=True,
            secure=settings.public_url.startswith("https://"),
            samesite="lax",
        )
        return response

    async def oauth_callback(request: Request) -> Response:
        connect = services.connect
        t = browser_translator(request, services.catalogs)
        if connect is None:
            return page(t, *_NOT_SET_UP)
        params = request.query_params
        result = await connect.complete(
            state=params.get("state"),
            code=params.get("code"),
            error=params.get("error"),
            browser_state=request.cookies.get(STATE_COOKIE),
        )
        if result.outcome is ConnectOutcome.CONNECTED:
            response = page(
                t,
                tr("Zoom is connected"),
                tr(
                    "ClassBot can now create meetings in the Zoom account {email}. "
                    "You can close this tab and go back to your chat.",
                    email=result.zoom_email or "",
                ),
            )
        else:
            response = page(t, *_failure(result.outcome))
        response.delete_cookie(STATE_COOKIE, path=_COOKIE_PATH)
        return response

    async def webhook(request: Request) -> Response:
        secret = settings.zoom_webhook_secret_token
        if secret is None:
            return JSONResponse({"error": "ZOOM_WEBHOOK_SECRET_TOKEN is not configured"}, status_code=503)
        body = await bounded_body(request, MAX_BODY_BYTES)
        if body is None:
            return JSONResponse({"error": "body too large"}, status_code=413)
        try:
            verify_signature(request.headers, body, secret.get_secret_value(), services.clock())
            envelope = read_envelope(body)
            if envelope["event"] == "endpoint.url_validation":
                return JSONResponse(url_validation_answer(envelope, secret.get_secret_value()))
            event = parse_event(envelope)
        except WebhookRejected as rejected:
            log.warning("refused a Zoom webhook: %s", rejected)
            return JSONResponse({"error": str(rejected)}, status_code=rejected.status)
        fresh = await services.zoom_events.accept(event, event_key(body))
        return JSONResponse({"status": "accepted" if fresh else "duplicate"})

    return [
        Route("/zoom/oauth/start", oauth_start, methods=["GET"]),
        Route("/zoom/oauth/callback", oauth_callback, methods=["GET"]),
        Route("/zoom/webhook", webhook, methods=["POST"]),
    ]


def _failure(outcome: ConnectOutcome) -> tuple[Text, Text, int]:
    status, title, text = _FAILURE_PAGES[outcome]
    return title, text, status
