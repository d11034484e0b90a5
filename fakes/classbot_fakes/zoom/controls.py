"""What a test can see and do to meetings behind the bot's back, and the webhook events that follow.

Mixed into ``FakeZoom``: inspection (meetings, registrants, issued start URLs) and out-of-band changes (a host
starts, ends or deletes a meeting in the Zoom app). Each change returns Zoom's event and, with ``notify=True``,
posts it signed to the configured webhook URL. Async tests should pass ``notify=False`` and
``await fake.adeliver(event)`` so that the bot, on the same loop, can answer.
"""

from __future__ import annotations

import copy
import secrets
from datetime import datetime
from typing import Any

import httpx

from .meetings import reschedule
from .state import (
    START_URL_LIFETIME,
    FakeZoomMeeting,
    FakeZoomRegistrant,
    IssuedStartUrl,
    ZoomWorld,
    zoom_id,
    zoom_time,
)
from .webhooks import WebhookSender, event


class MeetingControls:
    _world: ZoomWorld
    _sender: WebhookSender | None

    @property
    def meetings(self) -> dict[int, FakeZoomMeeting]:
        """A copy of every live meeting, by id."""
        with self._world.lock:
            return copy.deepcopy(self._world.meetings)

    def meeting(self, meeting_id: int) -> FakeZoomMeeting:
        with self._world.lock:
            return copy.deepcopy(self._meeting(meeting_id))

    def registrants(self, meeting_id: int) -> list[FakeZoomRegistrant]:
        with self._world.lock:
            return copy.deepcopy(self._world.registrants.get(meeting_id, []))

    def start_urls(self, meeting_id: int) -> list[IssuedStartUrl]:
        """Every start_url issued for the meeting, oldest first."""
        with self._world.lock:
            return list(self._meeting(meeting_id).start_urls)

    def start_url_valid(self, url: str) -> bool:
        """Whether ``url`` was issued by this fake less than two hours ago (fake clock) for a live meeting."""
        with self._world.lock:
            now = self._world.now()
            return any(
                s.url == url and now - s.issued_at < START_URL_LIFETIME
                for m in self._world.meetings.values()
                for s in m.start_urls
            )

    def start_meeting(self, meeting_id: int, *, notify: bool = False) -> dict[str, Any]:
        """The host starts the meeting: updates and deletion are refused until it ends."""
        with self._world.lock:
            meeting = self._meeting(meeting_id)
            meeting.status = "started"
            payload = self._meeting_event("meeting.started", meeting, id_as_string=True)
        return self._maybe_deliver(payload, notify)

    def end_meeting(self, meeting_id: int, *, notify: bool = False) -> dict[str, Any]:
        with self._world.lock:
            meeting = self._meeting(meeting_id)
            meeting.status = "ended"
            payload = self._meeting_event("meeting.ended", meeting, id_as_string=True, end=self._world.now())
        return self._maybe_deliver(payload, notify)

    def update_meeting_out_of_band(
        self,
        meeting_id: int,
        *,
        topic: str | None = None,
        start_time: datetime | None = None,
        duration: int | None = None,
        notify: bool = False,
    ) -> dict[str, Any]:
        """The host edits the meeting in Zoom; the ``meeting.updated`` event carries ``object`` and ``old_object``."""
        changes: dict[str, Any] = {"topic": topic, "duration": duration}
        if start_time is not None:
            changes["start_time"] = zoom_time(start_time)
        changes = {name: value for name, value in changes.items() if value is not None}
        with self._world.lock:
            meeting = self._meeting(meeting_id)
            host = self._world.users[meeting.host_id]
            old = {name: getattr(meeting, name) for name in changes}
            if "start_time" in old and old["start_time"] is not None:
                old["start_time"] = zoom_time(old["start_time"])
            meeting.topic = topic if topic is not None else meeting.topic
            meeting.duration = duration if duration is not None else meeting.duration
            if {"start_time", "duration"} & changes.keys():
                reschedule(self._world, meeting, changes)
            payload = event(
                "meeting.updated",
                {"id": meeting.id, **changes},
                account_id=host.account_id,
                operator=host.email,
                operator_id=host.id,
                operation="all",
                old_object={"id": meeting.id, **old},
                time_stamp=int(self._world.now().timestamp() * 1000),
            )
        return self._maybe_deliver(payload, notify)

    def participant_joined(
        self, meeting_id: int, *, name: str, email: str = "", registrant_id: str = "", notify: bool = False
    ) -> dict[str, Any]:
        """Someone joins the meeting (``meeting.participant_joined``, attendance for the roster)."""
        with self._world.lock:
            meeting = self._meeting(meeting_id)
            participant = {
                "user_id": str(secrets.randbelow(10**8)),
                "user_name": name,
                "id": zoom_id(),
                "participant_user_id": zoom_id(),
                "join_time": zoom_time(self._world.now()),
                "email": email,
                "registrant_id": registrant_id,
            }
            payload = self._meeting_event("meeting.participant_joined", meeting, id_as_string=True)
            payload["payload"]["object"]["participant"] = participant
        return self._maybe_deliver(payload, notify)

    def delete_meeting_out_of_band(self, meeting_id: int, *, notify: bool = False) -> dict[str, Any]:
        """The host deletes the meeting in Zoom: the API answers 404 code 3001 from now on."""
        with self._world.lock:
            meeting = self._meeting(meeting_id)
            del self._world.meetings[meeting_id]
            self._world.registrants.pop(meeting_id, None)
            payload = self._meeting_event("meeting.deleted", meeting, id_as_string=False, operation="all")
        return self._maybe_deliver(payload, notify)

    def deliver(self, payload: dict[str, Any]) -> httpx.Response:
        """Post a signed event to the configured webhook URL (blocking: not from the bot's own event loop)."""
        return self._require_sender().deliver(payload)

    async def adeliver(self, payload: dict[str, Any]) -> httpx.Response:
        return await self._require_sender().adeliver(payload)

    def _maybe_deliver(self, payload: dict[str, Any], notify: bool) -> dict[str, Any]:
        if notify:
            self.deliver(payload)
        return payload

    def _require_sender(self) -> WebhookSender:
        if self._sender is None:
            raise RuntimeError("call configure_webhook(url, secret_token) before delivering events")
        return self._sender

    def _meeting(self, meeting_id: int) -> FakeZoomMeeting:
        try:
            return self._world.meetings[meeting_id]
        except KeyError:
            raise KeyError(f"no meeting {meeting_id} in the fake") from None

    def _meeting_event(
        self,
        name: str,
        meeting: FakeZoomMeeting,
        *,
        id_as_string: bool,
        end: datetime | None = None,
        **payload: Any,
    ) -> dict[str, Any]:
        # Zoom sends the id as a string in meeting.started/ended and as a number in meeting.deleted/updated.
        host = self._world.users[meeting.host_id]
        obj: dict[str, Any] = {
            "id": str(meeting.id) if id_as_string else meeting.id,
            "uuid": meeting.uuid,
            "host_id": meeting.host_id,
            "topic": meeting.topic,
            "type": meeting.type,
            "duration": meeting.duration,
            "timezone": meeting.timezone,
        }
        if meeting.start_time is not None:
            obj["start_time"] = zoom_time(meeting.start_time)
        if end is not None:
            obj["end_time"] = zoom_time(end)
        if name == "meeting.deleted":
            payload |= {"operator": host.email, "operator_id": host.id}
        return event(name, obj, account_id=host.account_id, **payload)
