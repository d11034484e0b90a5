"""Stripe's webhook: the signature checked with the SDK's ``construct_event`` (5 minutes' tolerance), then the
event handed to the core's payment path.

``checkout.session.completed`` (paid) is ``PaymentService.paid`` with the PaymentIntent as the charge id: a
delivery repeated (Stripe retries until it hears 2xx) meets the payment's unique row and is one payment.
``checkout.session.expired`` gives a still-held seat back; a second delivery finds nothing held. Other events are
acknowledged and ignored. A failure of ours answers 500, so Stripe delivers again.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any

import stripe

from bot.core.payments import STRIPE, PaymentService
from bot.storage.identity import PersonRef

log = logging.getLogger(__name__)

TOLERANCE_SECONDS = 300


class Outcome(enum.StrEnum):
    REFUSED = "refused"  # not signed by Stripe with our secret, or too old: nothing done
    HANDLED = "handled"
    IGNORED = "ignored"  # an event ClassBot does not act on, or a session that was not ClassBot's


@dataclass(frozen=True, slots=True)
class Answer:
    outcome: Outcome
    detail: str


class StripeWebhook:
    def __init__(self, client: stripe.StripeClient, secret: str, payments: PaymentService) -> None:
        self._client = client
        self._secret = secret
        self._payments = payments

    async def receive(self, body: bytes, signature: str | None) -> Answer:
        try:
            event = self._client.construct_event(body, signature, self._secret, tolerance=TOLERANCE_SECONDS)
        except (ValueError, stripe.SignatureVerificationError) as refused:
            log.warning("refused a Stripe webhook: %s", type(refused).__name__)
            return Answer(Outcome.REFUSED, "invalid signature or payload")
        session: dict[str, Any] = event.data.object.to_dict()
        metadata = session.get("metadata") or {}
        booking = metadata.get("booking")
        if event.type not in ("checkout.session.completed", "checkout.session.expired") or not booking:
            return Answer(Outcome.IGNORED, event.type)
        if event.type == "checkout.session.expired":
            released = await self._payments.checkout_ended(str(booking))
            return Answer(Outcome.HANDLED, "released" if released else "nothing held")
        if session.get("payment_status") != "paid" or not session.get("payment_intent"):
            return Answer(Outcome.IGNORED, "not paid yet")  # a delayed method: paid later, or never
        parent = PersonRef(str(metadata["platform"]), str(metadata["user_id"]), str(metadata.get("workspace_id", "")))
        paid = await self._payments.paid(
            parent,
            STRIPE,
            str(session["payment_intent"]),
            str(booking),
            int(session["amount_total"]),
            str(session["currency"]).upper(),
        )
        return Answer(Outcome.HANDLED, paid.value)
