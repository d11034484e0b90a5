"""An iCalendar file (RFC 5545) for a booked class, so a parent's calendar reminds them too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    encoded = line.encode()
    parts = []
    while len(encoded) > 75:
        cut = 75
        while cut > 0 and (encoded[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        parts.append(encoded[:cut].decode())
        encoded = encoded[cut:]
    parts.append(encoded.decode())
    return "\r\n ".join(parts)


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
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//ClassBot//Bookings//EN", "CALSCALE:GREGORIAN"]
    for position, start in enumerate(starts):
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}-{position}@classbot",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART:{_stamp(start)}",
            f"DTEND:{_stamp(start + timedelta(minutes=duration_minutes))}",
            f"SUMMARY:{_escape(f'{title} ({child})')}",
            f"DESCRIPTION:{_escape(description)}",
            *([f"URL:{join_url}"] if join_url else []),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
