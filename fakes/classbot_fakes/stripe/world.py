"""The Stripe test server's state and rules: Checkout Sessions, payments, refunds, events, idempotency.

Every object starts from Stripe's published fixture of its kind (``specs/stripe-fixtures.json``) with the fields
this server knows set from the request, so its shape is Stripe's. One lock guards it all; the HTTP app and the
test's driver both hold it while they read or change anything.
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

# Stripe's rule for ``expires_at`` on a new Checkout Session: 30 minutes to 24 hours after its creation.
MIN_EXPIRY_SECONDS = 30 * 60
MAX_EXPIRY_SECONDS = 24 * 3600


class StripeError(Exception):
    """An API error as Stripe answers it: ``{"error": {"type", "message", "code"?, "param"?}}``."""

    def __init__(
        self, status: int, message: str, *, type: str = "invalid_request_error", code: str | None = None,
        param: str | None = None,
    ) -> None:  # fmt: skip
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"error": {"type": type, "message": message}}
        if code is not None:
            self.body["error"]["code"] = code
            self.body["error"]["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
        if param is not None:
            self.body["error"]["param"] = param


class NotPayable(ValueError):
    """The customer cannot pay this session: Stripe's hosted page for a session that is no longer open (expired,
    or paid already) takes no payment."""


def load_fixtures() -> dict[str, dict[str, Any]]:
    """The vendored fixtures, by object name (``checkout.session``, ``refund``, ``event``, ``payment_intent``)."""
    text = resources.files("classbot_fakes").joinpath("specs/stripe-fixtures.json").read_text("utf-8")
    loaded: dict[str, dict[str, Any]] = json.loads(text)["resources"]
    return loaded


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


@dataclass(frozen=True, slots=True)
class StripeCall:
    """One request the server answered: for tests that count what the bot asked of Stripe."""

    method: str
    path: str
    params: dict[str, Any]
    status: int
    idempotency_key: str | None


@dataclass(slots=True)
class Remembered:
    """What an idempotency key was first used for, and the answer given then (replayed for the same request)."""

    method: str
    path: str
    params: dict[str, Any]
    status: int
    body: dict[str, Any]


@dataclass
class StripeWorld:
    secret_key: str
    webhook_secret: str
    base_url: str = ""
    lock: threading.RLock = field(default_factory=threading.RLock)
    fixtures: dict[str, dict[str, Any]] = field(default_factory=load_fixtures)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    payment_intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotency: dict[str, Remembered] = field(default_factory=dict)
    calls: list[StripeCall] = field(default_factory=list)
    offset: float = 0.0  # seconds the test moved the server's clock forward
    failing: set[str] = field(default_factory=set)  # API paths answered 500 for now (Stripe having trouble)

    def now(self) -> int:
        return int(time.time() + self.offset)

    def fixture(self, name: str) -> dict[str, Any]:
        return copy.deepcopy(self.fixtures[name])

    # -- Checkout Sessions --------------------------------------------------------------------------------------

    def create_session(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("mode") != "payment":
            raise StripeError(400, "This server takes `mode=payment` Checkout Sessions only.", param="mode")
        items = params.get("line_items")
        if not isinstance(items, list) or not items:
            raise StripeError(400, "Missing required param: line_items.", code="parameter_missing", param="line_items")
        total, currency = 0, None
        for position, item in enumerate(items):
            data = item.get("price_data") if isinstance(item, dict) else None
            if not isinstance(data, dict):
                raise StripeError(400, "Each line item needs price_data.", param=f"line_items[{position}][price_data]")
            try:
                amount, quantity = int(data["unit_amount"]), int(item.get("quantity", "0"))
            except (KeyError, ValueError):
                raise StripeError(
                    400, "Invalid integer.", code="parameter_invalid_integer", param=f"line_items[{position}]"
                ) from None
            if quantity < 1:
                raise StripeError(400, "Missing required param: quantity.", param=f"line_items[{position}][quantity]")
            if not isinstance(data.get("product_data"), dict) or not data["product_data"].get("name"):
                raise StripeError(400, "Missing required param: name.", param=f"line_items[{position}][price_data]")
            line_currency = str(data.get("currency", "")).lower()
            if currency not in (None, line_currency):
                raise StripeError(400, "All line items must use the same currency.", param="line_items")
            total, currency = total + amount * quantity, line_currency
        now = self.now()
        expires_at = now + MAX_EXPIRY_SECONDS
        if "expires_at" in params:
            try:
                expires_at = int(params["expires_at"])
            except ValueError:
                raise StripeError(
                    400, "Invalid integer.", code="parameter_invalid_integer", param="expires_at"
                ) from None
            if not MIN_EXPIRY_SECONDS <= expires_at - now <= MAX_EXPIRY_SECONDS:
                raise StripeError(
                    400,
                    "The `expires_at` timestamp must be between 30 minutes and 24 hours after Checkout Session "
                    "creation.",
                    param="expires_at",
                )
        metadata = params.get("metadata", {})
        if not isinstance(metadata, dict):
            raise StripeError(400, "Invalid object.", param="metadata")
        session = self.fixture("checkout.session")
        session_id = "cs_test_" + secrets.token_hex(24)
        session.update(
            id=session_id,
            created=now,
            expires_at=expires_at,
            amount_subtotal=total,
            amount_total=total,
            currency=currency,
            metadata={str(key): str(value) for key, value in metadata.items()},
            client_reference_id=params.get("client_reference_id"),
            customer_email=params.get("customer_email"),
            success_url=params.get("success_url"),
            cancel_url=params.get("cancel_url"),
            payment_intent=None,
            payment_status="unpaid",
            status="open",
            url=f"{self.base_url}/c/pay/{session_id}",
            livemode=False,
        )
        session["line_items_given"] = copy.deepcopy(items)  # not Stripe's: kept for tests, hidden on the wire
        self.sessions[session_id] = session
        return self.shown(session)

    def session(self, session_id: str) -> dict[str, Any]:
        found = self.sessions.get(session_id)
        if found is None:
            raise StripeError(
                404, f"No such checkout.session: '{session_id}'", code="resource_missing", param="session"
            )
        self.expire_if_due(found)
        return found

    def expire_session(self, session_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Stripe's ``/expire``, and the session running out: the session, and the event to deliver."""
        session = self.session(session_id)
        if session["status"] != "open":
            raise StripeError(400, 'Only Checkout Sessions with a status in ["open"] can be expired.')
        session["status"] = "expired"
        return self.shown(session), self.add_event("checkout.session.expired", self.shown(session))

    def complete_session(self, session_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The customer pays: a succeeded PaymentIntent, the session complete, the event to deliver."""
        session = self.session(session_id)
        if session["status"] != "open":
            raise NotPayable(f"the session is {session['status']}: it cannot be paid")
        intent = self.fixture("payment_intent")
        intent.update(
            id=new_id("pi"),
            amount=session["amount_total"],
            amount_received=session["amount_total"],
            amount_capturable=0,
            currency=session["currency"],
            created=self.now(),
            latest_charge=new_id("ch"),
            status="succeeded",
            metadata=dict(session["metadata"]),
            livemode=False,
        )
        intent["amount_refunded_total"] = 0  # not Stripe's field: what was given back, hidden on the wire
        self.payment_intents[intent["id"]] = intent
        session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
        return self.shown(session), self.add_event("checkout.session.completed", self.shown(session))

    def charge_card(self, amount: int, currency: str, description: str) -> dict[str, Any]:
        """A card payment made on this account by another party that charges through it (Telegram's Stripe
        provider, for a bot's invoice): a succeeded PaymentIntent and its charge, with no Checkout Session."""
        if amount <= 0:
            raise StripeError(400, "Invalid positive integer.", code="parameter_invalid_integer", param="amount")
        intent = self.fixture("payment_intent")
        intent.update(
            id=new_id("pi"),
            amount=amount,
            amount_received=amount,
            amount_capturable=0,
            currency=currency.lower(),
            created=self.now(),
            description=description,
            latest_charge=new_id("ch"),
            status="succeeded",
            metadata={},
            livemode=False,
        )
        intent["amount_refunded_total"] = 0
        self.payment_intents[intent["id"]] = intent
        return self.shown(intent)

    def expire_if_due(self, session: dict[str, Any]) -> None:
        if session["status"] == "open" and session["expires_at"] <= self.now():
            session["status"] = "expired"

    # -- refunds ------------------------------------------------------------------------------------------------

    def create_refund(self, params: dict[str, Any]) -> dict[str, Any]:
        intent_id = params.get("payment_intent")
        charge_id = params.get("charge")
        intent = None
        if intent_id is not None:
            intent = self.payment_intents.get(str(intent_id))
            if intent is None:
                raise StripeError(
                    404, f"No such payment_intent: '{intent_id}'", code="resource_missing", param="payment_intent"
                )
        elif charge_id is not None:
            intent = next((pi for pi in self.payment_intents.values() if pi["latest_charge"] == charge_id), None)
            if intent is None:
                raise StripeError(404, f"No such charge: '{charge_id}'", code="resource_missing", param="charge")
        else:
            raise StripeError(
                400, "One of the following params should be provided for this request: payment_intent or charge."
            )
        left = intent["amount_received"] - intent["amount_refunded_total"]
        if left <= 0:
            raise StripeError(
                400, f"Charge {intent['latest_charge']} has already been refunded.", code="charge_already_refunded"
            )
        amount = int(params.get("amount", left))
        if amount > left:
            raise StripeError(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                code="amount_too_large",
                param="amount",
            )
        if amount <= 0:
            raise StripeError(400, "Invalid positive integer.", code="parameter_invalid_integer", param="amount")
        intent["amount_refunded_total"] += amount
        refund = self.fixture("refund")
        refund.update(
            id=new_id("re"),
            amount=amount,
            charge=intent["latest_charge"],
            payment_intent=intent["id"],
            currency=intent["currency"],
            created=self.now(),
            status="succeeded",
            reason=params.get("reason"),
            metadata=dict(params.get("metadata") or {}),
        )
        self.refunds[refund["id"]] = refund
        return refund

    # -- events -------------------------------------------------------------------------------------------------

    def add_event(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        event = self.fixture("event")
        event.update(
            id=new_id("evt"),
            api_version="2026-10-28.endive",
            created=self.now(),
            data={"object": copy.deepcopy(obj)},
            type=kind,
            livemode=False,
            pending_webhooks=1,
            request={"id": None, "idempotency_key": None},
        )
        self.events[event["id"]] = event
        return copy.deepcopy(event)

    def event(self, event_id: str) -> dict[str, Any]:
        found = self.events.get(event_id)
        if found is None:
            raise StripeError(404, f"No such event: '{event_id}'", code="resource_missing", param="id")
        return copy.deepcopy(found)

    @staticmethod
    def shown(obj: dict[str, Any]) -> dict[str, Any]:
        """An object as the API shows it: without the fields this server keeps for itself."""
        return {key: copy.deepcopy(value) for key, value in obj.items() if key not in _PRIVATE}


_PRIVATE = frozenset({"line_items_given", "amount_refunded_total"})
