"""What each error answer Zoom documents for ClassBot's calls means: the one table from Zoom's codes to meanings.

Every code Zoom's API reference lists for the operations ClassBot calls (meetings create, list, get, update and
delete; registrants add, list and status; users/me; the OAuth token endpoint) has one row here. A row names the
code, the calls Zoom documents it for, Zoom's own words, and what it *means* for ClassBot (``Meaning``). What the
core *does* about each meaning (retry, refresh, replace the meeting, ask the teacher to reconnect, give up and
tell whom) is the core's own table, ``bot.core.zoom_answers.ACTIONS``; the transport reads this table to decide
what it can settle inline (a refresh, a short retry).

Sources: the ``responses`` of each operation in Zoom's Meeting API description (vendored with the test servers,
``classbot_fakes/specs/zoom-meeting-api.openapi.json``), Zoom's "Error codes" and "OAuth error messages"
pages, and what developers reported on Zoom's forum (code 200 for registrants on a basic account, the token
endpoint's ``{"reason", "error"}`` bodies). ClassBot lists registrants only to find one whose add lost its answer
(``ZoomClient.find_registrant``).

Zoom reuses some codes for unrelated refusals (3000 and 300 above all), so a row may also require an HTTP status
or a phrase of the message; rows are tried in order and the first that fits decides. An answer no row fits is
``Meaning.UNKNOWN``: the caller logs it with Zoom's tracking id and treats it as retryable up to a limit.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Meaning(enum.Enum):
    """What an error answer from Zoom means for ClassBot, whatever its code."""

    TRANSIENT = "transient"  # Zoom failed or timed out: the same call may well succeed in a moment
    RATE_LIMITED = "rate_limited"  # too many calls: wait as Zoom says (a daily cap lifts at 00:00 UTC)
    TOKEN_REFUSED = "token_refused"  # noqa: S105 - the access token expired or was revoked: a refresh may help
    AUTHORIZATION_GONE = "authorization_gone"  # only a new /connect helps (dead grant, scopes, user gone)
    MEETING_GONE = "meeting_gone"  # the meeting was deleted, expired or is no longer the teacher's
    MEETING_IN_PROGRESS = "meeting_in_progress"  # started: Zoom changes or deletes it only once it ends
    MEETING_ENDED = "meeting_ended"  # over: nothing left to change or delete
    NO_REGISTRATION = "no_registration"  # no personal links for this meeting (basic host, registration off)
    MEETING_FULL = "meeting_full"  # the meeting has as many registrants as the host's plan allows
    HOST_NOT_ALLOWED = "host_not_allowed"  # the teacher's Zoom account may not host or schedule meetings
    CODE_REFUSED = "code_refused"  # an authorization code that is spent, expired or unknown
    APP_MISCONFIGURED = "app_misconfigured"  # the operator's Zoom app settings are wrong (client, redirect)
    REQUEST_REFUSED = "request_refused"  # ClassBot asked for something Zoom's rules refuse: a bug to fix
    UNKNOWN = "unknown"  # a code this table does not know


class ZoomCall(enum.Enum):
    """The calls ClassBot makes to Zoom."""

    MEETING_CREATE = "POST /users/{userId}/meetings"
    MEETING_LIST = "GET /users/{userId}/meetings"
    MEETING_GET = "GET /meetings/{meetingId}"
    MEETING_UPDATE = "PATCH /meetings/{meetingId}"
    MEETING_DELETE = "DELETE /meetings/{meetingId}"
    REGISTRANT_ADD = "POST /meetings/{meetingId}/registrants"
    REGISTRANT_LIST = "GET /meetings/{meetingId}/registrants"
    REGISTRANT_STATUS = "PUT /meetings/{meetingId}/registrants/status"
    USER_GET = "GET /users/{userId}"
    TOKEN_EXCHANGE = "POST /oauth/token grant_type=authorization_code"  # noqa: S105 - a call's name
    TOKEN_REFRESH = "POST /oauth/token grant_type=refresh_token"  # noqa: S105 - a call's name

    @property
    def on_a_meeting(self) -> bool:
        """Whether the call names one meeting, so that a bare 404 means that meeting is gone."""
        return "{meetingId}" in self.value

    @property
    def oauth(self) -> bool:
        return self in (ZoomCall.TOKEN_EXCHANGE, ZoomCall.TOKEN_REFRESH)


MEETINGS = (ZoomCall.MEETING_GET, ZoomCall.MEETING_UPDATE, ZoomCall.MEETING_DELETE)
REGISTRANTS = (ZoomCall.REGISTRANT_ADD, ZoomCall.REGISTRANT_LIST, ZoomCall.REGISTRANT_STATUS)
REST = (ZoomCall.MEETING_CREATE, ZoomCall.MEETING_LIST, *MEETINGS, *REGISTRANTS, ZoomCall.USER_GET)
TOKEN = (ZoomCall.TOKEN_EXCHANGE, ZoomCall.TOKEN_REFRESH)

Code = int | str  # Zoom's numeric ``code``, or the OAuth ``error`` string of the token endpoint


@dataclass(frozen=True, slots=True)
class ZoomAnswerRow:
    """One documented answer: ``code`` on ``calls`` (with ``status`` and a ``phrase`` when the code is reused)."""

    code: Code
    meaning: Meaning
    calls: tuple[ZoomCall, ...]
    zoom_says: str  # Zoom's own words for it, as documented
    status: int | None = None
    phrase: str | None = None  # a regular expression the message must contain (case-insensitive)

    def fits(self, call: ZoomCall, status: int, code: Code | None, message: str) -> bool:
        if code != self.code or call not in self.calls:
            return False
        if self.status is not None and status != self.status:
            return False
        return self.phrase is None or re.search(self.phrase, message, re.IGNORECASE) is not None


_R = ZoomAnswerRow
_NOT_FOUND = r"not found or has expired|does not exist"

# Specific rows of a reused code come before its catch-all row: the first row that fits decides.
ANSWERS: tuple[ZoomAnswerRow, ...] = (
    # --- every REST call ----------------------------------------------------------------------------------
    _R(124, Meaning.TOKEN_REFUSED, REST, "Invalid access token. / Access token is expired."),
    _R(4700, Meaning.AUTHORIZATION_GONE, REST, "Invalid access token, does not contain scopes."),
    _R(4711, Meaning.AUTHORIZATION_GONE, REST, "Invalid access token, does not contain scopes:[…]."),
    # (also the daily caps: "You have exceeded the daily rate limit …", which lift at 00:00 UTC)
    _R(429, Meaning.RATE_LIMITED, REST, "You have reached the maximum per-second rate limit for this API."),
    # --- who the token belongs to -------------------------------------------------------------------------
    _R(1001, Meaning.AUTHORIZATION_GONE, REST, "User {userId} not exist or not belong to this account."),
    _R(1010, Meaning.AUTHORIZATION_GONE, REST, "User does not belong to this account: {accountId}."),
    _R(1120, Meaning.AUTHORIZATION_GONE, (ZoomCall.USER_GET,), "A valid invitation to join the Zoom account …"),
    _R(
        3161,
        Meaning.HOST_NOT_ALLOWED,
        (ZoomCall.MEETING_CREATE, ZoomCall.MEETING_LIST, *MEETINGS, *REGISTRANTS),
        "Meeting hosting and scheduling capabilities are not allowed for your user account.",
    ),
    # --- the meeting ----------------------------------------------------------------------------------------
    _R(3001, Meaning.MEETING_GONE, (*MEETINGS, *REGISTRANTS), "Meeting {meetingId} is not found or has expired."),
    _R(3003, Meaning.MEETING_GONE, (*MEETINGS, *REGISTRANTS), "You are not the meeting host."),
    _R(
        3002,
        Meaning.MEETING_IN_PROGRESS,
        (ZoomCall.MEETING_DELETE,),
        "Sorry, you cannot delete this meeting since it is in progress.",
    ),
    _R(
        3007,
        Meaning.MEETING_ENDED,
        (ZoomCall.MEETING_DELETE,),
        "Sorry, you cannot delete this meeting since it has ended.",
    ),
    _R(3018, Meaning.REQUEST_REFUSED, (ZoomCall.MEETING_DELETE,), "Not allowed to delete PMI."),
    _R(3037, Meaning.REQUEST_REFUSED, (ZoomCall.MEETING_DELETE,), "Not allowed to delete PAC."),
    _R(
        3000,
        Meaning.NO_REGISTRATION,
        REGISTRANTS,
        "Registration has not been enabled for this meeting: {meetingId}.",
        phrase=r"registration has not been enabled",
    ),
    _R(
        3000,
        Meaning.MEETING_IN_PROGRESS,
        (ZoomCall.MEETING_UPDATE, ZoomCall.MEETING_DELETE),
        "You cannot update or delete meetings that have started using this method.",
        phrase=r"\b(started|in progress)\b",
    ),
    _R(
        3000,
        Meaning.MEETING_GONE,
        (*MEETINGS, *REGISTRANTS),
        "Cannot access meeting information. / Cannot access meeting info.",
        phrase=r"cannot access",
    ),
    _R(
        3000,
        Meaning.REQUEST_REFUSED,
        (ZoomCall.MEETING_CREATE, *MEETINGS),
        "Invalid occurrence_id. / You cannot schedule a meeting for {0}. / Prescheduling is only available for …",
    ),
    # --- registrants ----------------------------------------------------------------------------------------
    _R(200, Meaning.NO_REGISTRATION, (ZoomCall.REGISTRANT_ADD,), "Only available for Paid user: {userId}"),
    _R(
        300,
        Meaning.MEETING_GONE,
        (*MEETINGS, *REGISTRANTS),
        'Meeting "{meetingId}" not found or has expired.',
        phrase=_NOT_FOUND,
    ),
    _R(
        300,
        Meaning.NO_REGISTRATION,
        REGISTRANTS,
        "This meeting has not set registration as required: {meetingId}.",
        phrase=r"registration as required",
    ),
    _R(3043, Meaning.MEETING_FULL, (ZoomCall.REGISTRANT_ADD,), "Meeting has reached maximum attendee capacity."),
    # --- what ClassBot sent ---------------------------------------------------------------------------------
    _R(300, Meaning.REQUEST_REFUSED, REST, "Validation Failed. / Request Body should be a valid JSON object."),
    # --- the OAuth token endpoint: {"reason": …, "error": …}, or one of the 47xx codes --------------------------
    _R("invalid_grant", Meaning.AUTHORIZATION_GONE, (ZoomCall.TOKEN_REFRESH,), "Invalid Token!"),
    _R("invalid_request", Meaning.AUTHORIZATION_GONE, (ZoomCall.TOKEN_REFRESH,), "Invalid refresh token."),
    _R("invalid_grant", Meaning.CODE_REFUSED, (ZoomCall.TOKEN_EXCHANGE,), "Invalid authorization code."),
    _R("invalid_request", Meaning.CODE_REFUSED, (ZoomCall.TOKEN_EXCHANGE,), "Invalid authorization code …"),
    _R("invalid_client", Meaning.APP_MISCONFIGURED, TOKEN, "Invalid client_id or client_secret"),
    _R("unsupported_grant_type", Meaning.APP_MISCONFIGURED, TOKEN, "unsupported grant type"),
    _R(4700, Meaning.UNKNOWN, TOKEN, "(empty) / Token cannot be empty. / Exception message: the cause varies."),
    _R(4702, Meaning.APP_MISCONFIGURED, TOKEN, "Invalid client."),
    _R(4704, Meaning.APP_MISCONFIGURED, TOKEN, "Invalid client secret."),
    _R(4705, Meaning.APP_MISCONFIGURED, TOKEN, "Grant type is not supported from token endpoint."),
    _R(4706, Meaning.APP_MISCONFIGURED, TOKEN, "Client ID or client secret is missing. / Missing grant type."),
    _R(4709, Meaning.APP_MISCONFIGURED, TOKEN, "Redirect URI mismatch."),
    _R(4711, Meaning.AUTHORIZATION_GONE, TOKEN, "Refresh token invalid. (token scopes differ from the app's)"),
    _R(4717, Meaning.APP_MISCONFIGURED, TOKEN, "The app has been disabled"),
    _R(4732, Meaning.TRANSIENT, (ZoomCall.TOKEN_EXCHANGE,), "Creating authorization code error."),
    _R(4733, Meaning.CODE_REFUSED, (ZoomCall.TOKEN_EXCHANGE,), "Code is expired"),
    _R(4734, Meaning.CODE_REFUSED, (ZoomCall.TOKEN_EXCHANGE,), "Invalid authorization code."),
    _R(4735, Meaning.AUTHORIZATION_GONE, (ZoomCall.TOKEN_REFRESH,), "The owner of the token does not exist."),
    _R(4737, Meaning.AUTHORIZATION_GONE, (ZoomCall.TOKEN_REFRESH,), "Can not find the authentication for the …"),
    _R(4738, Meaning.AUTHORIZATION_GONE, (ZoomCall.TOKEN_REFRESH,), "The token is disabled by admin."),
    _R(4740, Meaning.AUTHORIZATION_GONE, (ZoomCall.TOKEN_REFRESH,), "The token ID is out of the token tolerance …"),
    _R(4741, Meaning.AUTHORIZATION_GONE, (ZoomCall.TOKEN_REFRESH,), "The token has been revoked."),
)


def meaning_of(call: ZoomCall, status: int, code: Code | None, message: str = "") -> Meaning:
    """What Zoom's answer (``status``, its ``code`` and ``message``) to ``call`` means.

    A server error (5xx) is passing whatever its body. Otherwise a documented code decides; without one, the HTTP
    status does: 429 is a rate limit, a bare 401 from the REST API a refused token, a bare 404 on a call that
    names a meeting means the meeting is gone. Anything else is ``Meaning.UNKNOWN``.
    """
    if status >= 500:  # a server that failed says nothing reliable about the request, whatever its body
        return Meaning.TRANSIENT
    for row in ANSWERS:
        if row.fits(call, status, code, message):
            return row.meaning
    if status == 429:
        return Meaning.RATE_LIMITED
    if code is None or code == status:  # no code of Zoom's own, or the status repeated as the code
        if status == 401 and not call.oauth:
            return Meaning.TOKEN_REFUSED
        if status == 404 and call.on_a_meeting:
            return Meaning.MEETING_GONE
    return Meaning.UNKNOWN


_CALLS = {call.value: call for call in ZoomCall}


def call_named(operation: str) -> ZoomCall:
    """The call of an operation named "METHOD /path/{template}"; ``/users/me`` is Zoom's ``/users/{userId}``."""
    return _CALLS[operation.replace("/users/me", "/users/{userId}")]
