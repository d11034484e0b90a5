"""Filling a migrated ClassBot database to a size a large deployment reaches, with COPY (100,000 classes and
1,000,000 bookings in a few minutes), into the tables of ``bot/storage/models.py``.

What a year of use leaves behind, for ``classes`` classes and ``bookings`` bookings, drawn from a seeded random
generator so two fills are the same:

- people on Telegram and on Slack (one in four, in ten workspaces): a teacher per 20 classes, a parent per 5
  bookings, each parent with one child; teachers and parents are not alike: a few teachers (schools) hold
  hundreds of classes, most a handful; most parents booked once or twice, some a dozen times or more;
- one community per 50 classes (Telegram groups; Slack channels in each workspace), each class announced in one
  community of its teacher's platform and workspace, one in ten in a second one;
- classes: one in five weekly (4 to 12 sessions), the rest one-off; first sessions spread from 90 days ago to 90
  days ahead at daytime hours; 5 to 30 seats; one in twenty cancelled, one in twenty asking for approval, one in
  ten with an age range; bookings per class uneven (many nearly empty, some full), about one booking in 20
  cancelled, those of approval classes pending in part; a full class has a few parents on its waitlist;
- jobs as the worker leaves them: per booking a done link job and a done notice job, two pending reminders per
  upcoming session, none due in the next hours (a prefilled class has no meeting and its teacher no Zoom
  connection in the fake Zoom, so a reminder that came due would fail and be retried through the measured burst,
  work the empty database's run does not have, and as much of it as the hour the run starts brings); three
  processed Telegram updates per booking (the webhook's redelivery guard).

Ids are given here, so rows refer to each other without reading back, and the sequences are set after. Then
everything is vacuumed and analyzed and a checkpoint taken, as autovacuum and time would have done. No Zoom
tokens or links are stored: nothing in the benchmark reads them.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]

SLACK_WORKSPACES = 10
_SEED = 20261207
_NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
# No prefilled reminder comes due sooner than this after _NOW: longer than a benchmark on the database runs.
_NO_REMINDER_DUE_WITHIN = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class Pool:
    """People of one platform and workspace: classes are taught, published and booked within one."""

    platform: str
    workspace_id: str


@dataclass
class Plan:
    """The rows to write, as the generator decided them (ids from 1 in each table)."""

    pools: list[Pool]
    people: list[tuple[Any, ...]] = field(default_factory=list)
    teachers: dict[int, list[int]] = field(default_factory=dict)  # pool → person ids
    parents: dict[int, list[int]] = field(default_factory=dict)
    communities: list[tuple[Any, ...]] = field(default_factory=list)
    classes: list[tuple[Any, ...]] = field(default_factory=list)
    sessions: list[tuple[Any, ...]] = field(default_factory=list)
    publications: list[tuple[Any, ...]] = field(default_factory=list)
    bookings: list[tuple[Any, ...]] = field(default_factory=list)
    waitlist: list[tuple[Any, ...]] = field(default_factory=list)
    children: list[tuple[Any, ...]] = field(default_factory=list)
    # (session id, starts_at) of upcoming sessions of scheduled classes: their reminders are pending.
    upcoming: list[tuple[int, datetime]] = field(default_factory=list)


def telegram_parent_ids(count: int) -> list[str]:
    """The platform ids of the first ``count`` prefilled Telegram parents (a benchmark's probers take them over)."""
    return [f"fill-p-{n}" for n in range(1, count + 1)]


def _pools() -> list[Pool]:
    return [Pool("telegram", ""), *(Pool("slack", f"TFILL{n}") for n in range(SLACK_WORKSPACES))]


def _pool_of(rng: random.Random) -> int:
    """Three in four on Telegram, the rest spread over the Slack workspaces."""
    return 0 if rng.random() < 0.75 else 1 + rng.randrange(SLACK_WORKSPACES)


def _uneven(rng: random.Random, choices: tuple[int, ...], weights: tuple[int, ...]) -> int:
    return rng.choices(choices, weights)[0]


def plan(classes: int, bookings: int) -> Plan:
    """Decide every row (in memory: about a gigabyte at 1,000,000 bookings)."""
    rng = random.Random(_SEED)
    pools = _pools()
    out = Plan(pools)

    def person(pool: int, role: str, n: int) -> int:
        where = pools[pool]
        out.people.append((len(out.people) + 1, where.platform, where.workspace_id, f"fill-{role}-{n}", f"{role} {n}"))
        return len(out.people)

    for n in range(1, max(1, classes // 20) + 1):
        pool = 0 if n == 1 else _pool_of(rng)
        out.teachers.setdefault(pool, []).append(person(pool, "t", n))
    communities_of: dict[int, list[int]] = {}
    for n in range(1, max(2, classes // 50) + 1):
        pool = 0 if n == 1 else _pool_of(rng)
        where = pools[pool]
        chat = str(-1000000000000 - n) if where.platform == "telegram" else f"CFILL{n}"
        out.communities.append((n, where.platform, where.workspace_id, chat, f"Group {n}", "anyone"))
        communities_of.setdefault(pool, []).append(n)
    # Classes: teachers chosen unevenly (the first of a pool's teachers most often), so a few hold dozens.
    wanted: dict[int, int] = {}  # pool → seats booked in it
    planned: list[tuple[int, int, int]] = []  # (class id, pool, bookings)
    session_id = 0
    teaching = {p for p in out.teachers if communities_of.get(p)}
    for n in range(1, classes + 1):
        pool = _pool_of(rng)
        pool = pool if pool in teaching else 0
        teachers = out.teachers[pool]
        teacher = teachers[min(len(teachers) - 1, int(len(teachers) * rng.random() ** 1.5))]
        weekly = n % 5 == 0
        sessions = rng.randint(4, 12) if weekly else 1
        seats = _uneven(rng, (5, 8, 10, 12, 15, 20, 30), (1, 2, 4, 3, 3, 3, 1))
        cancelled = n % 20 == 7
        approval = n % 20 == 11
        ages = (rng.randint(3, 9), rng.randint(10, 17)) if n % 10 == 3 else (None, None)
        first = _NOW - timedelta(days=90) + timedelta(days=rng.randrange(180), hours=rng.randrange(8, 20) - 12)
        starts_of = [first + timedelta(days=7 * position) for position in range(sessions)]
        # Its next session kept on the row, as ClassBot keeps it (``bot.storage.next_starts``).
        kept = None if cancelled else min((starts for starts in starts_of if starts > _NOW), default=None)
        out.classes.append(
            (n, f"fill{n}", teacher, f"Class {n}", f"A class for kids, number {n}", "Europe/Madrid", 45, seats, 0,
             sessions, approval, True, "cancelled" if cancelled else "scheduled", str(80000000000 + n), *ages, kept)
        )  # fmt: skip
        for position, starts in enumerate(starts_of):
            session_id += 1
            out.sessions.append((session_id, n, position, starts, "scheduled"))
            if not cancelled and starts > _NOW:
                out.upcoming.append((session_id, starts))
        places = rng.sample(communities_of[pool], min(len(communities_of[pool]), 2 if n % 10 == 5 else 1))
        out.publications += [(len(out.publications) + 1 + i, n, c) for i, c in enumerate(places)]
        planned.append((n, pool, seats))
    # Bookings per class: uneven, scaled so that they add up to ``bookings``; a class takes at most its seats,
    # and the bookings beyond them of a class drawn full wait on its waitlist (up to five).
    draws = [rng.paretovariate(1.2) for _ in planned]
    scale = bookings / sum(min(draw, seats) for draw, (_, _, seats) in zip(draws, planned, strict=True))
    counts = [min(seats, max(0, round(draw * scale))) for draw, (_, _, seats) in zip(draws, planned, strict=True)]
    short = bookings - sum(counts)
    open_classes = [i for i, (_, _, seats) in enumerate(planned) if counts[i] < seats]
    while short != 0 and open_classes:  # spread the rounding's remainder (either sign) one booking at a time
        i = rng.choice(open_classes)
        step = 1 if short > 0 else -1
        if 0 <= counts[i] + step <= planned[i][2]:
            counts[i] += step
            short -= step
        if counts[i] >= planned[i][2]:
            open_classes.remove(i)
    waiting = [rng.randint(1, 5) if count == seats and rng.random() < 0.5 else 0 for count, (_, _, seats) in zip(
        counts, planned, strict=True)]  # fmt: skip
    for (_, pool, _), count, waits in zip(planned, counts, waiting, strict=True):
        wanted[pool] = wanted.get(pool, 0) + count + waits
    # Parents: as many as the bookings need in each pool, each with an uneven number of bookings; their seats
    # are shuffled so a parent's bookings land in classes of all kinds.
    seats_of: dict[int, list[int]] = {}
    parent_n = 0
    for pool, need in sorted(wanted.items()):
        slots: list[int] = []
        while len(slots) < need:
            parent_n += 1
            parent = person(pool, "p", parent_n)
            out.parents.setdefault(pool, []).append(parent)
            out.children.append((len(out.children) + 1, parent, f"Kid {parent_n}", rng.randint(4, 14)))
            slots += [parent] * _uneven(rng, (1, 2, 3, 5, 8, 12, 25), (30, 20, 15, 15, 10, 7, 3))
        del slots[need:]
        rng.shuffle(slots)
        seats_of[pool] = slots
    for (class_id, pool, _), count, waits in zip(planned, counts, waiting, strict=True):
        approval = class_id % 20 == 11
        for _ in range(count):
            k = len(out.bookings) + 1
            parent = seats_of[pool].pop()
            if rng.random() < 0.05:
                status = "cancelled"
            elif approval and rng.random() < 0.3:
                status = "pending_approval"
            else:
                status = "confirmed"
            out.bookings.append((k, f"fb{k}", class_id, parent, f"Kid {parent}", status, f"fill:{k}", f"reg{k}"))
        for _ in range(waits):
            k = len(out.waitlist) + 1
            parent = seats_of[pool].pop()
            out.waitlist.append((k, class_id, parent, f"Kid {parent}", f"fill-w:{k}", "waiting"))
    return out


def _jobs(out: Plan) -> Iterator[tuple[Any, ...]]:
    """Per booking a done link job and a done notice job; two pending reminders per upcoming session."""
    job_id = 0
    teacher_of = {row[0]: row[2] for row in out.classes}
    for booking_id, public_id, class_id, *_ in out.bookings:
        job_id += 1
        when = _NOW - timedelta(minutes=booking_id % 100_000)
        link = json.dumps({"booking": public_id, "reason": "booked"})
        yield (job_id, "link.send", f"link:{public_id}:booked:", link, when, 1, "done")
        job_id += 1
        notice = json.dumps(
            {"person_id": teacher_of[class_id], "message": {"text": "New booking", "buttons": []}},
            separators=(",", ":"),
        )
        yield (job_id, "notify", None, notice, when, 1, "done")
    for session_id, starts in out.upcoming:
        stamp = int(starts.timestamp())
        for minutes in (1440, 15):
            run_at = starts - timedelta(minutes=minutes)
            if run_at <= _NOW + _NO_REMINDER_DUE_WITHIN:
                continue
            job_id += 1
            payload = json.dumps({"session_id": session_id, "offset_minutes": minutes, "starts_at": stamp})
            yield (job_id, "reminder", f"reminder:{session_id}:{minutes}:{stamp}", payload, run_at, 0, "pending")


_COLUMNS = {
    "people": ("id", "platform", "workspace_id", "platform_user_id", "display_name"),
    "children": ("id", "parent_id", "name", "age"),
    "communities": ("id", "platform", "workspace_id", "chat_id", "title", "publish_policy"),
    "classes": (
        "id",
        "public_id",
        "teacher_id",
        "title",
        "description",
        "timezone",
        "duration_minutes",
        "seats",
        "seats_taken",
        "sessions_count",
        "requires_approval",
        "zoom_enabled",
        "status",
        "meeting_id",
        "age_min",
        "age_max",
        "next_starts_at",
    ),
    "class_sessions": ("id", "class_id", "position", "starts_at", "status"),
    "publications": ("id", "class_id", "community_id"),
    "bookings": ("id", "public_id", "class_id", "parent_id", "child_name", "status", "request_key", "registrant_id"),
    "waitlist_entries": ("id", "class_id", "parent_id", "child_name", "request_key", "status"),
    "jobs": ("id", "kind", "dedupe_key", "payload", "run_at", "attempts", "status"),
}
_TABLES = ("people", "classes", "class_sessions", "bookings", "waitlist_entries", "publications", "jobs")


async def fill(dsn: str, *, classes: int, bookings: int) -> dict[str, Any]:
    """Fill the migrated database at ``dsn``: rows per table afterwards, the seconds it took (planning in
    Python, COPY, settling) and the database's size on disk."""
    started = time.monotonic()
    out = plan(classes, bookings)
    planned = time.monotonic()
    rows: dict[str, Any] = {
        "people": out.people,
        "children": out.children,
        "communities": out.communities,
        "classes": out.classes,
        "class_sessions": out.sessions,
        "publications": out.publications,
        "bookings": out.bookings,
        "waitlist_entries": out.waitlist,
        "jobs": _jobs(out),
    }
    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            for table, records in rows.items():
                await connection.copy_records_to_table(table, records=records, columns=_COLUMNS[table])
            events = (("telegram", f"fill-{n}") for n in range(1, 3 * bookings + 1))
            await connection.copy_records_to_table("processed_events", records=events, columns=("source", "event_key"))
            await connection.execute(
                """UPDATE classes SET seats_taken = taken.count
                   FROM (SELECT class_id, count(*) FROM bookings WHERE status IN ('confirmed', 'pending_approval')
                         GROUP BY class_id) taken
                   WHERE classes.id = taken.class_id"""
            )
            for table in rows:
                if table != "processed_events":
                    await connection.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
                    )
        copied = time.monotonic()
        # Settled as a database that has been in use for a while would be: statistics, visibility map and hint
        # bits set, dirty pages written. Otherwise autovacuum and the checkpointer do it during the measurement,
        # on the same two CPUs as the bot.
        await connection.execute("VACUUM (ANALYZE)")
        await connection.execute("CHECKPOINT")
        settled = time.monotonic()
        counts = {
            table: int(await connection.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608
            for table in (*_TABLES, "processed_events")
        }
        size = int(await connection.fetchval("SELECT pg_database_size(current_database())"))
    finally:
        await connection.close()
    return {
        "rows": counts,
        "seconds": {
            "plan": round(planned - started, 1),
            "copy": round(copied - planned, 1),
            "vacuum_analyze_checkpoint": round(settled - copied, 1),
            "total": round(settled - started, 1),
        },
        "database_mb": round(size / 1e6),
    }
