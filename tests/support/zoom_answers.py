"""Zoom's documented error answers as the fake Zoom sends them: one per row of ClassBot's table of Zoom's codes."""

from __future__ import annotations

from dataclasses import dataclass

from bot.zoom.answers import ANSWERS, Meaning, ZoomAnswerRow, ZoomCall

# Where each call is sent on the fake (any meeting id will do: a scripted fault answers before routing).
PATHS: dict[ZoomCall, tuple[str, str]] = {
    ZoomCall.MEETING_CREATE: ("POST", "/v2/users/me/meetings"),
    ZoomCall.MEETING_LIST: ("GET", "/v2/users/me/meetings"),
    ZoomCall.MEETING_GET: ("GET", "/v2/meetings/85746065432"),
    ZoomCall.MEETING_UPDATE: ("PATCH", "/v2/meetings/85746065432"),
    ZoomCall.MEETING_DELETE: ("DELETE", "/v2/meetings/85746065432"),
    ZoomCall.REGISTRANT_ADD: ("POST", "/v2/meetings/85746065432/registrants"),
    ZoomCall.REGISTRANT_LIST: ("GET", "/v2/meetings/85746065432/registrants"),
    ZoomCall.REGISTRANT_STATUS: ("PUT", "/v2/meetings/85746065432/registrants/status"),
    ZoomCall.USER_GET: ("GET", "/v2/users/me"),
    ZoomCall.TOKEN_EXCHANGE: ("POST", "/oauth/token"),
    ZoomCall.TOKEN_REFRESH: ("POST", "/oauth/token"),
}
# The regular expression a scripted fault matches each call by (``FakeZoom.fail_next``'s ``path``).
FAULT_PATHS: dict[ZoomCall, str] = {
    ZoomCall.MEETING_CREATE: r"/users/me/meetings$",
    ZoomCall.MEETING_LIST: r"/users/me/meetings$",
    ZoomCall.MEETING_GET: r"/meetings/\d+$",
    ZoomCall.MEETING_UPDATE: r"/meetings/\d+$",
    ZoomCall.MEETING_DELETE: r"/meetings/\d+$",
    ZoomCall.REGISTRANT_ADD: r"/meetings/\d+/registrants$",
    ZoomCall.REGISTRANT_LIST: r"/meetings/\d+/registrants$",
    ZoomCall.REGISTRANT_STATUS: r"/registrants/status$",
    ZoomCall.USER_GET: r"/users/me$",
    ZoomCall.TOKEN_EXCHANGE: r"^/oauth/token$",
    ZoomCall.TOKEN_REFRESH: r"^/oauth/token$",
}


@dataclass(frozen=True, slots=True)
class DocumentedAnswer:
    """What Zoom sends for one row of the table: the HTTP status and the JSON body."""

    row: ZoomAnswerRow
    status: int
    body: dict[str, object]

    @property
    def id(self) -> str:
        return f"{self.row.code}-{self.row.meaning.value}"


def documented(row: ZoomAnswerRow) -> DocumentedAnswer:
    return DocumentedAnswer(row, _status(row), _body(row))


def _status(row: ZoomAnswerRow) -> int:
    if row.status is not None:
        return row.status
    if row.code == 124:
        return 401
    if row.code == 429:
        return 429
    if (row.meaning is Meaning.MEETING_GONE and row.code in (3001, 300)) or row.code == 1001:
        return 404
    return 400


def _body(row: ZoomAnswerRow) -> dict[str, object]:
    if isinstance(row.code, str):  # the token endpoint's RFC 6749 answer
        return {"reason": row.zoom_says, "error": row.code}
    return {"code": row.code, "message": row.zoom_says}


DOCUMENTED = [documented(row) for row in ANSWERS]
