"""Card payments through Stripe: Checkout Sessions for held seats, refunds, and Stripe's webhooks.

The one place that imports the ``stripe`` SDK (import-linter keeps it out of the core and the front ends). What
Stripe says goes through the core's one payment path (``bot.core.payments.PaymentService``), as Telegram's
Stars payments do.
"""
