"""A faithful stand-in for the Telegram Bot API, with a driver that plays the users (see ``server.FakeTelegram``)."""

from ..dropped import DROPPED
from .errors import BotApiError
from .formatting import parse, parse_html
from .payments import CardCharge, PaymentAttempt, StarCharge
from .people import ChatRef, FakeGroup, FakeUser
from .records import (
    Button,
    CallbackAnswer,
    MessageVersion,
    SentDocument,
    SentMessage,
    TelegramCall,
    UserMessage,
)
from .server import FakeTelegram
from .spec import BotApiSpec, load_essentials, load_spec
from .text import EntityParseError
from .webhook import SECRET_HEADER

__all__ = [
    "DROPPED",
    "SECRET_HEADER",
    "BotApiError",
    "BotApiSpec",
    "Button",
    "CallbackAnswer",
    "CardCharge",
    "ChatRef",
    "EntityParseError",
    "FakeGroup",
    "FakeTelegram",
    "FakeUser",
    "MessageVersion",
    "PaymentAttempt",
    "SentDocument",
    "SentMessage",
    "StarCharge",
    "TelegramCall",
    "UserMessage",
    "load_essentials",
    "load_spec",
    "parse",
    "parse_html",
]
