"""Every error answer Zoom documents for ClassBot's calls, sent by the fake Zoom over HTTP, is read as its meaning."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from classbot_fakes.zoom import FakeZoom

from bot.zoom.answers import ANSWERS, Meaning, ZoomCall, meaning_of
from bot.zoom.error_responses import ZoomErrorAnswer
from tests.support.zoom_answers import DOCUMENTED, FAULT_PATHS, PATHS, DocumentedAnswer


@pytest.fixture(scope="module")
def zoom() -> Iterator[FakeZoom]:
    """One fake for the module: each test's scripted fault is spent by its one request."""
    with FakeZoom() as started:
        yield started


EVERY_DOCUMENTED_CALL = [
    pytest.param(answer, call, id=f"{answer.id}-{call.name}") for answer in DOCUMENTED for call in answer.row.calls
]


def _answer_of(zoom: FakeZoom, call: ZoomCall, status: int, body: dict[str, object] | str) -> ZoomErrorAnswer:
    method, path = PATHS[call]
    zoom.fail_next(status, method=method, path=FAULT_PATHS[call], body=body)
    response = httpx.request(method, f"{zoom.oauth_url}{path}", json={})
    assert response.status_code == status
    return ZoomErrorAnswer.read(response, call)


@pytest.mark.parametrize(("documented", "call"), EVERY_DOCUMENTED_CALL)
def test_each_documented_answer_is_read_as_its_meaning(
    zoom: FakeZoom, documented: DocumentedAnswer, call: ZoomCall
) -> None:
    answer = _answer_of(zoom, call, documented.status, documented.body)

    assert (answer.code, answer.meaning) == (documented.row.code, documented.row.meaning)
    assert answer.tracking_id  # what Zoom's support asks for, on every answer


@pytest.mark.parametrize(
    ("call", "status", "body", "meaning"),
    [
        (ZoomCall.MEETING_GET, 502, "<html><h1>502 Bad Gateway</h1></html>", Meaning.TRANSIENT),
        (ZoomCall.MEETING_CREATE, 500, {"code": 3001, "message": "odd"}, Meaning.TRANSIENT),  # 5xx: whatever it says
        (ZoomCall.TOKEN_REFRESH, 503, "", Meaning.TRANSIENT),
        (ZoomCall.TOKEN_REFRESH, 429, {"reason": "Too many requests", "error": "too_many"}, Meaning.RATE_LIMITED),
        (ZoomCall.MEETING_GET, 404, {"code": 404, "message": "Not Found"}, Meaning.MEETING_GONE),
        (ZoomCall.REGISTRANT_ADD, 404, {"message": "Meeting not found."}, Meaning.MEETING_GONE),
        (ZoomCall.USER_GET, 404, {"code": 404, "message": "Not Found"}, Meaning.UNKNOWN),  # no meeting to be gone
        (ZoomCall.MEETING_UPDATE, 401, "", Meaning.TOKEN_REFUSED),  # a gateway's bare 401
        (ZoomCall.REGISTRANT_ADD, 400, {"code": 9999, "message": "Something new."}, Meaning.UNKNOWN),
        (ZoomCall.TOKEN_REFRESH, 400, {"reason": "Something new", "error": "new_error"}, Meaning.UNKNOWN),
        (
            ZoomCall.MEETING_DELETE,
            400,
            {"code": 3043, "message": "Meeting has reached maximum attendee capacity."},
            Meaning.UNKNOWN,
        ),  # documented for adding registrants only
    ],
)
def test_answers_without_a_documented_code_are_read_by_their_status(
    zoom: FakeZoom, call: ZoomCall, status: int, body: dict[str, object] | str, meaning: Meaning
) -> None:
    assert _answer_of(zoom, call, status, body).meaning is meaning


def test_a_reused_code_is_told_apart_by_zooms_words() -> None:
    add, update = ZoomCall.REGISTRANT_ADD, ZoomCall.MEETING_UPDATE

    assert (
        meaning_of(add, 404, 3000, "Registration has not been enabled for this meeting: 1.") is Meaning.NO_REGISTRATION
    )
    assert meaning_of(add, 400, 3000, "Cannot access meeting info.") is Meaning.MEETING_GONE
    assert (
        meaning_of(update, 400, 3000, "You cannot update or delete meetings that have started using this method.")
        is Meaning.MEETING_IN_PROGRESS
    )
    assert meaning_of(update, 400, 3000, "You cannot schedule a meeting for x@example.org") is Meaning.REQUEST_REFUSED
    assert meaning_of(add, 404, 300, 'Meeting "1" not found or has expired.') is Meaning.MEETING_GONE
    assert meaning_of(add, 400, 300, "Validation Failed.") is Meaning.REQUEST_REFUSED


def test_every_row_is_reachable() -> None:
    """No row hides behind an earlier one: each documented answer is read as its own row's meaning."""
    for documented in DOCUMENTED:
        for call in documented.row.calls:
            message = str(documented.body.get("message") or documented.body.get("reason"))
            assert meaning_of(call, documented.status, documented.row.code, message) is documented.row.meaning


def test_the_table_covers_every_call_classbot_makes() -> None:
    assert {call for row in ANSWERS for call in row.calls} == set(ZoomCall)
