"""How this process is doing, for ``/healthz`` and ``/metrics``: whether the database answers, and the queue."""

from __future__ import annotations

from bot.storage.database import Database
from bot.storage.jobs import JobQueue
from bot.support.clock import Clock
from bot.support.metrics import Metrics


class Health:
    def __init__(self, database: Database, jobs: JobQueue, metrics: Metrics, *, clock: Clock) -> None:
        self._database = database
        self._jobs = jobs
        self._metrics = metrics
        self._clock = clock

    async def database_answers(self) -> bool:
        return await self._database.ping()

    async def metrics_text(self) -> str:
        """Every metric in Prometheus' text format, with the job queue's backlog as it is now."""
        pending, oldest = await self._jobs.backlog(self._clock())
        gauges = {"classbot_jobs_pending": pending, "classbot_jobs_oldest_pending_seconds": oldest}
        return self._metrics.render(gauges)
