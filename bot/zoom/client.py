"""``ZoomClient``: the Zoom operations ClassBot needs, in our own types, for one teacher's account at a time.

Each method builds one ``ApiCall`` (path, rate-limit category, body from ``payloads``), hands it to the
``ZoomTransport`` (limits, tokens, retries, errors) and reads the answer back into ``models``. What is specific to
an operation stays here: which 404 means "already done", that an update is a PATCH then a GET, that the meeting
list is paged, that a create must not be replayed blindly.

Meeting ids are strings of digits on our side (Zoom's are int64 and exceed 10 digits); a create counts against
the host's daily create/update cap of 100, so the core reuses one meeting per class.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import AsyncGenerator, Callable
from typing import Any, Literal, TypeVar

from bot.zoom import payloads
from bot.zoom.credentials import ZoomAccount
from bot.zoom.errors import ZoomNotFound
from bot.zoom.models import Meeting, MeetingRequest, MeetingSummary, MeetingUpdate, Registrant, ZoomUser
from bot.zoom.ratelimit import RateCategory
from bot.zoom.transport import ApiCall, ZoomTransport, read_answer

logger = logging.getLogger(__name__)

MeetingListKind = Literal["scheduled", "live", "upcoming", "upcoming_meetings", "previous_meetings"]

LIST_PAGE_SIZE = 300  # Zoom's maximum
MAX_LIST_PAGES = 100  # a guard against a server that keeps handing out page tokens

Listed = TypeVar("Listed")


def _meeting_path(meeting_id: str, rest: str = "") -> str:
    # Zoom's meeting ids are int64; checking the digits also keeps a stray "/" or "?" out of the URL.
    if not (meeting_id.isascii() and meeting_id.isdigit()):
        raise ValueError("a Zoom meeting id is a string of digits")
    return f"/meetings/{meeting_id}{rest}"


class ZoomClient:
    """Zoom's meeting, registrant and user endpoints, sent through ``transport`` (its HTTP client is the caller's)."""

    def __init__(self, transport: ZoomTransport) -> None:
        self._transport = transport

    # --- users ------------------------------------------------------------------------------------------

    async def get_me(self, account: ZoomAccount) -> ZoomUser:
        call = ApiCall("GET", "/users/me", "/users/me", RateCategory.LIGHT)
        return read_answer(call, await self._transport.send(account, call), payloads.read_user)

    async def get_me_with_token(self, access_token: str) -> ZoomUser:
        """``GET /users/me`` right after the OAuth exchange, before anything is stored.

        There is no stored connection yet: no refresh, no "reconnect needed" record, and no rate-limit bucket
        (the account id is what this call finds out). A refused token raises ``ZoomReconnectNeeded``.
        """
        call = ApiCall("GET", "/users/me", "/users/me", RateCategory.LIGHT)
        return read_answer(call, await self._transport.send_with_token(access_token, call), payloads.read_user)

    # --- meetings ---------------------------------------------------------------------------------------

    async def create_meeting(self, account: ZoomAccount, request: MeetingRequest) -> Meeting:
        """Create the class's meeting (type 2, or type 8 weekly); counts against the host's daily cap."""
        call = ApiCall(
            "POST",
            "/users/me/meetings",
            "/users/me/meetings",
            RateCategory.MEDIUM,
            replay_safe=False,
            body=payloads.create_meeting_body(request),
        )
        return read_answer(call, await self._transport.send(account, call), payloads.read_meeting)

    async def get_meeting(self, account: ZoomAccount, meeting_id: str) -> Meeting:
        """The meeting with a freshly issued ``start_url``."""
        call = ApiCall("GET", "/meetings/{meetingId}", _meeting_path(meeting_id), RateCategory.LIGHT)
        return read_answer(call, await self._transport.send(account, call), payloads.read_meeting)

    async def update_meeting(self, account: ZoomAccount, meeting_id: str, changes: MeetingUpdate) -> Meeting:
        """Apply ``changes`` (Zoom answers 204 with no body) and read the meeting back."""
        call = ApiCall(
            "PATCH",
            "/meetings/{meetingId}",
            _meeting_path(meeting_id),
            RateCategory.LIGHT,
            body=payloads.update_meeting_body(changes),
        )
        await self._transport.send(account, call)
        return await self.get_meeting(account, meeting_id)

    async def delete_meeting(self, account: ZoomAccount, meeting_id: str) -> None:
        """Delete the meeting; one that is already gone counts as deleted. Zoom sends no e-mails about it."""
        call = ApiCall(
            "DELETE",
            "/meetings/{meetingId}",
            _meeting_path(meeting_id),
            RateCategory.LIGHT,
            params={"schedule_for_reminder": "false", "cancel_meeting_reminder": "false"},
        )
        with contextlib.suppress(ZoomNotFound):  # deleted in Zoom already, or no longer this teacher's to delete
            await self._transport.send(account, call)

    async def list_meetings(self, account: ZoomAccount, kind: MeetingListKind = "upcoming") -> list[MeetingSummary]:
        """Every meeting of the host of ``kind``, all pages followed."""
        call = ApiCall(
            "GET",
            "/users/me/meetings",
            "/users/me/meetings",
            RateCategory.MEDIUM,
            params={"type": kind, "page_size": str(LIST_PAGE_SIZE)},
        )
        return [meeting async for page in self._pages(account, call, payloads.read_meeting_page) for meeting in page]

    # --- registrants ------------------------------------------------------------------------------------

    async def add_registrant(
        self, account: ZoomAccount, meeting_id: str, *, email: str, first_name: str, last_name: str | None = None
    ) -> Registrant:
        """Register a parent for a personal join link (licensed hosts only: else ``ZoomRegistrationUnavailable``)."""
        call = ApiCall(
            "POST",
            "/meetings/{meetingId}/registrants",
            _meeting_path(meeting_id, "/registrants"),
            RateCategory.LIGHT,
            body=payloads.add_registrant_body(email, first_name, last_name),
        )
        response = await self._transport.send(account, call)
        return read_answer(call, response, lambda data: payloads.read_registrant(data, meeting_id))

    async def find_registrant(self, account: ZoomAccount, meeting_id: str, *, email: str) -> Registrant | None:
        """The meeting's approved registrant of ``email`` (any case), or None; pages are read until it is found.

        For an add whose answer was lost: Zoom holds the registrant, and adding it again counts against Zoom's
        3 adds of one address a day. Its scope (``meeting:read:list_registrants``) came after the first teachers
        connected: a token without it raises ``ZoomScopeMissing`` and leaves the connection as it is.
        """
        wanted = email.lower()
        call = ApiCall(
            "GET",
            "/meetings/{meetingId}/registrants",
            _meeting_path(meeting_id, "/registrants"),
            RateCategory.MEDIUM,
            params={"status": "approved", "page_size": str(LIST_PAGE_SIZE)},
            newer_scope=True,
        )
        pages = self._pages(account, call, lambda data: payloads.read_registrant_page(data, meeting_id))
        async with contextlib.aclosing(pages):  # found on an early page: the rest are never asked for
            async for page in pages:
                for address, registrant in page:
                    if address.lower() == wanted:
                        return registrant
        return None

    async def _pages(
        self, account: ZoomAccount, call: ApiCall, read: Callable[[Any], tuple[list[Listed], str | None]]
    ) -> AsyncGenerator[list[Listed]]:
        """Each page of a list Zoom hands out by ``next_page_token``, in order, read only as it is wanted: to the
        last page, a token seen before, or ``MAX_LIST_PAGES`` (a server that keeps handing out tokens)."""
        seen_tokens: set[str] = set()
        for _ in range(MAX_LIST_PAGES):
            page, next_token = read_answer(call, await self._transport.send(account, call), read)
            yield page
            if not next_token or next_token in seen_tokens:
                return
            seen_tokens.add(next_token)
            call = dataclasses.replace(call, params={**(call.params or {}), "next_page_token": next_token})
        logger.warning("Zoom %s: stopped after %d pages", call.operation, MAX_LIST_PAGES)

    async def cancel_registrant(self, account: ZoomAccount, meeting_id: str, *, registrant_id: str, email: str) -> None:
        """Cancel one registration. A meeting that is gone raises ``ZoomNotFound``: nothing is left to cancel, but
        the class's other parents need a new meeting (the core decides)."""
        call = ApiCall(
            "PUT",
            "/meetings/{meetingId}/registrants/status",
            _meeting_path(meeting_id, "/registrants/status"),
            RateCategory.MEDIUM,
            body=payloads.cancel_registrant_body(registrant_id, email),
        )
        await self._transport.send(account, call)
