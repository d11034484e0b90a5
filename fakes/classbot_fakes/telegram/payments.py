"""Payments: invoices, the pre-checkout question, successful payments, Star refunds; Stars and card providers.

As the Bot API describes them: an invoice in Stars (currency ``XTR``) has an empty ``provider_token`` and exactly
one price; an invoice in any other currency needs a payment provider's token (from BotFather) and is refused
without one, as a Stars invoice is refused with one. Paying asks the bot a ``pre_checkout_query``, which it must
answer within 10 seconds (after that the query id is no longer valid and the payment does not happen); a yes
charges the user and sends the bot a message with ``successful_payment`` carrying ``telegram_payment_charge_id``
and, for a provider's payment, ``provider_payment_charge_id``; ``refundStarPayment`` gives a Stars charge back
once, and refuses an unknown charge (a provider's payment among them: Telegram refunds only Stars) or one already
refunded.

A provider token the test connected (``FakeTelegram.connect_payment_provider``) is the only kind this server
takes; paying through it calls the provider, which makes the charge on its side (the Stripe test server's
``charge_card``), as Telegram's Stripe provider charges the Stripe account behind the token. Any other token is
refused, as Telegram refuses a token that is not a provider's. The error descriptions for invoices Telegram would
refuse are the fake's best rendering of the server's (``CHARGE_ALREADY_REFUNDED`` is Telegram's own).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .access import check_can_write, resolve_chat
from .errors import bad_request
from .params import CallParams
from .render import message_json
from .state import StoredMessage, TelegramWorld

STARS = "XTR"
ANSWER_WITHIN = 10.0  # seconds Telegram waits for the bot's answer to a pre_checkout_query
TITLE_MAX, DESCRIPTION_MAX, PAYLOAD_MAX = 32, 255, 128
# A payment provider behind a token: given the amount (minor units), the currency and the invoice's title, it takes
# the money and answers its own charge id.
PaymentProvider = Callable[[int, str, str], str]


@dataclass(slots=True)
class InvoiceRecord:
    """What the bot asked for in an invoice message, the payload included (which the user never sees)."""

    chat_id: int
    message_id: int
    title: str
    currency: str
    total_amount: int
    payload: str
    provider_token: str = ""  # empty for Stars


@dataclass(slots=True)
class PreCheckoutRecord:
    id: str
    user_id: int
    invoice: InvoiceRecord
    created: float
    ok: bool | None = None  # None while unanswered
    error_message: str | None = None


@dataclass(slots=True)
class StarCharge:
    charge_id: str
    user_id: int
    amount: int
    payload: str
    refunded: bool = False


@dataclass(frozen=True, slots=True)
class CardCharge:
    """A payment through a provider: Telegram's charge id, and the provider's (what only the provider refunds)."""

    charge_id: str
    provider_charge_id: str
    user_id: int
    amount: int
    currency: str
    payload: str


@dataclass(frozen=True, slots=True)
class PaymentAttempt:
    """What became of ``FakeUser.pay``: the bot's answer, and the charge when it said yes."""

    ok: bool
    error_message: str | None
    charge_id: str | None


def send_invoice(world: TelegramWorld, params: CallParams) -> dict[str, Any]:
    chat_id = resolve_chat(world, params.get("chat_id"))
    check_can_write(world, chat_id)
    title, description, payload = params.get("title"), params.get("description"), params.get("payload")
    if not 1 <= len(title) <= TITLE_MAX:
        raise bad_request("INVOICE_TITLE_INVALID")
    if not 1 <= len(description) <= DESCRIPTION_MAX:
        raise bad_request("INVOICE_DESCRIPTION_INVALID")
    if not 1 <= len(payload.encode()) <= PAYLOAD_MAX:
        raise bad_request("INVOICE_PAYLOAD_INVALID")
    currency: str = params.get("currency")
    prices: list[dict[str, Any]] = params.get("prices") or []
    token = params.get("provider_token")  # an empty string arrives as no parameter at all
    if currency == STARS:
        if token:
            raise bad_request("PAYMENT_PROVIDER_INVALID")  # Stars take no provider
        if len(prices) != 1:
            raise bad_request("STARS_INVOICE_INVALID")  # exactly one price in Stars
    elif not token or token not in world.payment_providers:
        raise bad_request("PAYMENT_PROVIDER_INVALID")  # money needs a provider, and a token that is one
    if not prices or any(not isinstance(price.get("amount"), int) or price["amount"] <= 0 for price in prices):
        raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
    total = sum(int(price["amount"]) for price in prices)
    world.limits.admit(chat_id, is_group=world.is_group(chat_id))
    invoice = {"title": title, "description": description, "start_parameter": "", "currency": currency}
    invoice["total_amount"] = total
    message = world.store(
        StoredMessage(
            chat_id=chat_id,
            message_id=world.new_message_id(chat_id),
            date=world.now(),
            sender_id=world.bot.id,
            reply_markup=params.get("reply_markup"),
            extra={"invoice": invoice},
        )
    )
    world.invoices[(chat_id, message.message_id)] = InvoiceRecord(
        chat_id, message.message_id, title, currency, total, payload, str(token or "")
    )
    world.changes.notify()
    return message_json(world, message)


