"""Servers speaking the real HTTP protocols of Zoom, Telegram, Slack and Stripe on 127.0.0.1, for tests and benchmarks.

A distribution of their own (``classbot-fakes``), apart from the product: ClassBot's tests, benchmarks and
offline playground install it; ``pip install classbot`` never does. It imports nothing of ClassBot. The
platforms' published API descriptions it checks requests against are vendored in ``specs/``.
"""
