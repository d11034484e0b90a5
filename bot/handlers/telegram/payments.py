"""Telegram payments: the invoice after the child's name, the pre-checkout answer, the successful payment, refunds.

Per the Bot API: an invoice in Stars has currency ``XTR``, an empty provider token and exactly one price; an
invoice in money names the operator's card provider token (``TELEGRAM_PAYMENT_PROVIDER_TOKEN``) and the amount in
the currency's minor unit. The payload is the booking's public id, so the payment names the seat it pays for.
Telegram waits 10 seconds for the answer to a ``pre_checkout_query``: it is one read of the database.

A Stars payment is keyed and refunded by ``telegram_payment_charge_id`` (``refundStarPayment``); a card payment by
``provider_payment_charge_id``, the provider's own charge, since only the provider can give it back (see
``bot.payments_stripe.charges``). The provider token is a secret: it goes to Telegram and nowhere else.
"""

from __future__ import annotations

import logging

from telegram import Bot, LabeledPrice, Update
from telegram.error import BadRequest

from bot.core.errors import Conflict
from bot.core.payments import TELEGRAM_CARD, TELEGRAM_STARS, Invoice, Paid
from bot.core.prices import STARS
from bot.core.services import Services
from bot.core.words.refusals import CARDS_NOT_SET_UP
from bot.i18n.translator import Translator
from bot.storage.identity import PersonRef

log = logging.getLogger(__name__)


class StarRefunder:
    """Gives a Stars payment back with ``refundStarPayment``; one already given back counts as done."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def refund(self, payer: PersonRef, charge_id: str, amount: int, currency: str) -> None:
        try:
            await self._bot.refund_star_payment(int(payer.user_id), charge_id)
        except BadRequest as refused:
            if "CHARGE_ALREADY_REFUNDED" not in str(refused).upper():
                raise


class TelegramInvoices:
    """Sends the invoice for a held seat: in Stars with no provider, in money through the operator's provider."""

    def __init__(self, provider_token: str | None) -> None:
        self._provider_token = provider_token

    async def send(self, bot: Bot, chat_id: int, invoice: Invoice, t: Translator) -> None:
        """The invoice for one held seat, in the private chat. A seat priced in money with no provider set up
        (a class priced before the operator removed the token) is refused with what to do, not sent for Telegram
        to refuse."""
        if invoice.price.currency == STARS:
            token = ""
        elif self._provider_token:
            token = self._provider_token
        else:
            raise Conflict(CARDS_NOT_SET_UP)
        title = invoice.title[:32]  # Telegram: 1-32 characters
        await bot.send_invoice(
            chat_id=chat_id,
            title=title,
            description=t(invoice.description)[:255],
            payload=invoice.booking_public_id,
            currency=invoice.price.currency,
            prices=[LabeledPrice(label=title, amount=invoice.price.amount)],
            provider_token=token,
        )


async def answer_pre_checkout(services: Services, person: PersonRef, update: Update, t: Translator) -> None:
    """Yes only while the seat is still held for this parent at this price; otherwise no, saying why."""
    query = update.pre_checkout_query
    assert query is not None
    reason = await services.payments.may_pay(person, query.invoice_payload, query.total_amount, query.currency)
    if reason is None:
        await query.answer(ok=True)
    else:
        await query.answer(ok=False, error_message=t(reason))


async def successful_payment(services: Services, person: PersonRef, update: Update) -> Paid:
    """Telegram took the money: the booking is confirmed (or the payment refunded); what follows is told by the
    core's notices. Stars are keyed by Telegram's charge id, a card payment by the provider's (what its refund
    names)."""
    message = update.effective_message
    assert message is not None
    assert message.successful_payment is not None
    payment = message.successful_payment
    if payment.currency == STARS:
        provider, charge_id = TELEGRAM_STARS, payment.telegram_payment_charge_id
    else:
        provider, charge_id = TELEGRAM_CARD, payment.provider_payment_charge_id
        log.info("Telegram card payment %s is provider charge %s", payment.telegram_payment_charge_id, charge_id)
    return await services.payments.paid(
        person,
        provider,
        charge_id,
        payment.invoice_payload,
        payment.total_amount,
        payment.currency,
    )
