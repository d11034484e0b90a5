"""The fake Zoom behaves as Zoom does: OAuth with PKCE and rotation, the REST API's rules, limits and faults."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from classbot_fakes.zoom import FakeZoom, FakeZoomUser, load_spec, s256, sign, signed_headers

REDIRECT = "https://classbot.example/zoom/oauth/callback"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def teacher(fake_zoom: FakeZoom) -> FakeZoomUser:
    return fake_zoom.add_user(email="ann@example.com", licensed=True, timezone="Europe/Paris")


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def api(fake_zoom: FakeZoom, teacher: FakeZoomUser) -> Iterator[httpx.Client]:
    with _api_client(fake_zoom, teacher) as client:
        yield client


@contextmanager
def _api_client(zoom: FakeZoom, user: FakeZoomUser) -> Iterator[httpx.Client]:
    """An API client holding a fresh access token of ``user``."""
    token = zoom.issue_tokens(user)["access_token"]
    with httpx.Client(base_url=zoom.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        yield client


def _authorize(zoom: FakeZoom, http: httpx.Client, **overrides: str) -> httpx.Response:
    headers = {k: overrides.pop(k) for k in list(overrides) if k.startswith("X-")}
    params = {"response_type": "code", "client_id": zoom.client_id, "redirect_uri": REDIRECT, "state": "st4te"}
    return http.get(f"{zoom.oauth_url}/oauth/authorize", params=params | overrides, headers=headers)


def _query(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


def _token(
    zoom: FakeZoom,
    http: httpx.Client,
    form: dict[str, str] | None = None,
    *,
    auth: tuple[str, str] | None = None,
    **fields: str,
) -> httpx.Response:
    data = {**(form or {}), **fields}
    return http.post(f"{zoom.oauth_url}/oauth/token", data=data, auth=auth or (zoom.client_id, zoom.client_secret))


def _weekly(**recurrence: object) -> dict[str, object]:
    return {
        "topic": "Piano for beginners",
        "type": 8,
        "start_time": "2031-03-25T17:00:00",
        "timezone": "Europe/Paris",
        "duration": 45,
        "recurrence": {"type": 2, "weekly_days": "3,5", "repeat_interval": 1, **recurrence},  # Tuesdays, Thursdays
        "settings": {"approval_type": 0, "waiting_room": True},
    }


def _create(api: httpx.Client, **body: object) -> dict[str, object]:
    response = api.post("/users/me/meetings", json={"topic": "Chess club", "type": 2, **body})
    assert response.status_code == 201, response.text
    return dict(response.json())


# --- OAuth -------------------------------------------------------------------------------------------------------


def test_the_code_dance_with_pkce_yields_tokens_that_open_the_api(
    fake_zoom: FakeZoom, teacher: FakeZoomUser, http: httpx.Client
) -> None:
    verifier = secrets.token_urlsafe(48)
    redirect = _authorize(fake_zoom, http, code_challenge=s256(verifier), code_challenge_method="S256")
    query = _query(redirect)
    assert redirect.headers["location"].startswith(REDIRECT + "?")
    assert query["state"] == "st4te"

    answer = _token(
        fake_zoom,
        http,
        grant_type="authorization_code",
        code=query["code"],
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    )

    assert answer.status_code == 200
    tokens = answer.json()
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 3599
    assert "meeting:write:meeting" in tokens["scope"].split(" ")
    assert tokens["api_url"] == fake_zoom.oauth_url
    me = http.get(f"{fake_zoom.api_url}/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["id"] == teacher.id
    assert me.json()["type"] == 2


def test_a_code_works_only_once(fake_zoom: FakeZoom, teacher: FakeZoomUser, http: httpx.Client) -> None:
    code = fake_zoom.authorize_code(teacher, redirect_uri=REDIRECT)
    assert _token(fake_zoom, http, grant_type="authorization_code", code=code, redirect_uri=REDIRECT).status_code == 200

    again = _token(fake_zoom, http, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)

    assert again.status_code == 400
    assert again.json() == {"reason": "Invalid authorization code", "error": "invalid_grant"}


def test_a_code_is_refused_with_another_redirect_uri(
    fake_zoom: FakeZoom, teacher: FakeZoomUser, http: httpx.Client
) -> None:
    code = fake_zoom.authorize_code(teacher, redirect_uri=REDIRECT)

    answer = _token(fake_zoom, http, grant_type="authorization_code", code=code, redirect_uri=REDIRECT + "/")

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_a_code_is_refused_with_a_wrong_or_missing_verifier(
    fake_zoom: FakeZoom, teacher: FakeZoomUser, http: httpx.Client
) -> None:
    code = fake_zoom.authorize_code(teacher, redirect_uri=REDIRECT, code_challenge=s256("a" * 43))
    exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}

    assert _token(fake_zoom, http, exchange, code_verifier="b" * 43).status_code == 400
    assert _token(fake_zoom, http, exchange).status_code == 400
    assert _token(fake_zoom, http, exchange, code_verifier="a" * 43).status_code == 200


def test_a_code_expires_after_five_minutes(fake_zoom: FakeZoom, teacher: FakeZoomUser, http: httpx.Client) -> None:
    code = fake_zoom.authorize_code(teacher, redirect_uri=REDIRECT)
    fake_zoom.advance_clock(301)

    answer = _token(fake_zoom, http, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)

    assert answer.status_code == 400


def test_denied_consent_redirects_with_access_denied_and_the_state(
    fake_zoom: FakeZoom, teacher: FakeZoomUser, http: httpx.Client
) -> None:
    query = _query(_authorize(fake_zoom, http, **{"X-Fake-Zoom-Consent": "deny"}))

    assert query == {"error": "access_denied", "state": "st4te"}


def test_the_browser_header_chooses_who_authorizes(fake_zoom: FakeZoom, http: httpx.Client) -> None:
    fake_zoom.add_user(email="first@example.com")
    second = fake_zoom.add_user(email="second@example.com")
    code = _query(_authorize(fake_zoom, http, **{"X-Fake-Zoom-User": second.id}))["code"]

    tokens = _token(fake_zoom, http, grant_type="authorization_code", code=code, redirect_uri=REDIRECT).json()

    me = http.get(f"{fake_zoom.api_url}/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["email"] == "second@example.com"


@pytest.mark.parametrize(
    "override",
    [
        {"client_id": "someone-else"},
        {"response_type": "token"},
        {"redirect_uri": ""},
        {"code_challenge": s256("x" * 43), "code_challenge_method": "plain"},
        {"code_challenge": s256("x" * 43)},
    ],
    ids=["bad client_id", "bad response_type", "no redirect_uri", "plain PKCE", "PKCE without a method"],
)
def test_a_bad_authorize_request_gets_an_error_page_not_a_redirect(
    fake_zoom: FakeZoom, teacher: FakeZoomUser, http: httpx.Client, override: dict[str, str]
) -> None:
    answer = _authorize(fake_zoom, http, **override)

    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert "location" not in answer.headers


def test_bad_client_credentials_are_refused(fake_zoom: FakeZoom, teacher: FakeZoomUser, http: httpx.Client) -> None:
    code = fake_zoom.authorize_code(teacher, redirect_uri=REDIRECT)

    answer = _token(
        fake_zoom,
        http,
        auth=("zoom-client-id", "wrong"),
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
    )

    assert answer.status_code == 400
    assert answer.json() == {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}


def test_a_refresh_rotates_the_pair_and_the_used_refresh_token_dies(
    fake_zoom: FakeZoom, teacher: FakeZoomUser, http: httpx.Client
) -> None:
    first = fake_zoom.issue_tokens(teacher)

    second = _token(fake_zoom, http, grant_type="refresh_token", refresh_token=str(first["refresh_token"])).json()
    replay = _token(fake_zoom, http, grant_type="refresh_token", refresh_token=str(first["refresh_token"]))

    assert second["refresh_token"] != first["refresh_token"]
    assert replay.status_code == 400
    assert replay.json() == {"reason": "Invalid Token!", "error": "invalid_grant"}
    for token in (first["access_token"], second["access_token"]):  # the old access token lives to its expiry
        answer = http.get(f"{fake_zoom.api_url}/users/me", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200


def test_authorizing_again_kills_the_earlier_token_set(
    fake_zoom: FakeZoom, teacher: FakeZoomUser, http: httpx.Client
) -> None:
    earlier = fake_zoom.issue_tokens(teacher)
    fake_zoom.issue_tokens(teacher)

    refresh = _token(fake_zoom, http, grant_type="refresh_token", refresh_token=str(earlier["refresh_token"]))
    me = http.get(f"{fake_zoom.api_url}/users/me", headers={"Authorization": f"Bearer {earlier['access_token']}"})

    assert refresh.status_code == 400
    assert (me.status_code, me.json()) == (401, {"code": 124, "message": "Invalid access token."})


def test_revoking_a_token_ends_the_grant(fake_zoom: FakeZoom, teacher: FakeZoomUser, http: httpx.Client) -> None:
    tokens = fake_zoom.issue_tokens(teacher)

    answer = http.post(
        f"{fake_zoom.oauth_url}/oauth/revoke",
        params={"token": str(tokens["access_token"])},
        auth=(fake_zoom.client_id, fake_zoom.client_secret),
    )

    assert answer.json() == {"status": "success"}
    assert not fake_zoom.is_authorized(teacher)
    assert (
        _token(fake_zoom, http, grant_type="refresh_token", refresh_token=str(tokens["refresh_token"])).status_code
        == 400
    )


def test_an_expired_access_token_answers_401_code_124(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    fake_zoom.expire_access_tokens()

    answer = api.get("/users/me")

    assert answer.status_code == 401
    assert answer.json() == {"code": 124, "message": "Access token is expired."}


def test_an_access_token_lives_for_its_ttl(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    fake_zoom.advance_clock(3598)
    assert api.get("/users/me").status_code == 200
    fake_zoom.advance_clock(2)
    assert api.get("/users/me").status_code == 401


def test_a_token_without_the_endpoints_scope_gets_4711(
    fake_zoom: FakeZoom, teacher: FakeZoomUser, api: httpx.Client
) -> None:
    fake_zoom.set_scopes(teacher, ["user:read:user", "meeting:write:meeting"])
    meeting = _create(api)

    answer = api.delete(f"/meetings/{meeting['id']}")

    assert answer.status_code == 400
    assert answer.json()["code"] == 4711
    assert "meeting:delete:meeting" in answer.json()["message"]


# --- meetings ----------------------------------------------------------------------------------------------------


def test_a_created_meeting_has_a_long_id_links_and_a_spec_shaped_answer(
    fake_zoom: FakeZoom, teacher: FakeZoomUser, api: httpx.Client
) -> None:
    answer = api.post(
        "/users/me/meetings", json={"topic": "Chess", "type": 2, "start_time": "2031-01-05T15:00:00Z", "duration": 30}
    )

    meeting = answer.json()
    assert answer.status_code == 201
    assert meeting["id"] > 10**10
    assert meeting["host_id"] == teacher.id
    assert meeting["start_time"] == "2031-01-05T15:00:00Z"
    assert meeting["join_url"].startswith(f"{fake_zoom.oauth_url}/j/{meeting['id']}?pwd=")
    assert meeting["start_url"].startswith(f"{fake_zoom.oauth_url}/s/{meeting['id']}?zak=")


def test_every_answer_has_the_shape_zoom_documents(api: httpx.Client) -> None:
    spec = load_spec()
    meeting = api.post("/users/me/meetings", json=_weekly(end_times=3)).json()
    registrant = api.post(
        f"/meetings/{meeting['id']}/registrants", json={"email": "pat@example.com", "first_name": "P"}
    )
    answers = {
        ("GET", "/users/{userId}", 200): api.get("/users/me").json(),
        ("POST", "/users/{userId}/meetings", 201): meeting,
        ("GET", "/meetings/{meetingId}", 200): api.get(f"/meetings/{meeting['id']}").json(),
        ("GET", "/users/{userId}/meetings", 200): api.get("/users/me/meetings").json(),
        ("POST", "/meetings/{meetingId}/registrants", 201): registrant.json(),
        ("GET", "/meetings/{meetingId}/registrants", 200): api.get(f"/meetings/{meeting['id']}/registrants").json(),
    }

    problems = {
        key: problem
        for key, body in answers.items()
        for problem in spec.check_response(spec.operation(key[0], key[1]), key[2], body)
    }

    assert problems == {}


def test_a_local_start_time_is_read_in_the_meetings_timezone(api: httpx.Client) -> None:
    meeting = _create(api, start_time="2031-07-01T10:00:00", timezone="America/New_York")

    assert meeting["start_time"] == "2031-07-01T14:00:00Z"


def test_weekly_occurrences_keep_their_local_time_across_daylight_saving(api: httpx.Client) -> None:
    answer = api.post("/users/me/meetings", json=_weekly(end_times=4))

    meeting = answer.json()
    assert answer.status_code == 201
    assert [o["start_time"] for o in meeting["occurrences"]] == [
        "2031-03-25T16:00:00Z",  # Tuesday 17:00 in Paris, winter time
        "2031-03-27T16:00:00Z",
        "2031-04-01T15:00:00Z",  # Tuesday 17:00 in Paris, summer time since 30 March
        "2031-04-03T15:00:00Z",
    ]
    assert meeting["start_time"] == "2031-03-25T16:00:00Z"
    assert {o["status"] for o in meeting["occurrences"]} == {"available"}


def test_end_times_and_end_date_time_together_are_refused(api: httpx.Client) -> None:
    answer = api.post("/users/me/meetings", json=_weekly(end_times=3, end_date_time="2031-06-01T00:00:00Z"))

    assert answer.status_code == 400
    assert answer.json()["code"] == 300


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "abc"}, "type"),
        ({"type": 5}, "type"),
        ({"topic": "x" * 201}, "topic"),
        ({"settings": {"approval_type": 7}}, "settings.approval_type"),
        ({"start_time": "2031-01-05T15:00:00+01:00"}, "start_time"),
        ({"type": 8, "recurrence": {"type": 2, "weekly_days": "2;4", "end_times": 2}}, "recurrence.weekly_days"),
        (
            {"type": 8, "recurrence": {"type": 2, "weekly_days": "2", "repeat_interval": 13}},
            "recurrence.repeat_interval",
        ),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ],
)
def test_a_meeting_body_zoom_would_reject_gets_validation_failed(
    api: httpx.Client, body: dict[str, object], field: str
) -> None:
    answer = api.post("/users/me/meetings", json={"topic": "Chess", "type": 2, **body})

    assert answer.status_code == 400
    assert answer.json()["code"] == 300
    assert answer.json()["message"] == "Validation Failed."
    assert field in [error["field"] for error in answer.json()["errors"]]


def test_a_body_that_is_not_a_json_object_is_refused(api: httpx.Client) -> None:
    answer = api.post("/users/me/meetings", content=b"topic=Chess", headers={"Content-Type": "application/json"})

    assert answer.status_code == 400
    assert answer.json() == {"code": 300, "message": "Request Body should be a valid JSON object."}


def test_each_get_of_a_meeting_issues_a_fresh_start_url(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    meeting = _create(api)

    first = api.get(f"/meetings/{meeting['id']}").json()["start_url"]
    second = api.get(f"/meetings/{meeting['id']}").json()["start_url"]

    assert len({meeting["start_url"], first, second}) == 3
    assert [s.url for s in fake_zoom.start_urls(int(str(meeting["id"])))] == [meeting["start_url"], first, second]
    assert fake_zoom.start_url_valid(second)
    fake_zoom.advance_clock(2 * 3600)
    assert not fake_zoom.start_url_valid(second)


def test_an_update_answers_204_and_a_get_shows_it(api: httpx.Client) -> None:
    meeting = _create(api, start_time="2031-01-05T15:00:00Z")

    answer = api.patch(
        f"/meetings/{meeting['id']}", json={"topic": "Chess club (advanced)", "start_time": "2031-01-06T15:00:00Z"}
    )

    assert (answer.status_code, answer.content) == (204, b"")
    after = api.get(f"/meetings/{meeting['id']}").json()
    assert (after["topic"], after["start_time"]) == ("Chess club (advanced)", "2031-01-06T15:00:00Z")


def test_a_started_meeting_refuses_update_and_delete(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    meeting_id = int(str(_create(api)["id"]))
    fake_zoom.start_meeting(meeting_id)

    update = api.patch(f"/meetings/{meeting_id}", json={"topic": "Later"})
    delete = api.delete(f"/meetings/{meeting_id}")

    assert (update.status_code, update.json()["code"]) == (400, 3000)
    assert (delete.status_code, delete.json()["code"]) == (400, 3002)
    assert api.get(f"/meetings/{meeting_id}").json()["status"] == "started"


def test_an_ended_meeting_cannot_be_deleted(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    meeting_id = int(str(_create(api)["id"]))
    fake_zoom.start_meeting(meeting_id)
    fake_zoom.end_meeting(meeting_id)

    delete = api.delete(f"/meetings/{meeting_id}")

    assert (delete.status_code, delete.json()["code"]) == (400, 3007)


def test_a_meeting_deleted_in_zoom_answers_404_code_3001(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    meeting_id = int(str(_create(api)["id"]))
    fake_zoom.delete_meeting_out_of_band(meeting_id)

    answer = api.get(f"/meetings/{meeting_id}")

    assert answer.status_code == 404
    assert answer.json() == {"code": 3001, "message": f"Meeting does not exist: {meeting_id}."}


def test_deleting_a_meeting_answers_204_then_it_is_gone(api: httpx.Client) -> None:
    meeting_id = _create(api)["id"]

    assert api.delete(f"/meetings/{meeting_id}").status_code == 204
    assert api.get(f"/meetings/{meeting_id}").status_code == 404


def test_listing_meetings_pages_with_a_next_page_token(api: httpx.Client) -> None:
    created = {_create(api, start_time=f"2031-01-0{day}T15:00:00Z")["id"] for day in range(1, 6)}

    seen, token, pages = set(), "", 0
    while True:
        page = api.get(
            "/users/me/meetings", params={"type": "upcoming", "page_size": 2, "next_page_token": token}
        ).json()
        seen |= {m["id"] for m in page["meetings"]}
        pages, token = pages + 1, page["next_page_token"]
        if not token:
            break

    assert (seen, pages, page["total_records"]) == (created, 3, 5)


def test_the_host_daily_cap_answers_429_until_midnight_utc() -> None:
    late_evening = datetime(2031, 1, 5, 23, 45, tzinfo=UTC)
    with (
        FakeZoom(daily_meeting_cap=2, now=lambda: late_evening) as zoom,
        _api_client(zoom, zoom.add_user(email="ann@example.com", licensed=True)) as api,
    ):
        meeting = _create(api)
        assert api.patch(f"/meetings/{meeting['id']}", json={"topic": "Renamed"}).status_code == 204

        refused = api.post("/users/me/meetings", json={"topic": "One too many", "type": 2})

        assert refused.status_code == 429
        assert refused.json()["message"].startswith(
            "You have exceeded the daily rate limit (2) of Meeting Create/Update"
        )
        assert refused.headers["X-RateLimit-Type"] == "Daily-limit"
        assert refused.headers["Retry-After"] == "2031-01-06T00:00:00Z"
        zoom.advance_clock(timedelta(minutes=20).total_seconds())  # 00:05 UTC: a new day
        assert api.post("/users/me/meetings", json={"topic": "Next day", "type": 2}).status_code == 201


# --- registrants -------------------------------------------------------------------------------------------------


def test_registrants_are_refused_for_a_basic_host(fake_zoom: FakeZoom) -> None:
    basic = fake_zoom.add_user(email="bob@example.com", licensed=False)
    with _api_client(fake_zoom, basic) as api:
        meeting = _create(api, settings={"approval_type": 0})
        answer = api.post(
            f"/meetings/{meeting['id']}/registrants", json={"email": "pat@example.com", "first_name": "Pat"}
        )

    assert answer.status_code == 400
    assert answer.json() == {"code": 200, "message": f"Only available for Paid user: {basic.id}"}


def test_a_registrant_gets_a_personal_join_url_until_cancelled(
    fake_zoom: FakeZoom, api: httpx.Client, http: httpx.Client
) -> None:
    meeting = api.post("/users/me/meetings", json=_weekly(end_times=2)).json()
    first = api.post(f"/meetings/{meeting['id']}/registrants", json={"email": "pat@example.com", "first_name": "Pat"})
    second = api.post(f"/meetings/{meeting['id']}/registrants", json={"email": "sam@example.com", "first_name": "Sam"})

    assert first.status_code == 201
    assert first.json()["join_url"] != second.json()["join_url"] != meeting["join_url"]
    assert len(first.json()["occurrences"]) == 2
    assert http.get(first.json()["join_url"]).status_code == 200

    cancel = {"action": "cancel", "registrants": [{"id": first.json()["registrant_id"], "email": "pat@example.com"}]}
    assert api.put(f"/meetings/{meeting['id']}/registrants/status", json=cancel).status_code == 204
    assert [r.status for r in fake_zoom.registrants(meeting["id"])] == ["cancelled", "approved"]
    assert http.get(first.json()["join_url"]).status_code == 403


def test_manual_approval_returns_no_join_url(api: httpx.Client) -> None:
    meeting = _create(api, settings={"approval_type": 1})

    answer = api.post(f"/meetings/{meeting['id']}/registrants", json={"email": "pat@example.com", "first_name": "Pat"})

    assert answer.status_code == 201
    assert "join_url" not in answer.json()


def test_registrants_need_registration_enabled(api: httpx.Client) -> None:
    meeting = _create(api)

    answer = api.post(f"/meetings/{meeting['id']}/registrants", json={"email": "pat@example.com", "first_name": "Pat"})

    assert answer.status_code == 404


def _register(api: httpx.Client, meeting_id: object, *emails: str) -> list[dict[str, object]]:
    return [
        api.post(f"/meetings/{meeting_id}/registrants", json={"email": e, "first_name": "P"}).json() for e in emails
    ]


def test_the_registrant_list_pages_through_the_approved_ones_with_their_links(api: httpx.Client) -> None:
    meeting = _create(api, settings={"approval_type": 0})
    added = _register(api, meeting["id"], *(f"p{n}@example.com" for n in range(5)))

    listed: list[dict[str, object]] = []
    params: dict[str, str | int] = {"page_size": 2}
    pages = 0
    while True:
        page = api.get(f"/meetings/{meeting['id']}/registrants", params=params)
        assert page.status_code == 200
        pages += 1
        listed += page.json()["registrants"]
        if not page.json()["next_page_token"]:
            break
        params = {"page_size": 2, "next_page_token": page.json()["next_page_token"]}

    assert pages == 3
    assert page.json()["total_records"] == 5
    assert [(r["id"], r["email"], r["join_url"], r["status"]) for r in listed] == [
        (a["registrant_id"], f"p{n}@example.com", a["join_url"], "approved") for n, a in enumerate(added)
    ]


def test_the_registrant_list_shows_one_status_at_a_time(api: httpx.Client) -> None:
    manual = _create(api, settings={"approval_type": 1})
    _register(api, manual["id"], "pat@example.com")

    approved = api.get(f"/meetings/{manual['id']}/registrants").json()
    pending = api.get(f"/meetings/{manual['id']}/registrants", params={"status": "pending"}).json()

    assert approved["registrants"] == []
    assert [(r["email"], r["status"], "join_url" in r) for r in pending["registrants"]] == [
        ("pat@example.com", "pending", False)
    ]
    assert api.get(f"/meetings/{manual['id']}/registrants", params={"status": "cancelled"}).status_code == 400
    assert api.get(f"/meetings/{manual['id']}/registrants", params={"page_size": 301}).status_code == 400


def test_the_registrant_list_of_a_meeting_that_is_gone_answers_404(api: httpx.Client) -> None:
    meeting = _create(api, settings={"approval_type": 0})
    api.delete(f"/meetings/{meeting['id']}")

    answer = api.get(f"/meetings/{meeting['id']}/registrants")

    assert answer.status_code == 404
    assert answer.json()["code"] == 300
    assert "not found or has expired" in answer.json()["message"]


def test_the_registrant_list_needs_its_own_scope(fake_zoom: FakeZoom, teacher: FakeZoomUser, api: httpx.Client) -> None:
    meeting = _create(api, settings={"approval_type": 0})
    _register(api, meeting["id"], "pat@example.com")
    fake_zoom.set_scopes(teacher, ["meeting:write:meeting", "meeting:write:registrant", "user:read:user"])

    refused = api.get(f"/meetings/{meeting['id']}/registrants")
    fake_zoom.set_scopes(teacher, ["meeting:read"])  # Zoom's classic scope covers it too
    allowed = api.get(f"/meetings/{meeting['id']}/registrants")

    assert (refused.status_code, refused.json()["code"]) == (400, 4711)
    assert "meeting:read:list_registrants" in refused.json()["message"]
    assert allowed.status_code == 200


def test_a_fault_strikes_the_registrant_list_like_any_call(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    meeting = _create(api, settings={"approval_type": 0})
    fake_zoom.fail_next(502, method="GET", path=r"/registrants$")

    assert api.get(f"/meetings/{meeting['id']}/registrants").status_code == 502
    assert api.get(f"/meetings/{meeting['id']}/registrants").status_code == 200


# --- faults, limits and the transcript ---------------------------------------------------------------------------


def test_fail_next_answers_only_the_next_matching_calls(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    fake_zoom.fail_next(503, times=2, method="POST", path=r"/meetings$")

    assert api.get("/users/me").status_code == 200
    first = api.post("/users/me/meetings", json={"topic": "A", "type": 2})
    second = api.post("/users/me/meetings", json={"topic": "A", "type": 2})
    third = api.post("/users/me/meetings", json={"topic": "A", "type": 2})

    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 201)
    assert first.headers["content-type"].startswith("text/html")


def test_fail_next_can_send_retry_after_and_a_chosen_body(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    fake_zoom.fail_next(429, retry_after=7, body={"code": 429, "message": "slow down"})

    answer = api.get("/users/me")

    assert (answer.status_code, answer.headers["Retry-After"], answer.json()["message"]) == (429, "7", "slow down")


def test_an_injected_fault_on_the_token_endpoint_leaves_the_code_usable(
    fake_zoom: FakeZoom, teacher: FakeZoomUser, http: httpx.Client
) -> None:
    code = fake_zoom.authorize_code(teacher, redirect_uri=REDIRECT)
    fake_zoom.fail_next(502, path="^/oauth/token$")
    exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}

    assert _token(fake_zoom, http, exchange).status_code == 502
    assert _token(fake_zoom, http, exchange).status_code == 200


def test_random_faults_follow_their_seed(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    def run() -> list[int]:
        fake_zoom.set_fault_rates(server_error=0.3, rate_limited=0.3, seed=42)
        return [api.get("/users/me").status_code for _ in range(30)]

    first, second = run(), run()

    assert first == second
    assert {200, 429} <= set(first)
    assert set(first) & {500, 502, 503, 504}


def test_the_per_second_limit_answers_429_without_retry_after(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    fake_zoom.per_second_limit = 3

    statuses = [api.get("/users/me") for _ in range(5)]

    refused = statuses[-1]
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Type"] == "QPS"
    assert "Retry-After" not in refused.headers


def test_latency_delays_every_answer(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    fake_zoom.latency = 0.2
    started = time.monotonic()

    api.get("/users/me")

    assert time.monotonic() - started >= 0.2


def test_unknown_paths_and_methods_are_refused(api: httpx.Client) -> None:
    assert api.get("/no/such/thing").status_code == 404
    assert api.put("/users/me/meetings", json={}).status_code == 405


def test_calls_are_recorded_with_their_status(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    fake_zoom.clear_calls()
    _create(api, topic="Recorded")

    call = fake_zoom.calls[-1]
    assert (call.method, call.path, call.status) == ("POST", "/v2/users/me/meetings", 201)
    assert isinstance(call.json, dict)
    assert call.json["topic"] == "Recorded"
    assert call.headers["authorization"].startswith("Bearer ")
    assert fake_zoom.count("POST", r"/meetings$") == 1


# --- webhooks and the command line -------------------------------------------------------------------------------


def test_signatures_are_zooms_hmac_of_version_timestamp_and_body() -> None:
    body = b'{"event":"meeting.started"}'
    expected = hmac.new(b"secret", b"v0:1700000000:" + body, hashlib.sha256).hexdigest()

    assert sign("secret", 1700000000, body) == f"v0={expected}"
    assert signed_headers("secret", body, timestamp=1700000000)["x-zm-signature"] == f"v0={expected}"


def test_deauthorizing_revokes_and_posts_a_signed_event(fake_zoom: FakeZoom, teacher: FakeZoomUser) -> None:
    fake_zoom.issue_tokens(teacher)
    fake_zoom.configure_webhook(f"{fake_zoom.oauth_url}/hook", "whsec")  # the fake records what it receives

    event = fake_zoom.deauthorize(teacher)

    received = fake_zoom.calls[-1]
    assert received.path == "/hook"
    assert received.json == event
    assert event["payload"]["user_id"] == teacher.id
    assert event["payload"]["client_id"] == fake_zoom.client_id
    raw = json.dumps(event, separators=(",", ":"))
    assert received.headers["x-zm-signature"] == sign("whsec", received.headers["x-zm-request-timestamp"], raw)
    assert not fake_zoom.is_authorized(teacher)


def test_the_command_line_prints_its_url_and_serves() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "classbot_fakes.zoom", "--port", "0", "--user", "ann@example.com"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("FAKE_ZOOM_URL=http://127.0.0.1:")
        answer = httpx.get(first.split("=", 1)[1] + "/v2/users/me", timeout=10)
        assert answer.json()["code"] == 124
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_stopped_fake_refuses_connections_then_comes_back_on_the_same_port(
    fake_zoom: FakeZoom, api: httpx.Client
) -> None:
    url = fake_zoom.api_url
    fake_zoom.stop()

    with pytest.raises(httpx.ConnectError):
        api.get("/users/me")

    fake_zoom.start()
    assert fake_zoom.api_url == url
    assert api.get("/users/me").status_code == 200


def test_an_edit_in_zoom_moves_the_meeting_and_reports_old_and_new_times(
    fake_zoom: FakeZoom, api: httpx.Client
) -> None:
    meeting_id = int(str(_create(api, start_time="2031-01-05T15:00:00Z")["id"]))

    update = fake_zoom.update_meeting_out_of_band(meeting_id, start_time=datetime(2031, 1, 6, 16, 0, tzinfo=UTC))

    assert update["event"] == "meeting.updated"
    assert update["payload"]["object"] == {"id": meeting_id, "start_time": "2031-01-06T16:00:00Z"}
    assert update["payload"]["old_object"] == {"id": meeting_id, "start_time": "2031-01-05T15:00:00Z"}
    assert api.get(f"/meetings/{meeting_id}").json()["start_time"] == "2031-01-06T16:00:00Z"
