"""A faithful stand-in for Slack's Web API, Socket Mode, request signing and OAuth install: ``FakeSlack``.

server.py        FakeSlack: lifecycle, credentials, people and channels, Socket Mode controls, limits and faults
driver.py        what users do: slash commands, presses, modal submissions, App Home, messages, invitations, events
bot_http.py      the bot's HTTP side: url_verification, (badly) signed and stale posts, the install walk
transcript.py    messages, views, files, calls, deliveries and acks, and waits on them
delivery.py      Socket Mode envelopes or signed HTTP posts to the bot, and their answers
socket_mode.py   the websocket server (aiohttp) in its own thread: hello, envelopes, acks, disconnects
app.py           the Starlette app: the /api/{method} pipeline, the authorize page, response URLs, upload URLs
api.py           what a Web API method is (token kinds, rate-limit key, handler) and its call context
wire.py          reading arguments and credentials, Slack's error answers
directory.py     auth.test, users.info, conversations.open/info/members, apps.connections.open
chat.py          chat.postMessage/postEphemeral/update, response URLs and acknowledgement bodies
views.py         views.open/push/update/publish and trigger_ids; submission.py: submitting modals
files.py         files.getUploadURLExternal, the upload URL, files.completeUploadExternal (files_upload_v2)
blocks.py        Block Kit checks; content.py: reading text, links and elements out of blocks
oauth.py         the authorize page and oauth.v2.access
payloads.py      slash command, block_actions, view_submission and event_callback payloads
people.py        creating workspaces, users and channels; state.py: the shared world behind one lock
limits.py        per-channel rate limits and scripted failures; signing.py: Slack's v0 request signatures
spec.py          Slack's Swagger document (required arguments, errors, success fields) and where it is stale
records.py       the snapshots tests read; ids.py: Slack-shaped ids; changes.py: waking waiters
"""

from .blocks import check_blocks, check_view
from .content import Element
from .delivery import Via
from .driver import ChannelRef, UserRef
from .people import DEFAULT_BOT_SCOPES
from .records import (
    ACK_DEADLINE,
    Ack,
    Delivery,
    FakeSlackChannel,
    FakeSlackUser,
    Installation,
    InstallResult,
    MessageVersion,
    SlackCall,
    SlackFile,
    SlackMessage,
    SlackView,
)
from .server import FakeSlack
from .signing import sign, signed_headers
from .socket_mode import NoSocketClient
from .spec import SlackMethodSpec, SlackWebApiSpec, load_spec

__all__ = [
    "ACK_DEADLINE",
    "DEFAULT_BOT_SCOPES",
    "Ack",
    "ChannelRef",
    "Delivery",
    "Element",
    "FakeSlack",
    "FakeSlackChannel",
    "FakeSlackUser",
    "InstallResult",
    "Installation",
    "MessageVersion",
    "NoSocketClient",
    "SlackCall",
    "SlackFile",
    "SlackMessage",
    "SlackMethodSpec",
    "SlackView",
    "SlackWebApiSpec",
    "UserRef",
    "Via",
    "check_blocks",
    "check_view",
    "load_spec",
    "sign",
    "signed_headers",
]
