"""Every error answer Zoom documents, met end to end: the fake Zoom answers it once over HTTP to one of ClassBot's
calls, and what people see is the action the core's table names for it (retry, refresh, replace the meeting,
reconnect, the meeting's own link, or give up and tell whom)."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path

import httpx
import pytest
from classbot_fakes.zoom import FakeZoom

from bot.core.zoom_answers import ACTIONS, Step, Whom
from bot.zoom.answers import Meaning, ZoomCall
from tests.support.clock import MovableClock
from tests.support.core_world import TEACHER, CoreWorld, core_world, parent
from tests.support.zoom_answers import DOCUMENTED, FAULT_PATHS, DocumentedAnswer

# The calls a scenario below can make ClassBot send; ClassBot never lists registrants.
SCENARIOS = (
    ZoomCall.MEETING_CREATE,
    ZoomCall.MEETING_LIST,
    ZoomCall.MEETING_GET,
    ZoomCall.MEETING_UPDATE,
    ZoomCall.MEETING_DELETE,
    ZoomCall.REGISTRANT_ADD,
    ZoomCall.REGISTRANT_STATUS,
    ZoomCall.USER_GET,
    ZoomCall.TOKEN_EXCHANGE,
    ZoomCall.TOKEN_REFRESH,
)
LICENSED = {ZoomCall.REGISTRANT_ADD, ZoomCall.REGISTRANT_STATUS, ZoomCall.TOKEN_REFRESH}
CONNECTING = {ZoomCall.USER_GET, ZoomCall.TOKEN_EXCHANGE}
LINKS = {ZoomCall.MEETING_CREATE, ZoomCall.MEETING_LIST, ZoomCall.MEETING_GET, ZoomCall.REGISTRANT_ADD}
LINKS |= {ZoomCall.TOKEN_REFRESH}
JOB_OF = {ZoomCall.MEETING_UPDATE: "meeting.update", ZoomCall.MEETING_DELETE: "meeting.delete"}
JOB_OF[ZoomCall.REGISTRANT_STATUS] = "registrant.cancel"


def _cases() -> list[object]:
    """Each documented answer once, on one of the calls Zoom documents it for (in turn, so that all are met)."""
    cases = []
    for number, documented in enumerate(DOCUMENTED):
        calls = [call for call in documented.row.calls if call in SCENARIOS]
        call = calls[number % len(calls)]
        cases.append(pytest.param(documented, call, id=f"{documented.id}-{call.name}"))
    return cases


@dataclass
class Scene:
    world: CoreWorld
    clock: MovableClock
    call: ZoomCall
    class_id: str = ""
    old_meeting: str | None = None
    connected: httpx.Response | None = None
    cancelled_registrant: str | None = None
    notes: dict[str, object] = field(default_factory=dict)

    @property
    def zoom(self) -> FakeZoom:
        return self.world.zoom

    async def settle(self, seconds: float) -> None:
        """Run the worker while the clock moves on by up to ``seconds``, jumping to each job's due time."""
        deadline = self.clock() + timedelta(seconds=seconds)
        for _ in range(200):
            await self.world.run_jobs()
            due = await self.world.components.jobs.next_due()
            if due is None or due > deadline:
                self.clock.advance(deadline - self.clock())
                return
            if due > self.clock():
                self.clock.advance(due - self.clock())
        raise AssertionError("the jobs never settled")

    async def stored_meeting(self) -> str | None:
        return (await self.world.class_row(self.class_id)).meeting_id

    def teacher_texts(self, containing: str) -> list[str]:
        return [text for text in self.world.texts_to(TEACHER) if containing in text]

    async def job_state(self) -> str:
        kind = JOB_OF.get(self.call, "link.send")
        return [status for job_kind, status in await self.world.job_states() if job_kind == kind][-1]

    async def achieved(self) -> bool:
        """Whether what the scene asked of Zoom got done."""
        if self.call in CONNECTING:
            assert self.connected is not None
            return self.connected.status_code == 200
        if self.call in LINKS:
            return bool(self.world.links_to(parent(2)))
        if self.call is ZoomCall.MEETING_UPDATE:
            meeting = await self.stored_meeting()
            if meeting is None:
                return False
            view = await self.world.components.classes.view(TEACHER, self.class_id)
            return self.zoom.meeting(int(meeting)).start_time == view.next_start
        if self.call is ZoomCall.MEETING_DELETE:
            assert self.old_meeting is not None
            return int(self.old_meeting) not in self.zoom.meetings
        assert self.old_meeting is not None  # registrant status
        return any(r.status == "cancelled" for r in self.zoom.registrants(int(self.old_meeting)))


@asynccontextmanager
async def _scene(sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path, call: ZoomCall) -> AsyncIterator[Scene]:
    clock = MovableClock()
    async with core_world(sqlite_url, fake_zoom, tmp_path, clock=clock, licensed=call in LICENSED) as world:
        clock.stop()
        scene = Scene(world, clock, call)
        if call not in CONNECTING:
            scene.class_id = (await world.new_class(days_ahead=3)).public_id
        if call not in CONNECTING | {ZoomCall.MEETING_CREATE, ZoomCall.MEETING_LIST}:
            await world.components.bookings.book(parent(1), scene.class_id, ["Ada"], "t1")
            if call is ZoomCall.REGISTRANT_STATUS:
                await world.components.bookings.book(parent(3), scene.class_id, ["Cy"], "t3")
            await scene.settle(5)
            scene.old_meeting = await scene.stored_meeting()
        if call is ZoomCall.MEETING_GET:
            clock.advance(timedelta(seconds=61))  # the meeting is checked at Zoom again before the next link
        world.notifier.sent.clear()
        yield scene


