"""A faithful stand-in for Zoom's OAuth server, REST API and webhooks: ``FakeZoom``.

server.py        FakeZoom: lifecycle, users and OAuth controls, limits, faults, the transcript
controls.py      meetings seen and changed behind the bot's back, and the webhook events that follow
runner.py        uvicorn in a daemon thread with its own loop, started on a condition
app.py           the Starlette app: request pipeline for /v2, OAuth routes, meeting link pages
oauth.py         codes, PKCE, grants, rotation and revocation (no HTTP)
oauth_routes.py  /oauth/authorize, /oauth/token, /oauth/revoke
spec.py          Zoom's OpenAPI document: operation lookup and request/response validation
meetings.py      user and meeting operations; registrants.py: registrant operations
render.py        the JSON shapes of users and meetings
recurrence.py    occurrences of recurring meetings
faults.py        scripted and random faults, per-second limiting, Zoom's 429 bodies and headers
state.py         the shared world behind one lock; api.py: request/result/error types
webhooks.py      event envelopes, signatures, delivery
"""

from ..dropped import DROPPED
from .oauth import s256
from .server import DEFAULT_SCOPES, FakeZoom
from .spec import OpenAPISpec, load_essentials, load_spec
from .state import (
    FakeZoomMeeting,
    FakeZoomOccurrence,
    FakeZoomRegistrant,
    FakeZoomUser,
    IssuedStartUrl,
    ZoomCall,
)
from .webhooks import (
    deauthorization_event,
    encode,
    encrypted_token,
    event,
    sign,
    signed_headers,
    url_validation_event,
)

__all__ = [
    "DEFAULT_SCOPES",
    "DROPPED",
    "FakeZoom",
    "FakeZoomMeeting",
    "FakeZoomOccurrence",
    "FakeZoomRegistrant",
    "FakeZoomUser",
    "IssuedStartUrl",
    "OpenAPISpec",
    "ZoomCall",
    "deauthorization_event",
    "encode",
    "encrypted_token",
    "event",
    "load_essentials",
    "load_spec",
    "s256",
    "sign",
    "signed_headers",
    "url_validation_event",
]
