"""Filling a migrated ClassBot database to a size a busy community reaches, with set-based SQL (seconds, not
minutes), into the tables of ``bot/storage/models.py``.

What a year of use leaves behind, for ``classes`` classes and ``bookings`` bookings: 5 bookings per parent
(parents = bookings / 5, each remembering one child), one teacher per 20 classes, 50 Telegram groups each
showing its share of the classes; one class in five weekly (8 sessions), the rest one-off; first sessions
spread from 60 days ago to 120 days ahead, one class in 20 cancelled; about one booking in 20 cancelled; per
booking a done link job and a done notice job, two pending reminders per upcoming session, and three
processed Telegram updates per booking (the webhook's redelivery guard). Everything is then vacuumed and
analyzed and a checkpoint taken, as autovacuum and time would have done. No Zoom tokens or links are stored:
nothing in the benchmark reads them.
"""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]

_STATEMENTS = [
    """INSERT INTO people (platform, workspace_id, platform_user_id, display_name)
       SELECT 'telegram', '', 'fill-t-' || g, 'Teacher ' || g FROM generate_series(1, {teachers}) g""",
    """INSERT INTO people (platform, workspace_id, platform_user_id, display_name)
       SELECT 'telegram', '', 'fill-p-' || g, 'Parent ' || g FROM generate_series(1, {parents}) g""",
    """CREATE TEMP TABLE fill_teachers AS
       SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM people WHERE platform_user_id LIKE 'fill-t-%'""",
    """CREATE TEMP TABLE fill_parents AS
       SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM people WHERE platform_user_id LIKE 'fill-p-%'""",
    """INSERT INTO children (parent_id, name) SELECT id, 'Kid ' || n FROM fill_parents""",
    """INSERT INTO communities (platform, workspace_id, chat_id, title, publish_policy)
       SELECT 'telegram', '', (-1000000000000 - g)::text, 'Group ' || g, 'anyone' FROM generate_series(1, 50) g""",
    """INSERT INTO classes (public_id, teacher_id, title, description, timezone, duration_minutes, seats,
                           seats_taken, sessions_count, requires_approval, zoom_enabled, status, meeting_id)
       SELECT 'fill' || g, t.id, 'Class ' || g, 'A class for kids, number ' || g, 'Europe/Madrid', 45, 20, 0,
              CASE WHEN g % 5 = 0 THEN 8 ELSE 1 END, false, true,
              CASE WHEN g % 20 = 0 THEN 'cancelled' ELSE 'scheduled' END, (80000000000 + g)::text
       FROM generate_series(1, {classes}) g JOIN fill_teachers t ON t.n = g % {teachers}""",
    """CREATE TEMP TABLE fill_classes AS
       SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, sessions_count FROM classes
       WHERE public_id LIKE 'fill%'""",
    """INSERT INTO class_sessions (class_id, position, starts_at, status)
       SELECT c.id, p, date_trunc('hour', now()) - interval '60 days' + (c.n % 180) * interval '1 day'
              + (c.n % 10) * interval '1 hour' + p * interval '7 days', 'scheduled'
       FROM fill_classes c CROSS JOIN LATERAL generate_series(0, c.sessions_count - 1) p""",
    """INSERT INTO publications (class_id, community_id)
       SELECT c.id, m.id FROM fill_classes c
       JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM communities) m ON m.n = c.n % 50""",
    """INSERT INTO bookings (public_id, class_id, parent_id, child_name, status, request_key, registrant_id)
       SELECT 'fb' || k, c.id, p.id, 'Kid ' || p.n, CASE WHEN k % 20 = 0 THEN 'cancelled' ELSE 'confirmed' END,
              'fill:' || k, 'reg' || k
       FROM generate_series(0, {bookings} - 1) k
       JOIN fill_classes c ON c.n = (k::bigint * 7919) % {classes}
       JOIN fill_parents p ON p.n = k / 5""",
    """UPDATE classes SET seats_taken = taken.count, seats = greatest(20, taken.count)
       FROM (SELECT class_id, count(*) FROM bookings WHERE status = 'confirmed' GROUP BY class_id) taken
       WHERE classes.id = taken.class_id""",
    """INSERT INTO jobs (kind, dedupe_key, payload, run_at, attempts, status)
       SELECT 'link.send', 'link:' || b.public_id || ':booked:',
              json_build_object('booking', b.public_id, 'reason', 'booked'), b.created_at, 1, 'done'
       FROM bookings b WHERE b.public_id LIKE 'fb%'""",
    """INSERT INTO jobs (kind, payload, run_at, attempts, status)
       SELECT 'notify', json_build_object('person_id', c.teacher_id,
              'message', json_build_object('text', 'New booking', 'buttons', json_build_array())),
              b.created_at, 1, 'done'
       FROM bookings b JOIN classes c ON c.id = b.class_id WHERE b.public_id LIKE 'fb%'""",
    """INSERT INTO jobs (kind, dedupe_key, payload, run_at, attempts, status)
       SELECT 'reminder', 'reminder:' || s.id || ':' || o.minutes || ':' || extract(epoch FROM s.starts_at)::bigint,
              json_build_object('session_id', s.id, 'offset_minutes', o.minutes,
                                'starts_at', extract(epoch FROM s.starts_at)::bigint),
              s.starts_at - o.minutes * interval '1 minute', 0, 'pending'
       FROM class_sessions s JOIN fill_classes c ON c.id = s.class_id
       CROSS JOIN (VALUES (1440), (15)) o(minutes)
       WHERE s.starts_at - o.minutes * interval '1 minute' > now()""",
    """INSERT INTO processed_events (source, event_key)
       SELECT 'telegram', 'fill-' || g FROM generate_series(1, 3 * {bookings}) g""",
]


async def fill(dsn: str, *, classes: int, bookings: int) -> dict[str, int]:
    """Fill the migrated database at ``dsn``; the number of rows per table afterwards."""
    sizes = {"teachers": max(1, classes // 20), "parents": max(1, bookings // 5), "classes": classes}
    sizes["bookings"] = bookings
    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            for statement in _STATEMENTS:
                await connection.execute(statement.format(**{name: int(value) for name, value in sizes.items()}))
        # Settled as a database that has been in use for a while would be: statistics, visibility map and hint
        # bits set, dirty pages written. Otherwise autovacuum and the checkpointer do it during the measurement,
        # on the same two CPUs as the bot.
        await connection.execute("VACUUM (ANALYZE)")
        await connection.execute("CHECKPOINT")
        tables = ["people", "classes", "class_sessions", "bookings", "publications", "jobs", "processed_events"]
        return {table: int(await connection.fetchval(f"SELECT count(*) FROM {table}")) for table in tables}  # noqa: S608
    finally:
        await connection.close()
