"""What the platform-outage tests do behind the process's back, and what they read from its database afterwards.

A reminder is due 15 minutes before a class: to keep an outage test short, the class made through the chat is
moved in the database to start about half a minute from now, and its queued reminder with it, as if it had been
made a quarter of an hour ago (the one change these tests make behind the process's back).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.storage.database import Database
from bot.storage.models import Class, ClassSession, Job


async def move_class_to(database_url: str, public_id: str, start: datetime, reminder_at: datetime) -> None:
    """The class's session starts at ``start``; its 15-minute reminder, queued when it was made, is due at
    ``reminder_at`` and names the new start, as ``job_kinds.schedule_reminders`` would have written it."""
    database = Database.connect(database_url)
    try:
        async with database.write() as session:
            query = select(ClassSession, Class).join(Class, Class.id == ClassSession.class_id)
            row, cls = (await session.execute(query.where(Class.public_id == public_id))).one()
            row.starts_at = cls.next_starts_at = start  # the class's kept next start moves with its one session
            pending = select(Job).where(Job.kind == "reminder", Job.status == "pending")
            [job] = [job for job in (await session.execute(pending)).scalars() if job.payload["session_id"] == row.id]
            stamp = int(start.timestamp())
            job.payload = {**job.payload, "starts_at": stamp}
            job.run_at = reminder_at
            job.dedupe_key = f"reminder:{row.id}:15:{stamp}"
    finally:
        await database.dispose()


async def jobs_given_up_on(database_url: str) -> list[str]:
    """The worker's record of the jobs it gave up on: none may be, however long the platform was away."""
    database = Database.connect(database_url)
    try:
        async with database.read() as session:
            dead = (await session.execute(select(Job).where(Job.status == "dead"))).scalars().all()
    finally:
        await database.dispose()
    return [f"{job.kind} attempts={job.attempts} {job.last_error}" for job in dead]


async def jobs_not_done(database_url: str) -> list[str]:
    """Each job not done yet, for a failed wait's message."""
    database = Database.connect(database_url)
    try:
        async with database.read() as session:
            jobs = (await session.execute(select(Job).where(Job.status != "done"))).scalars().all()
    finally:
        await database.dispose()
    return [f"{job.kind} {job.status} attempts={job.attempts} {job.payload} {job.last_error}" for job in jobs]


async def public_id_of(database_url: str, title: str) -> str:
    """The public id of the class called ``title`` (on Slack no share link shows it)."""
    database = Database.connect(database_url)
    try:
        async with database.read() as session:
            return (await session.execute(select(Class.public_id).where(Class.title == title))).scalar_one()
    finally:
        await database.dispose()