def answer_pre_checkout_query(world: TelegramWorld, params: CallParams) -> bool:
    query = world.pre_checkout_queries.get(params.get("pre_checkout_query_id"))
    late = query is not None and time.monotonic() - query.created > ANSWER_WITHIN
    if query is None or query.ok is not None or late:
        raise bad_request("QUERY_ID_INVALID")
    ok = bool(params.get("ok"))
    if not ok and not params.get("error_message"):
        raise bad_request("ERROR_MESSAGE_EMPTY")  # a no must say why
    query.ok, query.error_message = ok, params.get("error_message")
    world.changes.notify()
    return True


def refund_star_payment(world: TelegramWorld, params: CallParams) -> bool:
    charge = world.star_charges.get(params.get("telegram_payment_charge_id"))
    if charge is None or charge.user_id != params.get("user_id"):
        raise bad_request("CHARGE_NOT_FOUND")
    if charge.refunded:
        raise bad_request("CHARGE_ALREADY_REFUNDED")
    charge.refunded = True
    world.changes.notify()
    return True


def ask_pre_checkout(world: TelegramWorld, user_json: dict[str, Any], invoice: InvoiceRecord) -> PreCheckoutRecord:
    """The user pressed Pay: the bot is asked (the caller holds the lock)."""
    query = PreCheckoutRecord(str(secrets.randbits(63) | 1), int(user_json["id"]), invoice, time.monotonic())
    world.pre_checkout_queries[query.id] = query
    world.enqueue(
        "pre_checkout_query",
        {
            "id": query.id,
            "from": user_json,
            "currency": invoice.currency,
            "total_amount": invoice.total_amount,
            "invoice_payload": invoice.payload,
        },
    )
    world.changes.notify()
    return query


def charge(world: TelegramWorld, query: PreCheckoutRecord) -> str:
    """The bot said yes: the stars (or, through the provider, the money) are taken and the bot gets the payment
    message; Telegram's charge id is answered (the caller holds the lock)."""
    invoice = query.invoice
    if invoice.provider_token:
        provider = world.payment_providers[invoice.provider_token]
        provider_charge_id = provider(invoice.total_amount, invoice.currency, invoice.title)
        card = CardCharge(
            f"tgcFAKE{secrets.token_hex(12)}",
            provider_charge_id,
            query.user_id,
            invoice.total_amount,
            invoice.currency,
            invoice.payload,
        )
        world.card_charges[card.charge_id] = card
        charge_id = card.charge_id
    else:
        made = StarCharge(f"stxFAKE{secrets.token_hex(12)}", query.user_id, invoice.total_amount, invoice.payload)
        world.star_charges[made.charge_id] = made
        charge_id, provider_charge_id = made.charge_id, ""
    paid = {
        "currency": invoice.currency,
        "total_amount": invoice.total_amount,
        "invoice_payload": invoice.payload,
        "telegram_payment_charge_id": charge_id,
        "provider_payment_charge_id": provider_charge_id,
    }
    message = world.store(
        StoredMessage(
            chat_id=invoice.chat_id,
            message_id=world.new_message_id(invoice.chat_id),
            date=world.now(),
            sender_id=query.user_id,
            extra={"successful_payment": paid},
        )
    )
    world.enqueue("message", message_json(world, message))
    world.changes.notify()
    return charge_id


def deliver_again(world: TelegramWorld, charge_id: str) -> int | None:
    """The payment message of ``charge_id`` in a new update; its id (the caller holds the lock)."""
    for chat in world.messages.values():
        for message in chat:
            if (message.extra.get("successful_payment") or {}).get("telegram_payment_charge_id") == charge_id:
                return world.enqueue("message", message_json(world, message))
    return None
