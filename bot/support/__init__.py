"""What every part of ClassBot leans on and nothing of ClassBot: clock, keyed locks, statement batching, pacing,
logs and metrics. Imports nothing else of ``bot`` (the import contract in pyproject.toml keeps it so).
"""
