"""Servers that speak the real HTTP protocols of Zoom, Telegram and Slack on 127.0.0.1, for tests and benchmarks."""
