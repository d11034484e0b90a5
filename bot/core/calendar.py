"""An iCalendar file (RFC 5545) for a booked class, so a parent's calendar reminds them too.

Written with the icalendar library, which escapes, folds and stamps as the RFC says; one event per session, in
UTC, so every calendar application places it right whatever its own zone. The library is loaded on the first
file written, not at start: its eighty modules would cost every start 3 MB and 30 ms for a button few press.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def booking_calendar(
    *,
    uid: str,
    title: str,
    child: str,
    starts: list[datetime],
    duration_minutes: int,
    join_url: str | None,
    description: str,
    now: datetime,
) -> bytes:
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//ClassBot//Bookings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    for position, start in enumerate(starts):
        event = Event()
        event.add("uid", f"{uid}-{position}@classbot")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", start.astimezone(UTC))
        event.add("dtend", (start + timedelta(minutes=duration_minutes)).astimezone(UTC))
        event.add("summary", f"{title} ({child})")
        event.add("description", description)
        if join_url:
            event.add("url", join_url)
        calendar.add_component(event)
    written: bytes = calendar.to_ical()
    return written
