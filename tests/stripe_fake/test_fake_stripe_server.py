"""The Stripe test server against Stripe's own rules, driven by the official ``stripe`` SDK over real HTTP: keys,
idempotency, Checkout's expiry window, refunds, and webhooks the SDK's ``construct_event`` accepts."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stripe
from classbot_fakes.runner import ThreadedServer
from classbot_fakes.stripe import FakeStripe, NotPayable, signature_header
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


class Receiver:
    """A webhook endpoint that keeps what it got and answers the statuses it is told to, in turn."""

    def __init__(self) -> None:
        self.bodies: list[tuple[str, str]] = []
        self.answers: list[int] = []

        async def hook(request: Request) -> Response:
            self.bodies.append(((await request.body()).decode(), request.headers.get("stripe-signature", "")))
            return Response(status_code=self.answers.pop(0) if self.answers else 200)

        self.server = ThreadedServer(Starlette(routes=[Route("/hook", hook, methods=["POST"])]), name="receiver")
        self.server.start(self.server.bind())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/hook"


@pytest.fixture(autouse=True)
def _no_telemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK would write a telemetry id under ~/.config and send timings; ClassBot turns that off too."""
    monkeypatch.setattr(stripe, "enable_telemetry", False)


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    with FakeStripe() as server:
        yield server


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.server.stop()


def client(fake: FakeStripe, key: str | None = None) -> stripe.StripeClient:
    return stripe.StripeClient(key or fake.secret_key, base_addresses={"api": fake.api_url}, max_network_retries=0)


def checkout_params(**changes: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {"currency": "eur", "unit_amount": 1250, "product_data": {"name": "Chess for kids"}},
            }
        ],
        "metadata": {"booking": "b-1"},
        "client_reference_id": "b-1",
        "success_url": "https://example.com/paid",
        "expires_at": int(time.time()) + 45 * 60,
    }
    params.update(changes)
    return params


def test_a_checkout_session_is_shaped_like_stripes_and_read_back(fake: FakeStripe) -> None:
    session = client(fake).v1.checkout.sessions.create(checkout_params())
    assert session.object == "checkout.session"
    assert session.id.startswith("cs_test_")
    assert (session.amount_total, session.currency, session.status, session.payment_status) == (
        1250,
        "eur",
        "open",
        "unpaid",
    )
    assert session.metadata is not None
    assert session.metadata["booking"] == "b-1"
    assert session.url is not None
    assert session.id in session.url
    again = client(fake).v1.checkout.sessions.retrieve(session.id)
    assert again.id == session.id


def test_no_key_or_a_wrong_key_is_401_as_stripe_answers(fake: FakeStripe) -> None:
    with pytest.raises(stripe.AuthenticationError) as wrong:
        client(fake, "sk_test_not_this_one").v1.checkout.sessions.create(checkout_params())
    assert "Invalid API Key provided" in str(wrong.value)
    answer = httpx.post(f"{fake.api_url}/v1/refunds", data={"payment_intent": "pi_x"})
    assert answer.status_code == 401
    assert "You did not provide an API key" in answer.json()["error"]["message"]
    assert not fake.sessions()


def test_the_same_idempotency_key_gives_the_same_session_and_other_params_are_refused(fake: FakeStripe) -> None:
    params = checkout_params()
    first = client(fake).v1.checkout.sessions.create(params, {"idempotency_key": "checkout:b-1"})
    second = client(fake).v1.checkout.sessions.create(params, {"idempotency_key": "checkout:b-1"})
    assert first.id == second.id
    assert len(fake.sessions()) == 1
    with pytest.raises(stripe.IdempotencyError):
        client(fake).v1.checkout.sessions.create(
            checkout_params(expires_at=params["expires_at"] + 60), {"idempotency_key": "checkout:b-1"}
        )
    assert len(fake.sessions()) == 1


@pytest.mark.parametrize("minutes", [29, 24 * 60 + 1])
def test_expires_at_must_be_30_minutes_to_24_hours_away(fake: FakeStripe, minutes: int) -> None:
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client(fake).v1.checkout.sessions.create(checkout_params(expires_at=int(time.time()) + minutes * 60))
    assert refused.value.param == "expires_at"


