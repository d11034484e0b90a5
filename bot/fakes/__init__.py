"""Servers that speak the real HTTP protocols of Zoom, Telegram and Slack on 127.0.0.1, for tests and benchmarks.

They live in the package, not under tests/, so that one copy serves the tests, the benchmarks and anything
else that needs the platforms without accounts.
"""
