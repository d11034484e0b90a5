"""``FakeStripe``: the Stripe test server on 127.0.0.1, in a daemon thread with its own event loop, and the test's
driver (the customer who pays or walks away, Stripe's clock, the record of calls, refunds and deliveries)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from starlette.types import ASGIApp

from ..runner import ServedFake
from .app import build_app
from .webhooks import Delivery, WebhookSender
from .world import StripeCall, StripeWorld


class FakeStripe(ServedFake):
    """Stripe for tests. ``secret_key`` is what the bot must send as its Bearer key; ``webhook_secret`` what it
    verifies deliveries with. Events are delivered once ``configure_webhook`` names the bot's endpoint."""

    def __init__(
        self,
        *,
        secret_key: str = "sk_test_classbot_fake",  # noqa: S107 - the fake's own made-up key
        webhook_secret: str = "whsec_classbot_fake",  # noqa: S107
        port: int = 0,
        start_timeout: float = 10.0,
    ) -> None:
        self._world = StripeWorld(secret_key=secret_key, webhook_secret=webhook_secret)
        self._sender: WebhookSender | None = None
        self._deliveries: list[Delivery] = []
        self._delivered = threading.Condition()
        super().__init__("FakeStripe", port=port, start_timeout=start_timeout)

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def _app(self) -> ASGIApp:
        return build_app(self._world, self._deliver_later)

    def _before_serving(self, port: int) -> None:
        with self._world.lock:
            self._world.base_url = self.api_url

    @property
    def api_url(self) -> str:
        """What the bot's STRIPE_API_URL should be (the SDK adds ``/v1/...``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def secret_key(self) -> str:
        return self._world.secret_key

    @property
    def webhook_secret(self) -> str:
        return self._world.webhook_secret

    def configure_webhook(self, url: str, *, attempts: int = 3) -> None:
        """Deliver events to ``url`` from now on, signed with ``webhook_secret``, retried ``attempts`` times."""
        self._sender = WebhookSender(url, self._world.webhook_secret, attempts=attempts)

    # -- the customer and Stripe's clock -----------------------------------------------------------------------

    def pay(self, session_id: str) -> list[Delivery]:
        """The customer completes Checkout: the session is paid and ``checkout.session.completed`` delivered (the
        attempts made are returned once the bot answered). A session no longer open (expired, or paid) takes no
        payment, as on Stripe: ``NotPayable``."""
        with self._world.lock:
            _, event = self._world.complete_session(session_id)
        return self._deliver(event)

    def charge_card(self, amount: int, currency: str, description: str = "") -> str:
        """A card payment taken on this account by a party charging through it, as Telegram's Stripe provider
        does when a user pays a bot's invoice: the charge's id (``ch_...``), which Telegram reports to the bot as
        ``provider_payment_charge_id`` and which the Refund API takes as ``charge``."""
        with self._world.lock:
            intent = self._world.charge_card(amount, currency, description)
        return str(intent["latest_charge"])

    def fail(self, path: str, *, failing: bool = True) -> None:
        """Answer requests to ``path`` 500 ``api_error`` (Stripe having trouble there) until called with
        ``failing=False``."""
        with self._world.lock:
            if failing:
                self._world.failing.add(path)
            else:
                self._world.failing.discard(path)

    def let_expire(self, session_id: str) -> list[Delivery]:
        """The session runs out unpaid (its ``expires_at`` passes): ``checkout.session.expired`` is delivered."""
        with self._world.lock:
            _, event = self._world.expire_session(session_id)
        return self._deliver(event)

    def redeliver(self, event_id: str) -> list[Delivery]:
        """Send an event again, as Stripe does when it never saw the first answer."""
        with self._world.lock:
            event = self._world.event(event_id)
        return self._deliver(event)

    def advance_clock(self, seconds: float) -> None:
        """Move Stripe's clock (session expiry, ``created``); real time is untouched."""
        with self._world.lock:
            self._world.offset += seconds

    # -- what happened -----------------------------------------------------------------------------------------

    @property
    def calls(self) -> list[StripeCall]:
        with self._world.lock:
            return list(self._world.calls)

    def count(self, method: str, path: str) -> int:
        return sum(1 for call in self.calls if call.method == method and call.path == path)

    def sessions(self) -> list[dict[str, Any]]:
        """Every Checkout Session created, as the API would show it, oldest first."""
        with self._world.lock:
            return [self._world.shown(session) for session in self._world.sessions.values()]

    def session(self, session_id: str) -> dict[str, Any]:
        with self._world.lock:
            return self._world.shown(self._world.session(session_id))

    def charges(self) -> list[dict[str, Any]]:
        """Every succeeded payment's PaymentIntent (Checkout's and ``charge_card``'s), with what was refunded of
        it (``amount_refunded``, not a PaymentIntent field of Stripe's), oldest first."""
        with self._world.lock:
            return [
                {**self._world.shown(intent), "amount_refunded": intent["amount_refunded_total"]}
                for intent in self._world.payment_intents.values()
            ]

    def refunds(self) -> list[dict[str, Any]]:
        with self._world.lock:
            return [dict(refund) for refund in self._world.refunds.values()]

    def events(self) -> list[dict[str, Any]]:
        with self._world.lock:
            return [self._world.event(event_id) for event_id in self._world.events]

    @property
    def deliveries(self) -> list[Delivery]:
        with self._delivered:
            return list(self._deliveries)

    def wait_for_delivery(self, event_type: str, *, count: int = 1, timeout: float = 10.0) -> list[Delivery]:
        """Wait until ``count`` deliveries of ``event_type`` were answered (events sent by the server itself, such
        as after ``/expire``, go out after the request's answer)."""
        with self._delivered:
            self._delivered.wait_for(
                lambda: sum(1 for made in self._deliveries if made.event_type == event_type) >= count, timeout
            )
            found = [made for made in self._deliveries if made.event_type == event_type]
        if len(found) < count:
            raise TimeoutError(f"{len(found)} deliveries of {event_type} after {timeout} s, not {count}")
        return found

    # -- delivery ----------------------------------------------------------------------------------------------

    def _deliver(self, event: dict[str, Any]) -> list[Delivery]:
        sender = self._sender
        if sender is None:
            return []
        made = sender.deliver(event)
        with self._delivered:
            self._deliveries.extend(made)
            self._delivered.notify_all()
        return made

    async def _deliver_later(self, event: dict[str, Any]) -> None:
        await asyncio.to_thread(self._deliver, event)
