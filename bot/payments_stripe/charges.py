"""Refunds of card payments taken in Telegram through its Stripe provider, by Stripe charge id.

Telegram's Bot API gives Stars back (``refundStarPayment``) but has no refund for a payment made through a
provider token: Telegram's documentation sends the bot to the provider. Telegram's Stripe provider charges the
Stripe account the token is connected to and reports that charge's id (``ch_...``) as
``provider_payment_charge_id``, so the refund is Stripe's Refund API with ``charge``, over the same SDK client as
Checkout (``STRIPE_SECRET_KEY``).

The idempotency key is per charge: ClassBot gives a payment back once and in full, so one charge is one refund,
and a refund whose answer was lost, asked again, is the same refund. A charge Stripe says is refunded already
counts as done. A charge Stripe does not know (a provider token that is not Stripe's, or another Stripe account)
fails the refund job, which is retried and then given up on where the operator sees it (``python -m bot status``,
the job-failure metric), with the charge id in the log to refund by hand.
"""

from __future__ import annotations

import logging

import stripe

from bot.storage.identity import PersonRef

log = logging.getLogger(__name__)


class StripeChargeRefunder:
    """The core's ``Refunder`` for Telegram card payments (``TELEGRAM_CARD``)."""

    def __init__(self, client: stripe.StripeClient) -> None:
        self._client = client

    async def refund(self, payer: PersonRef, charge_id: str, amount: int, currency: str) -> None:
        try:
            await self._client.v1.refunds.create_async(
                {"charge": charge_id, "amount": amount}, {"idempotency_key": f"classbot-refund:{charge_id}"}
            )
        except stripe.InvalidRequestError as refused:
            if refused.code == "charge_already_refunded":
                log.info("Stripe charge %s was already refunded", charge_id)
                return
            log.error(
                "Stripe refused the refund of Telegram card payment %s (%s): refund it at the provider if this "
                "persists",
                charge_id,
                refused.code,
            )
            raise
