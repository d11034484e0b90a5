"""A Stripe test server: the parts of Stripe's API the official ``stripe`` SDK calls for Checkout and refunds.

    with FakeStripe() as stripe:
        stripe.configure_webhook("http://127.0.0.1:8080/stripe/webhook")
        # STRIPE_API_URL=stripe.api_url, STRIPE_SECRET_KEY=stripe.secret_key,
        # STRIPE_WEBHOOK_SECRET=stripe.webhook_secret
        stripe.pay(session_id)  # the customer completes Checkout: checkout.session.completed is delivered

Objects are shaped like Stripe's published fixtures (``specs/stripe-fixtures.json``); webhooks are signed as
Stripe signs them, so the SDK's own ``Webhook.construct_event`` accepts them.
"""

from .server import FakeStripe
from .webhooks import Delivery, signature_header
from .world import NotPayable

__all__ = ["Delivery", "FakeStripe", "NotPayable", "signature_header"]