def test_a_paid_session_is_delivered_signed_so_construct_event_accepts_it(fake: FakeStripe, receiver: Receiver) -> None:
    fake.configure_webhook(receiver.url)
    session = client(fake).v1.checkout.sessions.create(checkout_params())
    [delivery] = fake.pay(session.id)
    assert delivery.status == 200
    body, header = receiver.bodies[0]
    event = stripe.Webhook.construct_event(body, header, fake.webhook_secret, tolerance=300)
    assert event.type == "checkout.session.completed"
    paid = event.data.object
    assert (paid["id"], paid["payment_status"], paid["status"]) == (session.id, "paid", "complete")
    assert paid["payment_intent"].startswith("pi_")
    assert client(fake).v1.events.retrieve(event.id).type == "checkout.session.completed"
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body.replace("paid", "unpaid"), header, fake.webhook_secret)


def test_a_delivery_answered_with_an_error_is_retried(fake: FakeStripe, receiver: Receiver) -> None:
    fake.configure_webhook(receiver.url)
    receiver.answers = [500, 400]
    session = client(fake).v1.checkout.sessions.create(checkout_params())
    made = fake.let_expire(session.id)
    assert [attempt.status for attempt in made] == [500, 400, 200]
    assert {json.loads(body)["id"] for body, _ in receiver.bodies} == {made[0].event_id}


def test_expire_sends_the_expired_event_after_answering(fake: FakeStripe, receiver: Receiver) -> None:
    fake.configure_webhook(receiver.url)
    session = client(fake).v1.checkout.sessions.create(checkout_params())
    expired = client(fake).v1.checkout.sessions.expire(session.id)
    assert expired.status == "expired"
    [delivery] = fake.wait_for_delivery("checkout.session.expired")
    assert json.loads(delivery.body)["data"]["object"]["id"] == session.id
    with pytest.raises(stripe.InvalidRequestError):
        client(fake).v1.checkout.sessions.expire(session.id)
    with pytest.raises(NotPayable, match="expired"):
        fake.pay(session.id)
    page = httpx.get(session.url)
    assert (page.status_code, "no longer active" in page.text) == (410, True)


def test_a_refund_gives_back_what_was_paid_once(fake: FakeStripe) -> None:
    session = client(fake).v1.checkout.sessions.create(checkout_params())
    fake.pay(session.id)
    intent = fake.session(session.id)["payment_intent"]
    refund = client(fake).v1.refunds.create({"payment_intent": intent})
    assert (refund.object, refund.amount, refund.status, refund.payment_intent) == ("refund", 1250, "succeeded", intent)
    with pytest.raises(stripe.InvalidRequestError) as again:
        client(fake).v1.refunds.create({"payment_intent": intent})
    assert again.value.code == "charge_already_refunded"
    assert len(fake.refunds()) == 1


def test_a_card_charge_made_through_the_account_is_refunded_by_charge_id_once(fake: FakeStripe) -> None:
    charge = fake.charge_card(1250, "EUR", "Chess")

    refund = client(fake).v1.refunds.create({"charge": charge})

    assert (refund.amount, refund.currency, refund.charge) == (1250, "eur", charge)
    with pytest.raises(stripe.InvalidRequestError) as again:
        client(fake).v1.refunds.create({"charge": charge})
    assert again.value.code == "charge_already_refunded"
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client(fake).v1.refunds.create({"charge": "ch_unknown"})
    assert unknown.value.code == "resource_missing"
    [paid] = fake.charges()
    assert (paid["latest_charge"], paid["amount_received"], paid["amount_refunded"]) == (charge, 1250, 1250)


def test_the_signature_helper_matches_the_sdks(fake: FakeStripe) -> None:
    payload = '{"id": "evt_1", "object": "event"}'
    header = signature_header(payload, "whsec_x", timestamp=1_700_000_000)
    assert header == stripe.WebhookSignature.generate_signature_header(payload, "whsec_x", timestamp=1_700_000_000)


def test_a_path_made_to_fail_answers_500_until_it_is_restored(fake: FakeStripe) -> None:
    session = client(fake).v1.checkout.sessions.create(checkout_params())
    path = f"/v1/checkout/sessions/{session.id}/expire"
    fake.fail(path)
    with pytest.raises(stripe.APIError):
        client(fake).v1.checkout.sessions.expire(session.id)
    assert fake.session(session.id)["status"] == "open"
    fake.fail(path, failing=False)
    assert client(fake).v1.checkout.sessions.expire(session.id).status == "expired"
