"""Helpers shared by the test suites: waiting on conditions, databases, the real bot process."""
