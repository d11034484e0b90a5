"""Uploading a file as slack-sdk's ``files_upload_v2`` does, in Slack's three steps: files.getUploadURLExternal
(``filename``, ``length``) answers an ``upload_url`` and a ``file_id``; the bytes are POSTed raw to that URL;
files.completeUploadExternal (``files=[{id, title}]``, ``channel_id``, ``initial_comment``) shares them.

Slack's rules kept here: both methods need the ``files:write`` scope (``missing_scope`` otherwise); ``filename``
and ``length`` are required (``invalid_arguments``), a zero length is ``missing_argument``; the upload URL takes
exactly ``length`` bytes (HTTP 400 otherwise) and answers ``OK - <length>`` as text; a file id never issued to
this workspace, never uploaded to, or already completed is ``file_not_found`` (completing works once); sharing in a
channel needs the bot in it (``not_in_channel``) and the channel not archived (``is_archived``). Without a channel
the file stays private. A shared file comes with a message in the channel whose text is ``initial_comment``, and
is recorded (``SlackFile``) with its bytes, for tests to see who got which file where.
"""

from __future__ import annotations

import secrets
from typing import Any

from . import ids, wire
from .api import Call, Method, method
from .records import SlackFile
from .state import ChannelRecord, SlackWorld, StoredMessage, UploadRecord
from .wire import SlackError

SCOPE = "files:write"
UPLOAD_PATH = "/upload/v1/"


def get_upload_url(call: Call) -> dict[str, Any]:
    call.require_scope(SCOPE)
    filename = wire.required(call.params, "filename")
    wire.required(call.params, "length")
    length = wire.integer(call.params, "length", 0)
    if length <= 0:
        raise SlackError("missing_argument")
    credential = call.credential
    assert credential is not None
    upload = UploadRecord(
        ids.slack_id("F"), call.team.id, credential.user_id, filename, length, secrets.token_urlsafe(24)
    )
    call.world.uploads[upload.id] = upload
    return {"upload_url": f"{call.world.base_url}{UPLOAD_PATH}{upload.key}", "file_id": upload.id}


def receive_upload(world: SlackWorld, key: str, data: bytes) -> tuple[int, str]:
    """The answer to the POST of a file's bytes on its upload URL: (status, text body)."""
    upload = next((u for u in world.uploads.values() if u.key == key and not u.completed), None)
    if upload is None:
        return 404, "not_found"
    if len(data) != upload.length:
        return 400, f"length mismatch: {len(data)} bytes sent, {upload.length} announced"
    upload.data = data
    world.changes.notify()
    return 200, f"OK - {len(data)}"


def _listed_files(call: Call) -> list[tuple[UploadRecord, str]]:
    """The (upload, title) pairs ``files`` names, each uploaded and not completed yet."""
    listed = wire.json_value(call.params, "files", "invalid_arguments")
    if listed is None:
        raise SlackError("invalid_arguments", "[ERROR] missing required field: files")
    if not isinstance(listed, list) or not listed or not all(isinstance(f, dict) and f.get("id") for f in listed):
        raise SlackError("invalid_arguments", "[ERROR] files must be an array of objects with an id")
    found: list[tuple[UploadRecord, str]] = []
    for item in listed:
        upload = call.world.uploads.get(str(item["id"]))
        if upload is None or upload.team_id != call.team.id or upload.data is None or upload.completed:
            raise SlackError("file_not_found")
        found.append((upload, str(item.get("title") or upload.filename)))
    return found


def _share_target(call: Call) -> ChannelRecord | None:
    channel_id = wire.text(call.params, "channel_id")
    if channel_id is None:
        return None
    channel = call.channel(channel_id)
    if channel.archived:
        raise SlackError("is_archived")
    if not channel.is_dm and not channel.bot_member:
        raise SlackError("not_in_channel")
    return channel


def complete_upload(call: Call) -> dict[str, Any]:
    call.require_scope(SCOPE)
    world = call.world
    listed = _listed_files(call)
    channel = _share_target(call)
    comment = wire.text(call.params, "initial_comment")
    ts: str | None = None
    if channel is not None:
        message = StoredMessage(
            channel.id,
            ids.message_ts(),
            call.team.bot_user_id,
            comment,
            [],
            wire.text(call.params, "thread_ts"),
            source="files.completeUploadExternal",
        )
        ts = world.store(message).ts
    for upload, title in listed:
        upload.completed = True
        assert upload.data is not None
        world.files.append(
            SlackFile(
                upload.id,
                upload.filename,
                title,
                upload.data,
                channel.id if channel is not None else None,
                comment,
                upload.uploader,
                ts,
            )
        )
    world.changes.notify()
    return {"files": [{"id": upload.id, "title": title} for upload, title in listed]}


METHODS: dict[str, Method] = {
    "files.getUploadURLExternal": method(get_upload_url),
    "files.completeUploadExternal": method(complete_upload),
}
