"""Slack's rate limits and scripted failures.

Rate limits are opt-in, per method and per bucket: per channel for the chat methods (Slack's "special" limit on
chat.postMessage is about one message per second per channel, with short bursts allowed), per workspace for the
tiered methods (``views.*``, ``users.info``, ``users.conversations``, ``conversations.*``: Tier 4 is 100+ calls a
minute, Tier 3 50+, each method counted apart): a token bucket of ``burst`` calls refilled at ``per_second``.
Over it, Slack answers HTTP 429 with ``Retry-After`` (whole seconds) and ``{"ok": false, "error": "ratelimited"}``.

``fail_next`` scripts the next answers of one method (or "*" for any): an error with an HTTP status, optionally
``Retry-After``; scripted failures come before authentication and limits, as an outage would.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


@dataclass(slots=True)
class RateLimit:
    per_second: float
    burst: int


@dataclass(slots=True)
class RateLimits:
    limits: dict[str, RateLimit] = field(default_factory=dict)
    _buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)

    def set(self, method: str, per_second: float | None, burst: int = 1) -> None:
        self._buckets = {key: bucket for key, bucket in self._buckets.items() if key[0] != method}
        if per_second is None:
            self.limits.pop(method, None)
        else:
            self.limits[method] = RateLimit(per_second, max(1, burst))

    def take(self, method: str, key: str, now: float) -> int | None:
        """None if the call may go ahead (and count it), else the whole seconds to wait (``Retry-After``)."""
        limit = self.limits.get(method)
        if limit is None:
            return None
        bucket = self._buckets.setdefault((method, key), _Bucket(float(limit.burst), now))
        bucket.tokens = min(float(limit.burst), bucket.tokens + (now - bucket.updated) * limit.per_second)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - bucket.tokens) / limit.per_second))


@dataclass(slots=True)
class ScriptedFault:
    method: str
    error: str
    status: int
    retry_after: int | None
    times: int


@dataclass(slots=True)
class FaultPlan:
    pending: list[ScriptedFault] = field(default_factory=list)

    def add(self, fault: ScriptedFault) -> None:
        self.pending.append(fault)

    def clear(self) -> None:
        self.pending.clear()

    def take(self, method: str) -> ScriptedFault | None:
        for fault in self.pending:
            if fault.method in (method, "*"):
                fault.times -= 1
                if fault.times <= 0:
                    self.pending.remove(fault)
                return fault
        return None
