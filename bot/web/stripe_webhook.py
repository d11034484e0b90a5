"""Stripe's endpoints: the webhook (signed events about Checkout Sessions) and the pages Checkout returns to.

Only Stripe, signing with the endpoint's secret, gets an event in; a forged, altered or stale one (older than
five minutes) is refused 400 and changes nothing. An event that met a failure of ours (the database away) is
answered 500, so that Stripe delivers it again; handled or not acted on, 200.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.core.services import Services
from bot.i18n.texts import tr
from bot.payments_stripe.webhook import Outcome, StripeWebhook
from bot.web.limits import bounded_body
from bot.web.pages import browser_translator, page

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/stripe/webhook"
MAX_EVENT_BYTES = 256 * 1024


def stripe_routes(receiver: StripeWebhook, services: Services) -> list[Route]:
    async def webhook(request: Request) -> Response:
        body = await bounded_body(request, MAX_EVENT_BYTES)
        if body is None:
            return JSONResponse({"error": "body too large"}, status_code=413)
        try:
            answer = await receiver.receive(body, request.headers.get("stripe-signature"))
        except Exception:
            log.exception("a Stripe event could not be handled; Stripe delivers it again")
            return JSONResponse({"error": "not handled; deliver it again"}, status_code=500)
        if answer.outcome is Outcome.REFUSED:
            return JSONResponse({"error": answer.detail}, status_code=400)
        return JSONResponse({"received": True, "outcome": answer.outcome.value, "detail": answer.detail})

    async def paid(request: Request) -> Response:
        t = browser_translator(request, services.catalogs)
        return page(
            t,
            tr("Thank you"),
            tr("Your payment went through. ClassBot confirms the seat in your chat, with the class's link."),
        )

    async def not_paid(request: Request) -> Response:
        t = browser_translator(request, services.catalogs)
        return page(
            t,
            tr("Nothing was paid"),
            tr("The seat stays held for you until the time ClassBot told you; pay from the link in your chat."),
        )

    return [
        Route(WEBHOOK_PATH, webhook, methods=["POST"]),
        Route("/stripe/paid", paid, methods=["GET"]),
        Route("/stripe/not-paid", not_paid, methods=["GET"]),
    ]
