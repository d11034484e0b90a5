"""``python -m bot status``: the durable job queue by kind, read from the database without starting anything.

Before an upgrade or a rollback an operator needs to know what work is still queued: a job queued by one version
is run by a newer one but not always by an older one (link jobs, for one, changed how they name their booking),
so a rollback waits until no link job is left. The exit status says the same for scripts: 0 when no link job is
waiting or running, 1 while some are, 2 when the queue cannot be read.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.core.job_kinds import SEND_LINK
from bot.storage.database import Database
from bot.storage.jobs import JobQueue, KindCount

_COLUMNS = ("kind", "due now", "later", "running", "given up")


async def read_queue(settings: Settings, now: datetime | None = None) -> list[KindCount]:
    """The jobs not done, by kind (the database is only read: no migration, no worker)."""
    database = Database.connect(settings.database_url)
    try:
        return await JobQueue(database).by_kind(now or datetime.now(UTC))
    finally:
        await database.dispose()


def links_pending(counts: list[KindCount]) -> int:
    return sum(count.pending for count in counts if count.kind == SEND_LINK)


def render(counts: list[KindCount]) -> str:
    """A table of the queue and what it means for an upgrade, for a person at a terminal."""
    if not counts:
        lines = ["No jobs are queued."]
    else:
        rows = [_COLUMNS, *((c.kind, str(c.due), str(c.later), str(c.running), str(c.dead)) for c in counts)]
        widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
        lines = ["Jobs not done, by kind:"]
        for row in rows:
            cells = [
                row[0].ljust(widths[0]),
                *(cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)),
            ]
            lines.append("  " + "   ".join(cells).rstrip())
    links = links_pending(counts)
    if links:
        lines.append(
            f"{links} link job{'s are' if links != 1 else ' is'} not done ({SEND_LINK}): before stopping for a "
            "rollback to an older version, let ClassBot run until none is left."
        )
    else:
        lines.append(f"No link job is waiting or running ({SEND_LINK}): safe to stop for an upgrade or a rollback.")
    dead = sum(count.dead for count in counts)
    if dead:
        lines.append(
            f"{dead} job{'s were' if dead != 1 else ' was'} given up on; the jobs table keeps why (last_error)."
        )
    return "\n".join(lines)


async def status(settings: Settings) -> tuple[int, str]:
    """The exit status and what to print."""
    try:
        counts = await read_queue(settings)
    except (SQLAlchemyError, OSError) as problem:
        return 2, (
            f"Could not read the job queue ({type(problem).__name__}). Is DATABASE_URL right, and has ClassBot "
            "migrated this database (python -m bot migrate)?"
        )
    return (1 if links_pending(counts) else 0), render(counts)
