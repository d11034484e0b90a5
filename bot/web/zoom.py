"""Zoom's HTTP endpoints: the start of the connect flow, the OAuth callback, its confirmation, and the webhook.

These routes only translate between HTTP and the core: they read parameters, cookies, forms, headers and raw
bodies, call one core use case, and turn its outcome into a status code and a page or JSON answer.

Two cookies, both HttpOnly and only for ``/zoom/oauth``: the state's, set by the start page and sent back with
Zoom's redirect (SameSite=Lax: that redirect comes from Zoom's site), and the confirmation's, set by the
callback and sent only with the confirmation form posted from our own page (SameSite=Strict).
"""

from __future__ import annotations

import logging
from typing import Literal
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.config import Settings
from bot.core.connect import ConnectOutcome, ConnectResult
from bot.core.connect_outcomes import Confirmation
from bot.core.services import Services
from bot.core.words.labels import CANCEL
from bot.i18n.texts import Text, tr
from bot.i18n.translator import Translator
from bot.web.limits import bounded_body
from bot.web.pages import PageForm, browser_translator, page
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
CONFIRM_COOKIE = "classbot_zoom_confirm"
_COOKIE_PATH = "/zoom/oauth"
_CONFIRM_PATH = "/zoom/oauth/confirm"
_MAX_FORM_BYTES = 4096

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
    ConnectOutcome.REPLAYED: (
        400,
        tr("This link was already used"),
        tr(
            "A connect link works once, and this one was already used, so nothing changed. "
            "Send /connect to ClassBot in your chat for a new one."
        ),
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
    ConnectOutcome.NOT_CONFIRMABLE: (
        400,
        tr("There is nothing to confirm"),
        tr(
            "This confirmation was already answered, or it no longer exists. "
            "To connect Zoom, send /connect to ClassBot in your chat."
        ),
    ),
    ConnectOutcome.FORGED: (
        403,
        tr("Please confirm on the page itself"),
        tr(
            "This confirmation did not come from the page ClassBot showed in this browser, so it was not accepted. "
            "Send /connect to ClassBot in your chat to start again."
        ),
    ),
    ConnectOutcome.CONFIRMATION_EXPIRED: (
        400,
        tr("This confirmation has expired"),
        tr("Nothing was connected: a connection must be confirmed within 10 minutes. Send /connect to try again."),
    ),
}
_NOT_SET_UP = (tr("Zoom is not set up"), tr("This ClassBot has no Zoom app configured."), 503)


def zoom_routes(services: Services, settings: Settings) -> list[Route]:
    secure = settings.public_url.startswith("https://")

    def set_cookie(
        response: Response, name: str, value: str, *, max_age: int, samesite: Literal["lax", "strict"]
    ) -> None:
        response.set_cookie(
            name, value, max_age=max_age, path=_COOKIE_PATH, httponly=True, secure=secure, samesite=samesite
        )

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
        set_cookie(response, STATE_COOKIE, state, max_age=600, samesite="lax")
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
        response = _result_page(t, result)
        response.delete_cookie(STATE_COOKIE, path=_COOKIE_PATH)
        if result.confirmation is not None:
            lifetime = result.confirmation.expires_minutes * 60
            set_cookie(response, CONFIRM_COOKIE, result.confirmation.key, max_age=lifetime, samesite="strict")
        return response

    async def oauth_confirm(request: Request) -> Response:
        connect = services.connect
        t = browser_translator(request, services.catalogs)
        if connect is None:
            return page(t, *_NOT_SET_UP)
        body = await bounded_body(request, _MAX_FORM_BYTES)
        form = dict(parse_qsl(body.decode("utf-8", "replace"))) if body is not None else {}
        decision = form.get("decision")
        if decision not in ("connect", "cancel"):
            return page(t, *_failure(ConnectOutcome.FORGED))
        result = await connect.confirm(
            key=request.cookies.get(CONFIRM_COOKIE), csrf=form.get("csrf"), connect=decision == "connect"
        )
        response = _result_page(t, result)
        if result.outcome is not ConnectOutcome.FORGED:  # a forged post must not end the real page's chance
            response.delete_cookie(CONFIRM_COOKIE, path=_COOKIE_PATH)
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
        Route(_CONFIRM_PATH, oauth_confirm, methods=["POST"]),
        Route("/zoom/webhook", webhook, methods=["POST"]),
    ]


def _result_page(t: Translator, result: ConnectResult) -> Response:
    email = result.zoom_email or ""
    if result.outcome is ConnectOutcome.CONFIRM:
        assert result.confirmation is not None
        return _confirmation_page(t, result.confirmation)
    if result.outcome is ConnectOutcome.CONNECTED:
        return page(
            t,
            tr("Zoom is connected"),
            tr(
                "ClassBot can now create meetings in the Zoom account {email}. "
                "You can close this tab and go back to your chat.",
                email=email,
            ),
        )
    if result.outcome is ConnectOutcome.HANDOVER_ASKED:
        return page(
            t,
            tr("The holder of this Zoom account was asked"),
            tr(
                "The Zoom account {email} is connected to ClassBot for someone else, so it was not moved: they were "
                "asked in their chat to hand it over. You will hear from ClassBot in your chat when they answer.",
                email=email,
            ),
        )
    if result.outcome is ConnectOutcome.CANCELLED:
        return page(
            t,
            tr("Nothing was connected"),
            tr("You cancelled, so the Zoom account {email} was not connected. You can close this tab.", email=email),
        )
    return page(t, *_failure(result.outcome))


def _confirmation_page(t: Translator, confirmation: Confirmation) -> Response:
    ask = tr(
        "Connect the Zoom account {email} to ClassBot for {person}?",
        email=confirmation.zoom_email,
        person=confirmation.asker,
    )
    more = [
        tr(
            "ClassBot will create meetings in this Zoom account for that person's classes. If you are not "
            "{person}, cancel: someone may have sent you their connect link.",
            person=confirmation.asker,
        )
    ]
    if confirmation.held_by_someone_else:
        more.append(
            tr(
                "This Zoom account is already connected to ClassBot for someone else. It is not taken from them: "
                "if you connect, they are asked in their chat to hand it over (or they can send /disconnect first)."
            )
        )
    form = PageForm(
        action=_CONFIRM_PATH,
        fields={"csrf": confirmation.csrf},
        choices=(("connect", tr("Connect")), ("cancel", CANCEL)),
    )
    return page(t, tr("Connect Zoom to ClassBot?"), ask, more=more, form=form)


def _failure(outcome: ConnectOutcome) -> tuple[Text, Text, int]:
    status, title, text = _FAILURE_PAGES[outcome]
    return title, text, status
