"""The fake's HTTP surface: ``GET|POST /bot{token}/{method}``, answered the way api.telegram.org answers.

In order: a malformed token or an unknown method is 404 "Not Found" and a well-formed but wrong token 401
"Unauthorized"; then the injected latency and any scripted or random fault; then the parameters are checked
against the spec (400 for a missing or mistyped one); then the method runs under the world lock. Every request is
recorded with its answer's status. Methods are case-insensitive, as in Telegram.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..dropped import DROPPED, DroppedConnection
from . import chats, messages, payments, polling
from .errors import BotApiError, not_found, unauthorized
from .limits import Dropped
from .params import CallParams, UploadedFile, decode_params
from .records import TelegramCall
from .spec import BotApiSpec
from .state import TelegramWorld
from .wire import decode_body

Handler = Callable[[TelegramWorld, CallParams], Any]

TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
HANDLERS: Mapping[str, Handler] = {
    "getme": chats.get_me_method,
    "getchat": chats.get_chat,
    "getchatmember": chats.get_chat_member,
    "getchatadministrators": chats.get_chat_administrators,
    "getchatmembercount": chats.get_chat_member_count,
    "leavechat": chats.leave_chat,
    "setmycommands": chats.set_my_commands,
    "getmycommands": chats.get_my_commands,
    "deletemycommands": chats.delete_my_commands,
    "sendmessage": messages.send_message,
    "senddocument": messages.send_document,
    "sendphoto": messages.send_photo,
    "editmessagetext": messages.edit_message_text,
    "editmessagereplymarkup": messages.edit_message_reply_markup,
    "deletemessage": messages.delete_message,
    "sendchataction": messages.send_chat_action,
    "answercallbackquery": messages.answer_callback_query,
    "sendinvoice": payments.send_invoice,
    "answerprecheckoutquery": payments.answer_pre_checkout_query,
    "refundstarpayment": payments.refund_star_payment,
    "setwebhook": polling.set_webhook,
    "deletewebhook": polling.delete_webhook,
    "getwebhookinfo": polling.get_webhook_info,
} | dict.fromkeys(chats.STORED_SETTINGS, chats.stored_setting)


def build_app(world: TelegramWorld, spec: BotApiSpec) -> Starlette:
    async def serve(request: Request) -> Response:
        arrived = time.monotonic()  # the order requests came in, even when a fault delays an answer
        raw = await request.body()
        fields: dict[str, Any] = dict(request.query_params)
        files: dict[str, UploadedFile] = {}
        struck: list[str] = []
        response: Response
        try:
            body_fields, files = decode_body(request.headers.get("content-type", ""), raw)
            fields |= body_fields
            result = await _call(
                world, spec, request.path_params["token"], request.path_params["method"], fields, files, struck
            )
            response = _json(200, {"ok": True, "result": result})
        except BotApiError as error:
            response = _json(error.error_code, error.body())
        except Dropped:
            response = DroppedConnection()
        _record(world, request, fields, files, response, arrived, fault=struck[0] if struck else None)
        return response

    async def elsewhere(request: Request) -> Response:
        return _json(404, not_found().body())

    return Starlette(
        routes=[
            Route("/bot{token}/{method}", serve, methods=["GET", "POST"]),
            Route("/{rest:path}", elsewhere, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        ]
    )


async def _call(
    world: TelegramWorld,
    spec: BotApiSpec,
    token: str,
    name: str,
    fields: Mapping[str, Any],
    files: Mapping[str, UploadedFile],
    struck: list[str],
) -> Any:
    """The method's result; the label of an injected fault, if one struck, is appended to ``struck``."""
    if not TOKEN.match(token):
        raise not_found()
    if token != world.bot.token:
        raise unauthorized()
    method = spec.method(name)
    if method is None:
        raise not_found()
    with world.lock:
        latency = world.latency
    if latency > 0:
        await asyncio.sleep(latency)
    with world.lock:
        fault = world.faults.take(method.name, str(fields.get("text", "")))
    if fault is not None and not fault.after:
        struck.append(fault.label)
        await fault.strike()
    params = decode_params(spec, method, fields, files)
    lowered = method.name.lower()
    if lowered == "getupdates":
        return await polling.get_updates(world, params)
    handler = HANDLERS.get(lowered)
    if handler is None:
        raise BotApiError(501, f"Not Implemented: FakeTelegram does not implement {method.name}")
    with world.lock:
        try:
            result = handler(world, params)
        except BotApiError:
            if fault is not None:
                world.faults.put_back(fault)
            raise
    if fault is not None:
        struck.append(fault.label)
        await fault.strike()
    return result


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json")


def _record(
    world: TelegramWorld,
    request: Request,
    fields: dict[str, Any],
    files: Mapping[str, UploadedFile],
    response: Response,
    arrived: float,
    *,
    fault: str | None = None,
) -> None:
    description = None
    if response.status_code not in (200, DROPPED):
        description = json.loads(bytes(response.body)).get("description")
    call = TelegramCall(
        method=request.path_params.get("method", ""),
        http_method=request.method,
        params=fields,
        files={name: (upload.file_name, len(upload.data)) for name, upload in files.items()},
        status=response.status_code,
        description=description,
        at=arrived,
        fault=fault,
    )
    with world.lock:
        world.record(call)
