"""The fake Zoom fails before a request runs (nothing happened) or after it (the effect is there, the answer is
lost): the second kind is what a client that retries blindly turns into a second meeting."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx
import pytest
from classbot_fakes.zoom import DROPPED, FakeZoom, FakeZoomUser


@pytest.fixture
def api(fake_zoom: FakeZoom) -> Iterator[httpx.Client]:
    teacher: FakeZoomUser = fake_zoom.add_user(email="ann@example.com", licensed=True)
    token = fake_zoom.issue_tokens(teacher)["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=fake_zoom.api_url, headers=headers, timeout=httpx.Timeout(2.0)) as client:
        yield client


def _create(api: httpx.Client) -> int:
    body = {"topic": "Chess club", "type": 2, "settings": {"approval_type": 0}}  # registration on
    response = api.post("/users/me/meetings", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_a_502_before_the_create_makes_no_meeting(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    fake_zoom.fail_next(502, method="POST", path=r"/meetings$")
    assert api.post("/users/me/meetings", json={"topic": "Chess club", "type": 2}).status_code == 502
    assert fake_zoom.meetings == {}
    [call] = fake_zoom.calls
    assert (call.fault, call.took_effect) == ("before 502", False)


def test_a_502_after_the_create_leaves_the_meeting_made(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    fake_zoom.fail_next(502, method="POST", path=r"/meetings$", after=True)
    answer = api.post("/users/me/meetings", json={"topic": "Chess club", "type": 2})
    assert answer.status_code == 502
    assert "Bad Gateway" in answer.text
    [meeting] = fake_zoom.meetings.values()
    assert meeting.topic == "Chess club"
    [call] = fake_zoom.calls
    assert (call.status, call.fault, call.effect_status, call.took_effect) == (502, "after 502", 201, True)


def test_a_connection_dropped_after_adding_a_registrant_keeps_the_registrant(
    fake_zoom: FakeZoom, api: httpx.Client
) -> None:
    meeting_id = _create(api)
    fake_zoom.fail_next(DROPPED, method="POST", path=r"/registrants$", after=True)
    with pytest.raises(httpx.TransportError):
        api.post(f"/meetings/{meeting_id}/registrants", json={"email": "pat@example.com", "first_name": "Pat"})
    [registrant] = fake_zoom.registrants(meeting_id)
    assert registrant.email == "pat@example.com"
    assert fake_zoom.calls[-1].fault == "after dropped"


def test_a_delete_that_times_out_after_deleting_leaves_the_meeting_gone(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    meeting_id = _create(api)
    fake_zoom.fail_next(DROPPED, method="DELETE", after=True, delay=2.5)  # longer than the client's 2 s
    with pytest.raises(httpx.ReadTimeout):
        api.delete(f"/meetings/{meeting_id}")
    assert meeting_id not in fake_zoom.meetings


def test_a_delete_that_times_out_before_running_leaves_the_meeting(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    meeting_id = _create(api)
    fake_zoom.fail_next(DROPPED, method="DELETE", delay=2.5)
    with pytest.raises(httpx.ReadTimeout):
        api.delete(f"/meetings/{meeting_id}")
    assert meeting_id in fake_zoom.meetings


def test_random_after_effect_faults_hit_only_changing_calls(fake_zoom: FakeZoom, api: httpx.Client) -> None:
    fake_zoom.set_fault_rates(after_effect=1.0, seed=3)
    for _ in range(6):
        with contextlib.suppress(httpx.TransportError):
            api.post("/users/me/meetings", json={"topic": "Chess club", "type": 2})
        assert api.get("/users/me").status_code == 200
    assert len(fake_zoom.meetings) == 6
    posts = [call for call in fake_zoom.calls if call.method == "POST"]
    assert {call.fault for call in posts} == {"after 502", "after dropped"}
    assert all(call.took_effect for call in posts)