async def _ask(scene: Scene) -> None:
    """What the scene asks of Zoom, which meets the scripted answer."""
    world, call = scene.world, scene.call
    if call in CONNECTING:
        assert world.components.zoom is not None
        link = await world.components.zoom.connect.begin(TEACHER)
        scene.connected = await world.zoom_world.fresh_browser().connect(link.url)
    elif call is ZoomCall.MEETING_UPDATE:
        start = (await world.components.classes.view(TEACHER, scene.class_id)).next_start
        assert start is not None
        await world.components.classes.reschedule(TEACHER, scene.class_id, (start + timedelta(days=1)).date(), time(17))
    elif call is ZoomCall.MEETING_DELETE:
        await world.components.classes.cancel(TEACHER, scene.class_id)
    elif call is ZoomCall.REGISTRANT_STATUS:
        [booking] = await world.components.bookings.for_parent(parent(1))
        await world.components.bookings.cancel(parent(1), booking.public_id)
    else:
        if call is ZoomCall.TOKEN_REFRESH:
            world.zoom.expire_access_tokens()  # the next call is refused, so the token is refreshed
        await world.components.bookings.book(parent(2), scene.class_id, ["Bo"], "t2")
    if call not in CONNECTING:
        await scene.settle(5)


@pytest.mark.parametrize(("documented", "call"), _cases())
async def test_each_documented_answer_gets_its_action(
    sqlite_url: str,
    fake_zoom: FakeZoom,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    documented: DocumentedAnswer,
    call: ZoomCall,
) -> None:
    action = ACTIONS[documented.row.meaning]
    caplog.set_level(logging.INFO)
    async with _scene(sqlite_url, fake_zoom, tmp_path, call) as scene:
        fake_zoom.fail_next(documented.status, path=FAULT_PATHS[call], body=documented.body)

        await _ask(scene)

        answered = [
            c for c in fake_zoom.calls if c.status == documented.status and re.search(FAULT_PATHS[call], c.path)
        ]
        assert answered, "Zoom's answer was never asked for"
        if call in CONNECTING:
            await _connect_outcome(scene, documented, caplog)
        else:
            await _job_outcome(scene, documented, caplog)
        operator_told = any(
            "operator must look" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records
        )
        assert operator_told is (Whom.OPERATOR in action.tell)


async def _connect_outcome(scene: Scene, documented: DocumentedAnswer, caplog: pytest.LogCaptureFixture) -> None:
    """Connecting is the teacher at a browser: a passing failure says "try again soon", a refusal "start again"."""
    assert scene.connected is not None
    passing = documented.row.meaning in (Meaning.TRANSIENT, Meaning.RATE_LIMITED)
    assert scene.connected.status_code == (503 if passing else 400)


async def _job_outcome(scene: Scene, documented: DocumentedAnswer, caplog: pytest.LogCaptureFixture) -> None:
    action = ACTIONS[documented.row.meaning]
    step = action.step
    if step in (Step.RETRY, Step.REFRESH):
        await scene.settle(60)
        assert await scene.achieved()
        if step is Step.REFRESH:
            assert any(c.form and c.form.get("grant_type") == "refresh_token" for c in scene.zoom.calls)
    elif step is Step.RETRY_LATER:
        await scene.settle(300)
        assert not await scene.achieved()
        await scene.settle(400)
        assert await scene.achieved()
    elif step is Step.RECONNECT:
        await scene.settle(60)
        assert not await scene.achieved()
        assert scene.teacher_texts("/connect")
        assert scene.world.components.zoom is not None
        assert await scene.world.components.zoom.connect.status(TEACHER) == "reconnect_needed"
        await scene.world.zoom_world.connect_teacher(TEACHER)  # the teacher reconnects: what waited goes out
        await scene.settle(5)
        assert await scene.achieved()
    elif step is Step.REPLACE_MEETING:
        await _replaced(scene)
    elif step is Step.MEETING_LINK:
        if scene.call is ZoomCall.REGISTRANT_STATUS:
            assert await scene.job_state() == "done"  # without registration there was nothing to cancel
        else:
            [link] = scene.world.links_to(parent(2))
            assert f"/j/{scene.old_meeting}" in link
    else:
        assert step is Step.GIVE_UP
        await scene.settle(60)
        assert not await scene.achieved()
        assert await scene.job_state() == ("dead" if action.tell else "done")
        told = scene.teacher_texts(f"(code {documented.row.code})")
        assert len(told) == (1 if Whom.TEACHER in action.tell else 0)


async def _replaced(scene: Scene) -> None:
    """The meeting.deleted path: one new meeting, the booked parents' links for it, the teacher told once."""
    await scene.settle(10)
    new = await scene.stored_meeting()
    if scene.call is ZoomCall.MEETING_DELETE:  # the class is cancelled: a meeting already gone is all it needed
        assert await scene.job_state() == "done"
        assert scene.teacher_texts("deleted in Zoom") == []
        return
    assert new is not None
    assert new != scene.old_meeting
    assert len(scene.teacher_texts("deleted in Zoom")) == 1
    booked = {ZoomCall.REGISTRANT_STATUS: parent(3)}.get(scene.call, parent(1))
    assert new in scene.world.links_to(booked)[-1]
    if scene.call in LINKS:
        [link] = scene.world.links_to(parent(2))  # one message: the link of the new meeting
        assert new in link
    if scene.call is ZoomCall.MEETING_UPDATE:
        assert await scene.achieved()  # the new meeting is made at the new time
