"""Stripe's API through the official SDK's async client: a Checkout Session per held seat, refunds.

``StripeClient`` is pointed at ``STRIPE_API_URL`` (``base_addresses``: Stripe itself, or its test server) and
sends with ``HTTPXClient``, so every call is awaited on the event loop, never a blocking one.

A Checkout Session's ``expires_at`` must be 30 minutes to 24 hours after it is created (Stripe's rule), longer
than a seat's hold. So the session is expired through Stripe's API (``expire``) when the hold runs out or the
booking is cancelled, and no payment can start on it after that; its own ``expires_at`` (30 minutes after the
hold's end) is only the backstop. A payment already under way at that moment may still complete: it arrives
after the hold ran out, and the core books the seat if one is free or gives it all back: never a seat
overbooked, never money kept without one. The session's parameters depend only on the booking, so the
idempotency key per booking gives the parent the same page however often it is asked for.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import stripe

from bot.core.payments import CheckoutPage, Invoice
from bot.storage.identity import PersonRef
from bot.support.clock import Clock

log = logging.getLogger(__name__)

# Stripe: expires_at is 30 minutes to 24 hours after the session's creation.
AFTER_HOLD = timedelta(minutes=30)
LONGEST = timedelta(hours=24) - timedelta(minutes=5)
_TIMEOUT_SECONDS = 10.0


class StripeCheckout:
    """Checkout Sessions and refunds for ClassBot's held seats (the core's ``Checkout`` and ``Refunder``)."""

    def __init__(self, secret_key: str, api_url: str, *, public_url: str, clock: Clock) -> None:
        # The SDK's telemetry (a random id it writes under ~/.config/stripe, and each request's timing sent to
        # Stripe with the next) is a switch on the module only. ClassBot is the SDK's one user in its process and
        # sends Stripe nothing it does not need, so the switch is turned off here, when Stripe is set up.
        stripe.enable_telemetry = False
        self._http = stripe.HTTPXClient(timeout=_TIMEOUT_SECONDS)
        self.client = stripe.StripeClient(
            secret_key, base_addresses={"api": api_url.rstrip("/")}, http_client=self._http, max_network_retries=2
        )
        self._public_url = public_url.rstrip("/")
        self._clock = clock

    async def close(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated

    async def open(self, parent: PersonRef, invoice: Invoice) -> CheckoutPage:
        """The Checkout page for one held seat; the same page for the same seat (idempotency key per booking)."""
        session = await self.client.v1.checkout.sessions.create_async(
            {
                "mode": "payment",
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": invoice.price.currency.lower(),
                            "unit_amount": invoice.price.amount,
                            "product_data": {"name": invoice.title[:250]},  # no child's name goes to Stripe
                        },
                    }
                ],
                "client_reference_id": invoice.booking_public_id,
                "metadata": {
                    "booking": invoice.booking_public_id,
                    "platform": parent.platform,
                    "user_id": parent.user_id,
                    "workspace_id": parent.workspace_id,
                },
                "expires_at": int(self._expires_at(invoice.hold_until).timestamp()),
                "success_url": f"{self._public_url}/stripe/paid",
                "cancel_url": f"{self._public_url}/stripe/not-paid",
            },
            {"idempotency_key": f"classbot-checkout:{invoice.booking_public_id}"},
        )
        if session.url is None:  # pragma: no cover - a hosted Checkout Session always has one
            raise RuntimeError(f"Stripe gave checkout session {session.id} no URL")
        return CheckoutPage(session.id, session.url)

    async def expire(self, session_id: str) -> None:
        """Close a Checkout Session so that no payment starts on it. Stripe refuses to expire a session that is
        not open (paid, or expired already); that is asked of Stripe, and counts as done."""
        try:
            await self.client.v1.checkout.sessions.expire_async(session_id)
        except stripe.InvalidRequestError:
            session = await self.client.v1.checkout.sessions.retrieve_async(session_id)
            if session.status == "open":
                raise
            log.info("Stripe checkout session %s was %s already", session_id, session.status)

    async def refund(self, payer: PersonRef, charge_id: str, amount: int, currency: str) -> None:
        """Give a payment back in full with the Refund API; a payment already given back counts as done (the
        idempotency key also makes a refund whose answer was lost the same refund)."""
        try:
            await self.client.v1.refunds.create_async(
                {"payment_intent": charge_id, "amount": amount}, {"idempotency_key": f"classbot-refund:{charge_id}"}
            )
        except stripe.InvalidRequestError as refused:
            if refused.code != "charge_already_refunded":
                raise
            log.info("Stripe payment %s was already refunded", charge_id)

    def _expires_at(self, hold_until: datetime) -> datetime:
        return min(hold_until + AFTER_HOLD, self._clock() + LONGEST)
