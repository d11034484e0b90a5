"""Zoom's webhook events, once verified: recorded once, then acted on by the worker.

``accept`` runs while Zoom waits for its answer, so it only records: it remembers the event (a redelivery is
recognised and dropped) and queues a job, in one transaction. ``process`` does the work afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.storage.database import Database
from bot.storage.events import ProcessedEvents
from bot.storage.jobs import enqueue
from bot.support.clock import Clock
from bot.zoom.events import ZoomEvent

log = logging.getLogger(__name__)

ZOOM_EVENT_JOB = "zoom.event"


EventReaction = Callable[[ZoomEvent], Awaitable[None]]


class ZoomEvents:
    def __init__(self, database: Database, *, clock: Clock) -> None:
        self._database = database
        self._clock = clock
        self._reactions: dict[str, list[EventReaction]] = {}

    def on(self, name: str, reaction: EventReaction) -> None:
        """Register what to do for an event name (the composition root wires the core's reactions)."""
        self._reactions.setdefault(name, []).append(reaction)

    async def accept(self, event: ZoomEvent, event_key: str) -> bool:
        """Record a verified event for processing; False if it was delivered before."""
        async with self._database.write() as session:
            if not await ProcessedEvents(session).first_sight("zoom", event_key, self._clock()):
                return False
            await enqueue(session, ZOOM_EVENT_JOB, event.to_payload(), run_at=self._clock())
        return True

    async def process(self, payload: dict[str, Any]) -> None:
        """The job handler: run every reaction registered for the event."""
        event = ZoomEvent.from_payload(payload)
        reactions = self._reactions.get(event.name, [])
        if not reactions:
            log.debug("no reaction to Zoom event %s", event.name)
        for reaction in reactions:
            await reaction(event)
